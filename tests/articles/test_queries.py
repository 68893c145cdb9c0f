"""Every public page costs a fixed number of SQL queries, whatever the archive's size.

The archive holds 1,000 stories with tags and approved comments. Counts are
pinned for a reader whose page finds the shared fragments (rubric menu, most
read) already cached, and for the first reader after a change, who builds them.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Rubric, StoryNote
from comments.models import Comment
from comments.services import comment_counts_refresh
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
    StoryNote.objects.bulk_create(
        StoryNote(article=corrected, text_ky="Оңдолду.", text_ru="Исправлено.")
        for corrected in Article.objects.all()[::20]
    )
    # As moderation does: each story's count of the comments readers see.
    comment_counts_refresh(article_ids=Article.objects.values_list("pk", flat=True))
    data["uncommented"] = Article.objects.live("ky").filter(comment_count=0).first()
    return data


def pages(archive):
    story, rubric, day = archive["story"], archive["rubric"], archive["day"]
    return {
        "home": "/ru/",
        "rubric": f"/ru/rubric/{rubric.slug_ru}/",
        "rubric-page-3": f"/ru/rubric/{rubric.slug_ru}/?page=3",
        "tag": "/ky/tag/teg-1/",
        "author": f"/ru/author/{archive['author'].slug}/?page=2",
        "archive": f"/ky/archive/{day.year}/{day.month}/{day.day}/",
        "story": f"/ky/news/{story.slug_ky}/",
        "story-uncommented": f"/ky/news/{archive['uncommented'].slug_ky}/",
        "search": "/ru/search/?q=бюджете",
        "corrections": "/ky/corrections/",
        "feed": "/ky/rss/",
        "rubric-feed": f"/ru/rss/{rubric.slug_ru}/",
        "sitemap": "/sitemap.xml",
        "sitemap-stories": "/sitemap-stories.xml",
    }


# page: (queries with warm fragments, queries for the first reader). The first
# reader also builds the header's rates widget (one query) and looks up when the next
# scheduled story goes live (one query: no cached page may outlive that moment); on the
# story page the approved comments and their replies cost one query whatever their
# number (none for a story whose count of visible comments is 0), and its tags, bylines
# (with their profiles), corrections and updates and photos
# (gallery and inside the text) are read with the story on PostgreSQL (four prefetch
# queries elsewhere).
# A list's rubric, tag or author brings the list's (capped) length in its own row, and on
# PostgreSQL the home page reads its newest stories and the editors' main story in one
# query (two elsewhere).
# The corrections page counts and lists its notes with their stories, two queries.
# Feeds read their items' bylines in one query. In production the whole-page cache
# (newsroom/pagecache.py) answers repeated requests before Django runs; the test client
# goes past it, to count the render.
QUERIES = {
    "home": (2, 6) if connection.vendor == "postgresql" else (3, 7),
    "rubric": (2, 6),
    "rubric-page-3": (2, 6),
    "tag": (2, 6),
    "author": (2, 6),
    "archive": (3, 7) if connection.vendor == "postgresql" else (4, 8),
    "story": (3, 6) if connection.vendor == "postgresql" else (7, 10),
    "story-uncommented": (2, 5) if connection.vendor == "postgresql" else (6, 9),
    "search": (2, 5),
    "corrections": (2, 6),
    "feed": (2, 3),
    "rubric-feed": (3, 4),
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


def test_a_long_rubric_pages_through_its_newest_stories_only(client, monkeypatch):
    """A rubric's page reads its stories and one more, never a count, so a rubric of
    the whole archive costs what a short one does; the pages stop at the cap, and the
    older stories are in the archive by day."""
    from articles.views import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 50)
    data = make_archive(size=300)
    rubric = data["rubric"]
    live = Article.objects.live("ky").filter(rubric=rubric).count()
    assert live > 50
    url = f"/ky/rubric/{rubric.slug_ky}/"
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    assert "1-барак" in page and "бардыгы" not in page, "a page number, no total"
    assert 'rel="next" href="?page=2"' in page and 'rel="prev"' not in page
    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    last = client.get(url + "?page=3").content.decode()
    assert 'rel="next"' not in last and 'rel="prev" href="?page=2"' in last
    assert len(client.get(url + "?page=3").context["stories"]) == 10
    assert client.get(url + "?page=4").status_code == 404
    assert client.get(url + "?page=last").status_code == 404
    assert client.get(url + "?page=abc").status_code == 404


@pytest.mark.parametrize("kind", ["tag", "author"])
def test_tag_and_author_pages_count_nothing_and_say_their_page_number(client, kind):
    data = make_archive(size=300)
    url = {
        "tag": "/ru/tag/teg-ru-1/",
        "author": f"/ru/author/{data['author'].slug}/",
    }[kind]
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url + "?page=2")
    page = second.content.decode()
    assert second.status_code == 200 and len(second.context["stories"]) == 20
    assert "Страница 2" in page and "Страница 2 из" not in page
    assert 'rel="prev" href="?page=1"' in page and 'rel="next" href="?page=3"' in page
    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
