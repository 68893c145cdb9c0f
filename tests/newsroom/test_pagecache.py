"""The whole-page cache: what it keeps, when it lets go, and that it never serves stale.

Requests go through the WSGI application with the page cache in front, as gunicorn
calls it; purges run when the transaction commits, as in production.
"""

import os
import re
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from articles import readership
from comments import services as comment_services
from comments.models import Comment
from tests.factories import make_article, make_rubric, make_user

pytestmark = pytest.mark.django_db


def test_a_public_page_is_served_from_the_cache_the_second_time(reader, django_assert_num_queries):
    story = make_article()
    first = reader.get("/ky/")
    assert first["status"] == 200 and not first["hit"]
    assert story.title_ky in first["body"]
    with django_assert_num_queries(0):
        second = reader.get("/ky/")
    assert second["hit"]
    assert second["body"] == first["body"]
    assert second["headers"]["x-request-id"] != first["headers"]["x-request-id"]
    assert "set-cookie" not in second["headers"]


def test_cacheable_pages_say_so_to_shared_caches_with_their_tags(client):
    rubric = make_rubric(name_ky="Саясат", name_ru="Политика")
    story = make_article(rubric=rubric)
    response = client.get(f"/ky/news/{story.slug_ky}/")
    control = response["Cache-Control"]
    assert "public" in control and "max-age=0" in control
    assert re.search(r"s-maxage=\d+", control) and "stale-while-revalidate=30" in control
    tags = response["xkey"].split()
    assert {f"story-{story.pk}", f"rubric-{rubric.pk}", "rates", "menu"} <= set(tags)
    assert response.has_header("ETag")


@pytest.mark.parametrize(
    "path", ["/admin/login/", "/ky/comments/tokens/", "/healthz", "/ky/news/no-such-story/"]
)
def test_pages_that_are_not_public_content_are_never_stored(reader, path):
    reader.get(path)
    assert not reader.get(path)["hit"]


def test_logged_in_readers_and_pending_messages_bypass_the_cache(client, reader):
    make_article()
    reader.get("/ky/")
    assert reader.get("/ky/")["hit"]
    client.force_login(make_user(role="Editor"))
    session = client.cookies["sessionid"].value
    assert not reader.get("/ky/", HTTP_COOKIE=f"sessionid={session}")["hit"]
    assert not reader.get("/ky/", HTTP_COOKIE="messages=abc")["hit"]
    assert reader.get("/ky/", HTTP_COOKIE="django_language=ky")["hit"]


def test_publishing_a_story_purges_the_pages_that_list_it(reader, publish):
    politics, sport = make_rubric(name_ky="Саясат"), make_rubric(name_ky="Спорт")
    make_article(rubric=politics)
    make_article(rubric=sport)
    for path in ("/ky/", f"/ky/rubric/{politics.slug_ky}/", f"/ky/rubric/{sport.slug_ky}/"):
        reader.get(path)
        assert reader.get(path)["hit"], path

    fresh = publish(lambda: make_article(rubric=politics, title_ky="Жаңы кабар"))
    home = reader.get("/ky/")
    assert not home["hit"] and "Жаңы кабар" in home["body"]
    assert "Жаңы кабар" in reader.get(f"/ky/rubric/{politics.slug_ky}/")["body"]
    # Exactly those pages: the other rubric's page is still served from the cache.
    assert reader.get(f"/ky/rubric/{sport.slug_ky}/")["hit"]
    assert reader.get(f"/ky/news/{fresh.slug_ky}/")["status"] == 200


def test_editing_a_live_story_purges_every_page_showing_it(reader, publish):
    story = make_article(title_ky="Эски аталыш")
    story_path = f"/ky/news/{story.slug_ky}/"
    for path in ("/ky/", story_path):
        reader.get(path)
        assert reader.get(path)["hit"]

    def edit():
        story.title_ky = "Жаңы аталыш"
        story.save()

    publish(edit)
    assert "Жаңы аталыш" in reader.get("/ky/")["body"]
    assert "Жаңы аталыш" in reader.get(story_path)["body"]


def test_unpublishing_takes_the_story_off_the_cached_pages(reader, publish):
    story = make_article(title_ky="Жарыялангыс")
    reader.get("/ky/")
    reader.get(f"/ky/news/{story.slug_ky}/")

    def unpublish():
        story.status = story.Status.UNPUBLISHED
        story.save()

    publish(unpublish)
    assert "Жарыялангыс" not in reader.get("/ky/")["body"]
    assert reader.get(f"/ky/news/{story.slug_ky}/")["status"] == 404


def test_a_draft_saved_purges_nothing(reader, publish):
    story = make_article()
    reader.get("/ky/")
    publish(lambda: make_article(rubric=story.rubric, status="draft", published_at=None))
    assert reader.get("/ky/")["hit"]


