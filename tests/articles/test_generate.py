"""`manage.py generate_stories`: a bulk archive that the public site shows like any other."""

import io
import re
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import translation
from django.utils.html import escape, strip_tags

from articles import generate
from articles.generate import TAGS_PER_LANGUAGE
from articles.models import Article, Tag, sanitize_body
from comments.models import Comment

pytestmark = pytest.mark.django_db

COUNT = 40


def localized(obj, language):
    with translation.override(language):
        return obj.get_absolute_url()


@pytest.fixture
def archive():
    err = io.StringIO()
    call_command("generate_stories", str(COUNT), "--batch-size", "15", "--seed", "7", stderr=err)
    return err.getvalue()


def test_progress_is_reported_per_batch(archive):
    assert "15/40 stories" in archive
    assert "40/40 stories" in archive


def test_stories_are_published_bilingual_with_some_single_language(archive):
    stories = Article.objects.all()
    assert stories.count() == COUNT
    assert stories.filter(status=Article.Status.PUBLISHED).count() == COUNT
    assert stories.filter(has_ky=True, has_ru=True).exists()
    assert stories.filter(has_ky=True, has_ru=False).exists()
    assert stories.filter(has_ky=False, has_ru=True).exists()
    assert Article.objects.live("ky").count() + Article.objects.live("ru").count() > COUNT
    assert stories.filter(bylines__isnull=True).count() == 0
    # The journalist who wrote a story signs it first.
    for story in stories.prefetch_related("bylines__author"):
        assert story.bylines.all()[0].author.user_id == story.created_by_id
    assert stories.filter(tags__isnull=True).count() == 0
    for code in ("ky", "ru"):
        in_language = stories.filter(**{f"has_{code}": True})
        slugs = set(in_language.values_list(f"slug_{code}", flat=True))
        assert len(slugs) == in_language.count() and "" not in slugs


def test_bodies_are_long_and_sanitized_like_the_admins(archive):
    for story in Article.objects.all():
        for language in story.languages:
            body = getattr(story, f"body_{language}")
            assert 2800 <= len(strip_tags(body)) <= 4800  # about 3,000 characters
            assert "style=" not in body and "<span" not in body  # pasted styling stripped
            assert sanitize_body(body) == body


def test_comments_are_approved_and_counted(archive):
    commented = Article.objects.filter(comment_count__gt=0)
    assert commented.exists()
    assert Comment.objects.exclude(status=Comment.Status.APPROVED).count() == 0
    for story in commented:
        assert story.comment_count == Comment.objects.visible().filter(article=story).count()


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_public_pages_show_the_stories(client, archive, language):
    live = Article.objects.live(language)
    newest = live.first()
    home = client.get(f"/{language}/")
    assert home.status_code == 200
    # As the page writes it: a corpus title may hold an apostrophe (Котд'Ивуар).
    assert escape(getattr(newest, f"title_{language}")) in home.content.decode()

    for story in live[:5]:
        page = client.get(localized(story, language))
        assert page.status_code == 200
        html = page.content.decode()
        assert escape(getattr(story, f"title_{language}")) in html
        tag = story.tags.first()
        tag_page = client.get(localized(tag, language))
        assert tag_page.status_code == 200
        assert escape(getattr(tag, f"name_{language}")) in tag_page.content.decode()
        rubric_page = client.get(localized(story.rubric, language))
        assert rubric_page.status_code == 200


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_search_finds_a_generated_story(client, archive, language):
    story = Article.objects.live(language).first()
    words = re.findall(r"\w{6,}", getattr(story, f"title_{language}"))
    response = client.get(f"/{language}/search/", {"q": words[0]})
    assert response.status_code == 200
    assert localized(story, language) in response.content.decode()


def test_tags_are_named_in_both_languages(archive):
    tags = Tag.objects.all()
    assert tags.count() == TAGS_PER_LANGUAGE
    assert not tags.filter(name_ky="").exists()
    assert not tags.filter(name_ru="").exists()


def test_the_same_seed_gives_the_same_archive(archive):
    first = list(
        Article.objects.order_by("-published_at", "id").values_list("title_ky", "title_ru")
    )
    Article.objects.all().delete()
    call_command("generate_stories", str(COUNT), "--batch-size", "15", "--seed", "7", verbosity=0)
    again = list(
        Article.objects.order_by("-published_at", "id").values_list("title_ky", "title_ru")
    )
    assert again == first


def test_a_second_run_adds_stories_without_new_tags_or_slug_clashes(archive):
    call_command("generate_stories", "10", "--seed", "7", verbosity=0)
    assert Article.objects.count() == COUNT + 10
    assert Tag.objects.count() == TAGS_PER_LANGUAGE


def test_nonsense_counts_are_refused():
    with pytest.raises(CommandError):
        call_command("generate_stories", "0", verbosity=0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_outside_a_transaction_batches_are_written_in_a_thread_with_the_same_result(
    monkeypatch,
):
    """On PostgreSQL the command writes each batch on a connection of its own while it
    makes the next one; what it writes is what the in-place writer writes."""
    writers = []
    write_batch = generate._write_batch

    def spy(**batch):
        writers.append(threading.current_thread())
        write_batch(**batch)

    monkeypatch.setattr(generate, "_write_batch", spy)
    with transaction.atomic():  # in place: the writer's connection would not see it
        made = generate.generate_stories(count=COUNT, batch_size=15, seed=7)
    assert set(writers) == {threading.main_thread()}
    in_place = fingerprint()
    Article.objects.all().delete()
    Comment.objects.all().delete()
    writers.clear()
    threaded = generate.generate_stories(count=COUNT, batch_size=15, seed=7)
    assert len(writers) == 3 and threading.main_thread() not in writers
    assert (threaded.stories, threaded.comments) == (made.stories, made.comments)
    assert fingerprint() == in_place


def fingerprint():
    stories = Article.objects.order_by("-published_at", "id")
    return [
        (
            story.title_ky,
            story.title_ru,
            story.body_ru,
            story.search_ky,
            story.comment_count,
            [byline.author_id for byline in story.bylines.order_by("position")],
            sorted(story.tags.values_list("pk", flat=True)),
            list(story.comments.order_by("created_at", "pk").values_list("name", "text")),
        )
        for story in stories
    ]
