"""The public pages in both languages: what a reader sees, and what stays hidden."""

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from articles.models import Article, Tag
from articles.readership import flush_reads
from tests.factories import make_article, make_place, make_rubric, make_user

pytestmark = pytest.mark.django_db

LANGUAGES = ["ky", "ru"]


def url(name, language, **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def story_url(story, language):
    with translation.override(language):
        return story.get_absolute_url()


@pytest.fixture
def politics():
    return make_rubric(name_ky="Саясат", name_ru="Политика", slug_ky="sayasat", slug_ru="politika")


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_shows_main_story_latest_stream_rubric_blocks_and_most_read(
    client, language, politics
):
    """Home: the main story on top, the stream with urgent stories marked, rubric blocks."""
    main = make_article(rubric=politics, is_main=True, view_count=50)
    urgent = make_article(rubric=politics, is_urgent=True)
    old_popular = make_article(
        rubric=politics, view_count=999, published_at=timezone.now() - timedelta(days=9)
    )
    response = client.get(url("articles:home", language))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html
    assert response.context["main_story"] == main
    assert urgent in response.context["latest"]
    assert re.search(r'class="urgent">.*?class="badge-urgent"', html, re.S)
    rubric_name = "Саясат" if language == "ky" else "Политика"
    rubric_url = url("articles:rubric", language, slug=getattr(politics, f"slug_{language}"))
    assert f'<a href="{rubric_url}">{rubric_name}</a></h2>' in html
    blocks = response.context["rubric_blocks"]
    assert [block["rubric"] for block in blocks] == [politics]
    assert main not in blocks[0]["stories"]
    most_read = html.split('id="most-read-title"')[1]
    assert getattr(main, f"title_{language}") in most_read
    assert getattr(old_popular, f"title_{language}") not in most_read


def test_home_rubric_blocks_show_recent_stories_only(client):
    """A rubric with nothing new for three months has no block on the home page."""
    quiet = make_rubric()
    make_article(rubric=quiet, published_at=timezone.now() - timedelta(days=120))
    busy = make_rubric()
    make_article(rubric=busy, is_main=True)
    recent = make_article(rubric=busy, published_at=timezone.now() - timedelta(days=2))
    blocks = client.get("/ru/").context["rubric_blocks"]
    assert [(block["rubric"], block["stories"]) for block in blocks] == [(busy, [recent])]


def test_home_falls_back_to_the_newest_story_when_none_is_marked_main(client):
    newest = make_article()
    make_article(published_at=timezone.now() - timedelta(hours=5))
    response = client.get("/ky/")
    assert response.context["main_story"] == newest
    assert newest not in response.context["latest"]


def test_home_lists_only_stories_of_its_language(client):
    ky_only = make_article(languages=("ky",))
    response = client.get("/ru/")
    assert ky_only.title_ky not in response.content.decode()
    assert response.context["main_story"] is None
    assert "Здесь пока нет материалов." in response.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_rubric_page_lists_the_rubrics_stories_paginated(client, language, politics):
    other = make_article()
    stories = [
        make_article(rubric=politics, published_at=timezone.now() - timedelta(minutes=n))
        for n in range(1, 23)
    ]
    address = url("articles:rubric", language, slug=getattr(politics, f"slug_{language}"))
    response = client.get(address)
    assert response.status_code == 200
    assert list(response.context["stories"]) == stories[:20]
    assert other not in response.context["stories"]
    second = client.get(address + "?page=2")
    assert list(second.context["stories"]) == stories[20:]
    assert f'<link rel="canonical" href="http://testserver{address}?page=2">' in (
        second.content.decode()
    )
    assert f'<link rel="canonical" href="http://testserver{address}">' in (
        response.content.decode()
    )
    assert client.get(address + "?page=9").status_code == 404


def test_rubric_slugs_are_per_language(client, politics):
    assert client.get("/ru/rubric/sayasat/").status_code == 404
    assert client.get("/ru/rubric/politika/").status_code == 200


def test_inactive_rubric_has_no_page(client):
    rubric = make_rubric(is_active=False)
    assert client.get(url("articles:rubric", "ky", slug=rubric.slug_ky)).status_code == 404


@pytest.mark.parametrize("language", LANGUAGES)
def test_tag_page_lists_stories_with_the_tag_under_its_translated_name(client, language):
    tag = Tag.objects.create(name_ky="Шайлоо", name_ru="Выборы")
    tagged = make_article(tags=[tag])
    untagged = make_article()
    slug = {"ky": "shayloo", "ru": "vybory"}[language]
    response = client.get(url("articles:tag", language, slug=slug))
    html = response.content.decode()
    assert response.status_code == 200
    assert list(response.context["stories"]) == [tagged]
    assert untagged not in response.context["stories"]
    assert ("Шайлоо" if language == "ky" else "Выборы") in html


def test_tag_without_a_name_in_the_language_has_no_page_there(client):
    Tag.objects.create(name_ky="Шайлоо", name_ru="", slug="shayloo")
    assert client.get("/ky/tag/shayloo/").status_code == 200
    assert client.get("/ru/tag/shayloo/").status_code == 404


@pytest.mark.parametrize("language", LANGUAGES)
def test_archive_lists_one_days_stories_with_links_to_neighbouring_days(client, language):
    now = timezone.localtime()
    today = now.replace(hour=12, minute=0)
    story_today = make_article(published_at=today - timedelta(days=1))
    earlier = make_article(published_at=today - timedelta(days=4))
    day = timezone.localdate(story_today.published_at)
    address = url("articles:archive_day", language, year=day.year, month=day.month, day=day.day)
    response = client.get(address)
    assert response.status_code == 200
    assert list(response.context["stories"]) == [story_today]
    assert response.context["previous_day"] == timezone.localdate(earlier.published_at)
    assert response.context["next_day"] is None
    previous = timezone.localdate(earlier.published_at)
    assert (
        url(
            "articles:archive_day",
            language,
            year=previous.year,
            month=previous.month,
            day=previous.day,
        )
        in response.content.decode()
    )


def test_archive_date_form_and_bad_dates(client):
    response = client.get("/ky/archive/?date=2021-05-19")
    assert response.status_code == 302
    assert response["Location"] == "/ky/archive/2021/5/19/"
    today = timezone.localdate()
    assert client.get("/ky/archive/?date=nonsense")["Location"] == (
        f"/ky/archive/{today.year}/{today.month}/{today.day}/"
    )
    assert client.get("/ky/archive/2021/2/30/").status_code == 404
    assert client.get("/ky/archive/9999/12/31/").status_code == 404
    assert client.get("/ky/archive/?date=9999-12-31").status_code == 302
    empty = client.get("/ru/archive/2021/5/19/")
    assert empty.status_code == 200
    assert "Новости за 19 мая 2021" in empty.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_story_page_shows_title_rubric_time_comments_photo_body_and_tags(
    client, language, politics
):
    """As on the agency's page: `Саясат 0` under the title, the dateline opens the body."""
    tag = Tag.objects.create(name_ky="ЖККУ", name_ru="ОДКБ", slug="odkb")
    nameless = Tag.objects.create(name_ky="Жалгыз", name_ru="", slug="zhalgyz")
    story = make_article(
        rubric=politics,
        place=make_place(),
        published_at=timezone.make_aware(
            timezone.datetime(2021, 5, 19, 10, 30), timezone.get_current_timezone()
        ),
        body_ky="<p>Бүгүн, 19-майда Душанбеде жыйын болду.</p><p>Экинчи абзац.</p>",
        body_ru="<p>Сегодня, 19 мая, в Душанбе прошло заседание.</p>",
        comment_count=3,
        tags=[tag, nameless],
    )
    response = client.get(story_url(story, language))
    html = response.content.decode()
    assert response.status_code == 200
    title = story.title_ky if language == "ky" else story.title_ru
    assert f'<h1 class="story-title">{title}</h1>' in html
    header = html.split('<h1 class="story-title">')[1].split("</header>")[0]
    assert ("Саясат" if language == "ky" else "Политика") in header
    assert ("19-май, 2021-ж., 10:30" if language == "ky" else "19 мая 2021, 10:30") in header
    assert "</span>3</a>" in header
    if language == "ky":
        assert "<p><strong>Бишкек, 19.05.21. /Кабар/.</strong> Бүгүн, 19-майда" in html
        assert ">Жалгыз</a>" in html
    else:
        assert "<p><strong>Бишкек, 19 мая. /Кабар/.</strong> Сегодня, 19 мая" in html
        assert "zhalgyz" not in html
    assert f'href="/{language}/tag/odkb/">{"ЖККУ" if language == "ky" else "ОДКБ"}</a>' in html
    assert '<div id="comments">' in html


def test_story_page_shows_related_stories_and_share_links(client, politics):
    tag = Tag.objects.create(name_ky="Суу", name_ru="Вода", slug="suu")
    story = make_article(rubric=politics, tags=[tag])
    same_tag = make_article(tags=[tag], published_at=timezone.now() - timedelta(days=3))
    same_rubric = make_article(rubric=politics)
    unrelated = make_article()
    response = client.get(story_url(story, "ru"))
    related = response.context["related"]
    assert related == [same_tag, same_rubric]
    assert unrelated not in related
    html = response.content.decode()
    assert "https://t.me/share/url?url=http%3A%2F%2Ftestserver%2Fru%2Fnews%2F" in html
    # One small deferred script of our own, nothing else (Lighthouse, privacy).
    scripts = re.findall(r"<script[^>]*src=\"([^\"]+)\"[^>]*>", html)
    assert scripts == ["/static/js/site.js"]
    assert re.search(r'<script src="/static/js/site.js"[^>]* defer>', html)


def test_related_stories_sharing_more_tags_come_first(client, politics):
    water, mountains, roads = (
        Tag.objects.create(name_ky=name, name_ru=name, slug=slug)
        for name, slug in [("Суу", "suu"), ("Тоо", "too"), ("Жол", "zhol")]
    )
    story = make_article(rubric=politics, tags=[water, mountains, roads])
    hour = timedelta(hours=1)
    # Older stories of other rubrics (each its own) rank by the tags they share.
    two_tags = make_article(tags=[water, roads], published_at=story.published_at - 5 * hour)
    one_tag = make_article(tags=[mountains], published_at=story.published_at - hour)
    rubric_only = make_article(rubric=politics, published_at=story.published_at - 2 * hour)
    make_article(published_at=story.published_at - 3 * hour)  # nothing in common
    related = client.get(story_url(story, "ky")).context["related"]
    assert related == [two_tags, one_tag, rubric_only]
    assert [card.shared for card in related] == [2, 1, 0]


def test_related_stories_come_from_the_stories_published_around_it(client, monkeypatch):
    """A bounded window: the `related_window` stories around the story (half before,
    half after); a side with fewer stories reaches the end of the archive."""
    from articles.views import ArticleDetailView

    monkeypatch.setattr(ArticleDetailView, "related_window", 4)
    tag = Tag.objects.create(name_ky="Тоо", name_ru="Горы", slug="too")
    moment = timezone.now() - timedelta(days=10)

    def story(hours, **kwargs):
        return make_article(published_at=moment + timedelta(hours=hours), **kwargs)

    oldest = story(-30 * 24, tags=[tag])
    page = story(0, tags=[tag])
    near_before, _ = story(-1, tags=[tag]), story(-2)
    far_before = story(-3, tags=[tag])  # the third before: outside the window
    near_after, _ = story(1, tags=[tag]), story(2)
    far_after = story(3, tags=[tag])
    related = client.get(story_url(page, "ky")).context["related"]
    assert set(related) == {near_before, near_after}

    # One story before it, fewer than half a window: that side reaches the first story.
    earlier = client.get(story_url(far_before, "ky")).context["related"]
    assert set(earlier) == {oldest, near_before}
    assert far_after not in earlier


def test_story_links_to_its_other_language_only_when_it_exists(client):
    both = make_article()
    ky_only = make_article(languages=("ky",))
    html = client.get(story_url(both, "ky")).content.decode()
    assert f'<a href="/ru/news/{both.slug_ru}/" hreflang="ru">Бул кабарды орусча окуу</a>' in html
    assert f'<a href="/ru/news/{both.slug_ru}/" lang="ru" hreflang="ru">Русский</a>' in html
    html = client.get(story_url(ky_only, "ky")).content.decode()
    assert "Бул кабарды орусча окуу" not in html
    # The language switch falls back to the Russian home page.
    assert '<a href="/ru/" lang="ru" hreflang="ru">Русский</a>' in html
    assert 'hreflang="ru" href=' not in html


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/ky/", '<a href="/ru/" lang="ru"'),
        ("/ky/rubric/sayasat/", '<a href="/ru/rubric/politika/" lang="ru"'),
        (
            "/ru/search/?q=%D0%B2%D0%BE%D0%B4%D0%B0",
            '<a href="/ky/search/?q=%D0%B2%D0%BE%D0%B4%D0%B0" lang="ky"',
        ),
        ("/ru/archive/2021/5/19/", '<a href="/ky/archive/2021/5/19/" lang="ky"'),
    ],
)
def test_language_switch_leads_to_the_same_page_in_the_other_language(
    client, politics, path, target
):
    assert target in client.get(path).content.decode()


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.SUBMITTED},
        {"status": Article.Status.UNPUBLISHED},
        {"published_at": timezone.now() + timedelta(days=1)},
    ],
    ids=["draft", "submitted", "unpublished", "scheduled"],
)
def test_stories_not_live_are_404_for_readers(client, fields):
    story = make_article(**fields)
    if fields.get("status") == Article.Status.DRAFT:
        Article.objects.filter(pk=story.pk).update(published_at=None)
    for language in LANGUAGES:
        assert client.get(story_url(story, language)).status_code == 404


