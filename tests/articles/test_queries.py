"""Every public page costs a fixed number of SQL queries, whatever the archive's size.

The archive holds 1,000 stories with tags and approved comments. Counts are
pinned for a reader whose page finds the shared fragments (rubric menu, most
read) already cached, and for the first reader after a change, who builds them.
"""

import pytest

from articles.models import Article, Rubric
from comments.models import Comment
from tests.factories import make_archive, make_article

pytestmark = pytest.mark.django_db

ARCHIVE_SIZE = 1000


@pytest.fixture
def archive():
    data = make_archive(size=ARCHIVE_SIZE)
    assert Article.objects.count() == ARCHIVE_SIZE + 1
    story = data["story"]
    Comment.objects.bulk_create(
        Comment(
            article=commented,
            name=f"Окурман {n}",
            text="Пикир.",
            language="ky",
            status=Comment.Status.APPROVED,
        )
        for commented in Article.objects.all()[::10]
        for n in range(5)
    )
    first = Comment.objects.create(
        article=story,
        name="Окурман",
        text="Пикир.",
        language="ky",
        status=Comment.Status.APPROVED,
    )
    Comment.objects.bulk_create(
        Comment(
            article=story,
            parent=first,
            name="Жооп",
            text="Жооп.",
            language="ky",
            status=Comment.Status.APPROVED,
        )
        for _n in range(3)
    )
    return data


def pages(archive):
    story, rubric, day = archive["story"], archive["rubric"], archive["day"]
    return {
        "home": "/ru/",
        "rubric": f"/ru/rubric/{rubric.slug_ru}/",
        "rubric-page-3": f"/ru/rubric/{rubric.slug_ru}/?page=3",
        "tag": "/ky/tag/teg-1/",
        "archive": f"/ky/archive/{day.year}/{day.month}/{day.day}/",
        "story": f"/ky/news/{story.slug}/",
        "search": "/ru/search/?q=бюджете",
        "feed": "/ky/rss/",
        "rubric-feed": f"/ru/rss/{rubric.slug_ru}/",
        "sitemap": "/sitemap.xml",
        "sitemap-stories": "/sitemap-stories.xml",
    }


# page: (queries with warm fragments, queries for the first reader). The first
# reader also builds the header's rates widget (one query) and looks up when the next
# scheduled story goes live (one query: no cached page may outlive that moment); on the
# story page the approved comments and their replies cost two queries whatever their
# number, and its photos (gallery and photos inside the text) one. In production the
# whole-page cache (newsroom/pagecache.py) answers repeated requests before Django runs;
# the test client goes past it, to count the render.
QUERIES = {
    "home": (3, 7),
    "rubric": (3, 7),
    "rubric-page-3": (3, 7),
    "tag": (3, 7),
    "archive": (4, 8),
    "story": (6, 9),
    "search": (2, 5),
    "feed": (1, 2),
    "rubric-feed": (2, 3),
    "sitemap": (3, 4),
    "sitemap-stories": (1, 2),
}


@pytest.mark.parametrize("page", QUERIES)
def test_each_page_costs_a_fixed_number_of_queries(
    client, archive, page, django_assert_num_queries
):
    path = pages(archive)[page]
    warm, cold = QUERIES[page]
    with django_assert_num_queries(cold):
        assert client.get(path).status_code == 200
    with django_assert_num_queries(warm):
        assert client.get(path).status_code == 200


def menu_of(client, path):
    return client.get(path).content.decode().split('class="rubric-menu"')[1].split("</nav>")[0]


def test_rubric_menu_is_cached_and_rebuilt_when_a_rubric_changes(client, archive):
    rubric = archive["rubric"]
    assert rubric.name_ru in menu_of(client, "/ru/")
    # A write that bypasses save() sends no signal: readers keep the cached menu.
    Rubric.objects.filter(pk=rubric.pk).update(name_ru="Без сигнала")
    assert "Без сигнала" not in menu_of(client, "/ru/")
    rubric.refresh_from_db()
    rubric.name_ru = "Экономика и финансы"
    rubric.save()
    assert "Экономика и финансы" in menu_of(client, "/ru/")


def test_most_read_is_rebuilt_when_a_story_is_published(client, archive):
    client.get("/ru/")
    popular = make_article(view_count=10_000)
    most_read = client.get("/ru/").content.decode().split('id="most-read-title"')[1]
    assert popular.title_ru in most_read