def test_approving_a_comment_purges_its_story_page(reader, publish):
    story = make_article()
    path = f"/ky/news/{story.slug_ky}/"
    comment = Comment.objects.create(
        article=story, name="Окурман", text="Макул пикир.", language="ky"
    )
    reader.get(path)
    assert reader.get(path)["hit"]
    moderator = make_user(role="Moderator")
    publish(lambda: comment_services.comment_approve(comment=comment, user=moderator))
    page = reader.get(path)
    assert not page["hit"] and "Макул пикир." in page["body"]


def test_new_rates_purge_every_page(reader, publish):
    from tests.rates.factories import make_currency, make_rate

    make_article()
    reader.get("/ky/")
    currency = make_currency("USD")
    publish(lambda: make_rate(currency, timezone.localdate(), "87.45"))
    assert not reader.get("/ky/")["hit"]


def test_a_scheduled_story_appears_at_its_time_without_any_purge(reader, time_machine):
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    make_article(title_ky="Мурунку")
    make_article(title_ky="Кийинки", published_at=start + timedelta(minutes=5))
    home = reader.get("/ky/")
    assert "Кийинки" not in home["body"]
    assert reader.get("/ky/")["hit"]
    time_machine.move_to(start + timedelta(minutes=5, seconds=1), tick=False)
    home = reader.get("/ky/")
    assert not home["hit"] and "Кийинки" in home["body"]


def test_conditional_get_answers_304_from_the_cache(reader):
    make_article()
    first = reader.get("/ky/")
    etag = first["headers"]["etag"]
    again = reader.get("/ky/", HTTP_IF_NONE_MATCH=etag)
    assert again["status"] == 304 and again["body"] == ""


def test_a_purge_stamped_after_a_render_began_makes_that_page_untrusted(reader, time_machine):
    """The render may have read the data from before the change: it is never served."""
    from newsroom import pagecache

    time_machine.move_to(timezone.now(), tick=False)
    story = make_article()
    reader.get("/ky/")  # rendered and stored at this very moment
    pagecache._purge_now([f"story-{story.pk}"])  # the purge lands at the same moment
    assert not reader.get("/ky/")["hit"]
    time_machine.shift(timedelta(seconds=5))
    reader.get("/ky/")  # a render begun well after the purge is stored and served
    assert reader.get("/ky/")["hit"]


def test_with_the_cache_down_pages_are_rendered_and_nothing_fails(reader, settings):
    from tests.deploy.stack import free_port

    make_article(title_ky="Кэшсиз")
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "IGNORE_EXCEPTIONS": True},
        }
    }
    page = reader.get("/ky/")
    assert page["status"] == 200 and "Кэшсиз" in page["body"]
    assert not reader.get("/ky/")["hit"]


def test_reads_counted_on_a_cached_story_page(client, reader):
    story = make_article()
    path = f"/ky/news/{story.slug_ky}/"
    reader.get(path)
    page = reader.get(path)
    assert page["hit"]
    read_url = re.search(r'data-read-url="([^"]+)"', page["body"]).group(1)
    client.post(read_url)
    client.post(read_url)
    readership.flush_reads()
    story.refresh_from_db()
    assert story.view_count == 2


def test_the_editors_save_works_out_when_the_next_story_goes_live(client, publish):
    """Readers only read it: no reader pays the query after a scheduling save."""
    from django.core.cache import cache

    from articles.cache import NEXT_SCHEDULED_KEY

    make_article()
    upcoming = timezone.now() + timedelta(minutes=30)
    publish(lambda: make_article(published_at=upcoming))
    assert cache.get(NEXT_SCHEDULED_KEY) == pytest.approx(upcoming.timestamp())
    control = client.get("/ky/")["Cache-Control"]
    seconds = int(re.search(r"s-maxage=(\d+)", control).group(1))
    assert 0 < seconds <= 30 * 60


