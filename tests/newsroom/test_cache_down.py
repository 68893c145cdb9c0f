"""Redis down, site up: every page, the admin and comment posting work without the cache.

A Redis of the test's own is started, filled, stopped and started again; the shared
Redis of the machine is never touched.
"""

import logging
import time
from datetime import date

import pytest
import redis
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from articles.models import Article
from comments import services as comment_services
from comments.models import Comment
from newsroom.logging import OncePerInterval
from tests.articles.admin_client import change_url, form_data
from tests.factories import make_article, make_user
from tests.html_forms import comment_form_as_sent
from tests.rates.factories import make_currency, make_rate

pytestmark = pytest.mark.django_db

# Every failing call of django-redis retrying with back-off would cost seconds a page.
FAST_ENOUGH_SECONDS = 3


@pytest.fixture
def cache_log(caplog, monkeypatch):
    """The records of "newsroom.cache" as configured, with a fresh once-a-minute memory."""
    logger = logging.getLogger("newsroom.cache")
    fresh = [
        OncePerInterval(level="WARNING") if isinstance(f, OncePerInterval) else f
        for f in logger.filters
    ]
    assert len(fresh) == 1, "settings.LOGGING must put the once-a-minute filter on newsroom.cache"
    monkeypatch.setattr(logger, "filters", fresh)
    caplog.set_level(logging.WARNING, logger="newsroom.cache")
    return lambda: [r for r in caplog.records if r.name == "newsroom.cache"]


@pytest.fixture
def site():
    story = make_article(title_ky="Бүгүнкү башкы жаңылык", title_ru="Главная новость дня")
    usd = make_currency("USD")
    make_rate(usd, date(2026, 7, 3), "87.45")
    make_rate(usd, timezone.localdate(), "87.60")
    return story


def public_pages(story):
    pages = {}
    for language, title in (("ky", story.title_ky), ("ru", story.title_ru)):
        with translation.override(language):
            pages |= {
                reverse("articles:home"): (200, title),
                story.get_absolute_url(): (200, title),
                story.rubric.get_absolute_url(): (200, title),
                reverse("rates:page"): (200, "87,60"),
                # The hit is marked: the rest of the title follows the marked word.
                reverse("articles:search") + "?q=" + title.split()[0]: (
                    200,
                    title.split(maxsplit=1)[1],
                ),
                f"/{language}/no-such-page/": (404, "Page not found"),
            }
    return pages


def page_texts(language, text):
    with translation.override(language):
        return translation.gettext(text)


def test_public_pages_are_served_while_redis_is_down_and_the_outage_is_logged_once(
    client, own_redis, site, cache_log
):
    for url in public_pages(site):
        client.get(url)
    assert redis.Redis(port=own_redis.port).dbsize() > 0, "the pages did use the cache"

    own_redis.stop()
    for url, (status, text) in public_pages(site).items():
        started = time.monotonic()
        response = client.get(url)
        elapsed = time.monotonic() - started
        assert response.status_code == status, url
        language = url.split("/")[1]
        assert page_texts(language, text) in response.content.decode(), url
        assert "USD" in response.content.decode(), f"{url}: the header's rates widget"
        assert elapsed < FAST_ENOUGH_SECONDS, f"{url} took {elapsed:.2f} s without Redis"

    records = cache_log()
    assert len(records) == 1, [r.getMessage() for r in records]
    assert records[0].levelname == "WARNING"
    assert "Connection refused" in records[0].getMessage()
    assert "\n" not in records[0].getMessage() and records[0].exc_info is None


def test_the_cache_is_used_again_when_redis_returns_without_a_restart(client, own_redis, site):
    own_redis.stop()
    assert client.get(site.get_absolute_url()).status_code == 200
    own_redis.start()
    assert client.get(site.get_absolute_url()).status_code == 200
    assert redis.Redis(port=own_redis.port).dbsize() > 0, "nothing was cached after the return"


def test_an_editors_save_does_not_depend_on_the_cache(client, own_redis, site):
    editor = make_user("editor-cache", role="Editor")
    client.force_login(editor)
    own_redis.stop()
    form = client.get(change_url(site))
    response = client.post(change_url(site), form_data(form, title_ru="Исправленный заголовок"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    site.refresh_from_db()
    assert site.title_ru == "Исправленный заголовок"
    with translation.override("ru"):
        page = client.get(site.get_absolute_url()).content.decode()
    assert "Исправленный заголовок" in page
    assert client.get(reverse("admin:articles_article_changelist")).status_code == 200


def test_comments_are_stored_and_the_flood_limit_counts_them_in_the_database(
    client, own_redis, site, monkeypatch
):
    """Redis down: no comment is lost, and the sixth in ten minutes is refused all the same."""
    monkeypatch.setattr(comment_services, "MIN_FILL_SECONDS", 0)
    own_redis.stop()
    for n in range(comment_services.RATE_LIMIT):
        with translation.override("ru"):
            page = client.get(site.get_absolute_url()).content.decode()
            action, fields = comment_form_as_sent(client, page)
        response = client.post(action, fields | {"name": "Айгүл", "text": f"Пикир {n}"})
        assert response.status_code == 302, response.content.decode()[:2000]
    assert Comment.objects.filter(article=site).count() == comment_services.RATE_LIMIT

    with translation.override("ru"):
        page = client.get(site.get_absolute_url()).content.decode()
        action, fields = comment_form_as_sent(client, page)
    response = client.post(action, fields | {"name": "Айгүл", "text": "Ещё один"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Вы отправили несколько комментариев за короткое время" in html
    assert "Ещё один" in html, "the refused text is kept in the form"
    assert Comment.objects.filter(article=site).count() == comment_services.RATE_LIMIT
    assert not Article.objects.filter(pk=site.pk, comment_count__gt=0).exists()


def test_every_cache_call_the_site_makes_is_a_miss_while_redis_is_down(own_redis):
    """What the code base calls (get, add, set, incr, delete_many, get_or_set, ...) never
    raises. django-redis lets `touch()` and a lock's `acquire()` raise even so: nothing
    here may use them (neither appears in articles, comments, rates or newsroom)."""
    cache.set("k", 1)
    own_redis.stop()
    assert cache.get("k") is None and cache.get("k", "default") == "default"
    assert not cache.add("k", 2)
    assert not cache.set("k", 2)
    assert cache.incr("k") is None, "the comment limit reads None as 'cannot count'"
    assert cache.get_many(["k", "l"]) == {}
    assert cache.get_or_set("k", "computed") == "computed"
    assert cache.get_or_set("k", lambda: "called") == "called"
    cache.set_many({"a": 1})
    cache.delete("k")
    cache.delete_many(["a", "b"])
    assert not cache.has_key("k")
    cache.clear()