def test_other_language_only_story_is_404_in_the_other_language(client):
    story = make_article(languages=("ru",))
    assert client.get(story_url(story, "ru")).status_code == 200
    assert client.get(story_url(story, "ky")).status_code == 404


def test_staff_preview_unpublished_and_scheduled_stories_with_a_banner_and_no_cache(client):
    scheduled = make_article(published_at=timezone.now() + timedelta(days=1))
    draft = make_article(status=Article.Status.DRAFT)
    client.force_login(make_user(role="Editor"))
    for story in (scheduled, draft):
        response = client.get(story_url(story, "ru"))
        assert response.status_code == 200
        assert 'class="preview-banner"' in response.content.decode()
        assert "no-cache" in response["Cache-Control"]
    assert (
        "Читатели увидят этот материал с" in client.get(story_url(scheduled, "ru")).content.decode()
    )
    live = client.get(story_url(make_article(), "ru"))
    assert 'class="preview-banner"' not in live.content.decode()


def test_reading_a_story_counts_one_view_but_not_for_bots_or_staff(client):
    """The page writes nothing (it is cached whole); its script reports the read."""
    story = make_article()
    with CaptureQueriesContext(connection) as queries:
        html = client.get(story_url(story, "ky")).content.decode()
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    read_url = re.search(r'data-read-url="([^"]+)"', html).group(1)
    assert read_url == f"/ky/read/{story.pk}/"

    assert client.post(read_url).status_code == 204
    assert client.post(f"/ru/read/{story.pk}/").status_code == 204
    client.post(read_url, headers={"user-agent": "Googlebot/2.1"})
    assert client.get(read_url).status_code == 405
    flush_reads()  # with Redis, reads are buffered and written in batches
    story.refresh_from_db()
    assert story.view_count == 2
    client.force_login(make_user(role="Editor"))
    client.post(read_url)
    flush_reads()
    story.refresh_from_db()
    assert story.view_count == 2