def test_a_restarted_redis_is_a_miss_then_the_pages_are_stored_and_hit_again(
    reader, settings, tmp_path, publish
):
    """A hit reads through one connection held per worker: when Redis restarts, that
    connection and the loaded lookup script are gone, and neither may cost a page."""
    from newsroom.caching import resilient_cache
    from tests.own_services import RedisServer

    server = RedisServer(tmp_path)
    server.start()
    settings.CACHES = {
        "default": resilient_cache(
            {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": server.url}
        )
    }
    try:
        story = make_article(title_ky="Кайра башталган кэш")
        reader.get("/ky/")
        assert reader.get("/ky/")["hit"]

        server.stop()
        down = reader.get("/ky/")
        assert down["status"] == 200 and not down["hit"] and "Кайра башталган кэш" in down["body"]

        server.start()  # empty: no pages, no stamps, no scripts
        reader.get("/ky/")
        again = reader.get("/ky/")
        assert again["hit"] and "Кайра башталган кэш" in again["body"]

        def unpublish():
            story.status = story.Status.UNPUBLISHED
            story.save()

        publish(unpublish)  # and purges reach the restarted Redis
        assert "Кайра башталган кэш" not in reader.get("/ky/")["body"]
    finally:
        server.stop()


def lookups(server) -> int:
    """How many page lookups (the lookup script) Redis has answered."""
    return server.admin.info("commandstats").get("cmdstat_evalsha", {}).get("calls", 0)


def test_a_hot_page_is_answered_from_the_workers_copy_for_a_second(reader, own_redis, settings):
    """Under a spike the worker asks Redis once, not on every request."""
    settings.NEWSROOM_PAGE_CACHE_LOCAL_SECONDS = 0.5
    make_article(title_ky="Шашылыш")
    reader.get("/ky/")  # rendered and stored
    first = reader.get("/ky/")  # from Redis, and kept
    before = lookups(own_redis)
    pages = [reader.get("/ky/") for _ in range(50)]
    assert lookups(own_redis) == before
    assert all(page["hit"] and page["body"] == first["body"] for page in pages)
    assert len({page["headers"]["x-request-id"] for page in pages}) == 50

    time.sleep(0.6)  # the copy has had its time: Redis is asked again
    assert reader.get("/ky/")["hit"]
    assert lookups(own_redis) == before + 1


def test_a_purge_from_another_worker_reaches_this_workers_copy_at_once(reader, own_redis, settings):
    """The purge comes from another process (an editor's request on another worker):
    the very next request here is rendered anew."""
    story = make_article(title_ky="Эски аталыш")
    path = f"/ky/news/{story.slug_ky}/"
    reader.get(path)
    assert reader.get(path)["hit"] and reader.get(path)["hit"]  # the copy is in use

    story.title_ky = "Жаңы аталыш"
    story.save(update_fields=["title_ky"])  # no purge in this process...
    subprocess.run(  # noqa: S603 ...the other worker's, through Redis alone
        [sys.executable, "manage.py", "shell", "-c", OTHER_WORKER_PURGE % story.pk],
        env=os.environ | {"CACHE_URL": own_redis.url.replace("redis://", "rediscache://")},
        cwd=settings.BASE_DIR,
        check=True,
        timeout=60,
    )
    page = reader.get(path)
    assert not page["hit"]
    assert "Жаңы аталыш" in page["body"] and "Эски аталыш" not in page["body"]


# Another worker's purge, in a process of its own.
OTHER_WORKER_PURGE = "from newsroom.pagecache import _purge_now; _purge_now(['story-%d'])"


def test_a_lost_subscription_takes_the_copies_with_it(reader, own_redis):
    """A purge the worker could not hear (its subscription dropped) never leaves it a
    stale copy: it reads Redis again, which knows about the purge."""
    story = make_article(title_ky="Биринчи")
    path = f"/ky/news/{story.slug_ky}/"
    reader.get(path)
    assert reader.get(path)["hit"]
    own_redis.admin.client_kill_filter(_type="pubsub")
    story.title_ky = "Экинчи"
    story.save(update_fields=["title_ky"])
    # The purge's stamp only: no subscriber was there to hear an announcement.
    own_redis.admin.set(f":1:pagecache:purged-ms:story-{story.pk}", int(time.time() * 1000))
    page = reader.get(path)
    assert not page["hit"] and "Экинчи" in page["body"]
    # And it listens again, so that copies may be kept again.
    assert own_redis.admin.pubsub_numsub(":1:pagecache:purges") == [(b":1:pagecache:purges", 1)]


def test_an_unannounced_purge_reaches_the_front_cache_only_once_the_copies_are_gone(
    own_redis, settings, monkeypatch
):
    """Were the front cache purged while a worker still had its copy, it could fetch the
    old page back and keep it: when the announcement fails, the front cache waits."""
    from newsroom import pagecache

    settings.NEWSROOM_PAGE_CACHE_LOCAL_SECONDS = 0.3
    purged_at = []

    class Front:
        def purge(self, tags):
            purged_at.append(time.monotonic())

    monkeypatch.setattr(pagecache, "front_cache", Front)
    own_redis.admin.acl_setuser(  # the application's user may no longer announce
        "default", enabled=True, nopass=True, categories=["+@all"], commands=["-publish"]
    )
    start = time.monotonic()
    pagecache._purge_now(["story-1"])
    assert purged_at and purged_at[0] - start >= 0.3
    assert own_redis.admin.get(":1:pagecache:purged-ms:story-1")  # the stamp is there
