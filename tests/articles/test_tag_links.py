"""A tag page lists the tag's newest stories from the tag links' own time (migration
0015), which PostgreSQL keeps equal to the story's whatever writes it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, Tag, TaggedArticle
from tests.factories import make_article

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def listed(client, tag, language="ru"):
    response = client.get(f"/{language}/tag/{getattr(tag, f'slug_{language}')}/")
    assert response.status_code == 200
    return [story.title_ru for story in response.context["stories"]]


@pytest.fixture
def elections():
    return Tag.objects.create(name_ky="Шайлоо", name_ru="Выборы")


def test_the_newest_come_first_and_follow_a_story_moved_by_any_write(client, elections):
    now = timezone.now()
    old = make_article(title_ru="Старая", tags=[elections], published_at=now - timedelta(days=3))
    make_article(title_ru="Вчерашняя", tags=[elections], published_at=now - timedelta(days=1))
    assert listed(client, elections) == ["Вчерашняя", "Старая"]

    # A bulk update of the story's time, no save(): the links follow it.
    Article.objects.filter(pk=old.pk).update(published_at=now - timedelta(hours=1))
    assert listed(client, elections) == ["Старая", "Вчерашняя"]
    assert TaggedArticle.objects.get(content_object=old).published_at == now - timedelta(hours=1)

    # Moved to the future (scheduled again): not on the page until its time.
    Article.objects.filter(pk=old.pk).update(published_at=now + timedelta(hours=1))
    assert listed(client, elections) == ["Вчерашняя"]


def test_a_tag_added_later_places_the_story_by_its_own_time(client, elections):
    now = timezone.now()
    make_article(title_ru="Новая", tags=[elections], published_at=now - timedelta(hours=2))
    earlier = make_article(title_ru="Ранняя", published_at=now - timedelta(days=2))
    assert listed(client, elections) == ["Новая"]
    earlier.tags.add(elections)
    assert listed(client, elections) == ["Новая", "Ранняя"]
    # A link written with any time of its own takes the story's.
    TaggedArticle.objects.filter(content_object=earlier).update(published_at=now)
    assert listed(client, elections) == ["Новая", "Ранняя"]


def test_an_unpublished_story_leaves_the_tag_page(client, elections):
    gone = make_article(title_ru="Снятая", tags=[elections])
    make_article(title_ru="Живая", tags=[elections])
    gone.status = Article.Status.UNPUBLISHED
    gone.save()
    assert listed(client, elections) == ["Живая"]