def test_header_has_logo_rubric_menu_language_switch_search_and_rates_slot(client, politics):
    html = client.get("/ru/").content.decode()
    assert 'class="skip-link" href="#content"' in html
    assert 'src="/static/img/logo.svg"' in html
    assert '<a href="/ru/rubric/politika/">Политика</a>' in html
    assert '<label for="site-search-q"' in html and 'action="/ru/search/"' in html
    assert 'class="rates-slot"' in html
    for sheet in ("site", "rates", "comments"):
        assert f'href="/static/css/{sheet}.css"' in html
    assert "720040, г. Бишкек" in html


def test_root_redirects_to_saved_language_then_browser_language_then_kyrgyz(client):
    assert client.get("/")["Location"] == "/ky/"
    assert client.get("/", headers={"accept-language": "ru-RU,ru;q=0.9"})["Location"] == "/ru/"
    client.cookies["django_language"] = "ky"
    response = client.get("/", headers={"accept-language": "ru"})
    assert response["Location"] == "/ky/"
    assert "Accept-Language" in response["Vary"]


def test_pages_set_no_cookie_and_name_the_language_cookie_for_the_script(client):
    """Pages are shared by every reader: the reader's script remembers the language
    (tests/e2e/test_language_switch.py watches it do so in Chromium)."""
    response = client.get("/ru/")
    assert not response.cookies
    assert 'data-language-cookie="django_language"' in response.content.decode()


def test_old_kg_addresses_redirect_permanently_to_ky(client):
    response = client.get("/kg/news/some-story/?utm=1")
    assert response.status_code == 301
    assert response["Location"] == "/ky/news/some-story/?utm=1"
    assert client.get("/kg/")["Location"] == "/ky/"


def test_story_page_has_canonical_open_graph_and_json_ld(client):
    story = make_article(title_ru='Заголовок </script><script>alert("x")')
    html = client.get(story_url(story, "ru")).content.decode()
    canonical = f'<link rel="canonical" href="http://testserver/ru/news/{story.slug_ru}/">'
    assert canonical in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert '<link rel="alternate" hreflang="ky"' in html
    script = html.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "</script" not in script
    data = json.loads(script)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == story.title_ru
    assert data["inLanguage"] == "ru"
