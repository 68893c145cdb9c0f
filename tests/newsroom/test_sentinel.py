"""Redis with Sentinel: the primary dies, the sentinel promotes its replica, the site goes on.

A primary, a replica and a sentinel of the test's own are started (tests/own_services.py),
the site is configured as CACHE_SENTINELS says (newsroom.caching.sentinel_cache) and the
primary is killed. Pages are served and comments posted throughout; after the failover the
cache and the comment flood counter live on the promoted replica.
"""

import time

import pytest
import redis
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory
from django.utils import translation
from redis.sentinel import MasterNotFoundError

from comments import services as comment_services
from comments.models import Comment
from newsroom.caching import FailoverSentinel, resilient_cache, sentinel_cache
from newsroom.pagecache import PageCache
from tests.factories import make_article
from tests.html_forms import comment_form_as_sent
from tests.own_services import RedisSentinelGroup

pytestmark = pytest.mark.django_db

# A request while the sentinel has not yet promoted the replica is a cache miss, not a wait.
FAST_ENOUGH_SECONDS = 3


@pytest.fixture
def sentinel_group(tmp_path, settings):
    # django-redis keeps its pools per process by URL, so each group gets its own name.
    group = RedisSentinelGroup(tmp_path, service=f"newsroom{tmp_path.name[-12:]}".replace("-", ""))
    group.start()
    settings.CACHE_SENTINELS = [group.sentinel_address]
    settings.CACHES = {
        "default": resilient_cache(
            sentinel_cache(
                {
                    "BACKEND": "django_redis.cache.RedisCache",
                    "LOCATION": f"redis://{group.service}/0",
                },
                sentinels=settings.CACHE_SENTINELS,
            )
        )
    }
    yield group
    group.stop()


@pytest.fixture
def served_whole(settings):
    """An anonymous GET through the whole-page cache, as gunicorn calls the site:
    whether it was a cache hit."""
    settings.NEWSROOM_PAGE_CACHE = True
    application = PageCache(WSGIHandler())

    def get(path: str) -> bool:
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, dict(headers)

        # As Django's test client does: the test's transaction must outlive the request.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            b"".join(application(RequestFactory().get(path).environ, start_response))
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
            translation.deactivate()
        assert answer["status"].startswith("200"), answer["status"]
        return answer["headers"].get("X-Page-Cache") == "hit"

    return get


def rate_counters(port: int) -> dict[bytes, int]:
    server = redis.Redis(port=port)
    return {key: int(server.get(key)) for key in server.scan_iter(match="*comments:rate:*")}


def post_comment(client, story, text: str):
    with translation.override("ru"):
        page = client.get(story.get_absolute_url())
        assert page.status_code == 200
        action, fields = comment_form_as_sent(client, page.content.decode())
    return client.post(action, fields | {"name": "Айгүл", "text": text})


def test_the_site_serves_and_takes_comments_through_a_redis_failover(
    client, sentinel_group, monkeypatch, served_whole
):
    monkeypatch.setattr(comment_services, "MIN_FILL_SECONDS", 0)
    story = make_article(title_ky="Бүгүнкү башкы жаңылык", title_ru="Главная новость дня")

    response = post_comment(client, story, "Первый комментарий")
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(rate_counters(sentinel_group.primary.port).values()) == [1], (
        "the flood counter is kept on the primary the sentinel names"
    )
    assert redis.Redis(port=sentinel_group.primary.port).dbsize() > 1, "pages used the cache"
    sentinel_group.wait_until_replicated()
    assert redis.Redis(port=sentinel_group.primary.port).wait(1, 5000) == 1

    sentinel_group.kill_primary()
    # Before the sentinel has promoted the replica, readers are served without the cache.
    started = time.monotonic()
    with translation.override("ru"):
        response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    assert "Главная новость дня" in response.content.decode()
    assert time.monotonic() - started < FAST_ENOUGH_SECONDS

    sentinel_group.wait_for_failover()
    new_primary = redis.Redis(port=sentinel_group.replica.port)

    response = post_comment(client, story, "Второй комментарий")
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Comment.objects.filter(article=story).count() == 2
    assert list(rate_counters(sentinel_group.replica.port).values()) == [2], (
        "the window's count went on from the replicated one, on the promoted replica"
    )
    with translation.override("ru"):
        path = story.get_absolute_url()
    assert not served_whole(path)
    assert served_whole(path), "the whole page is kept again, on the promoted replica"
    assert list(new_primary.scan_iter(match="*pagecache:page:*"))
    cache.set("written-after-failover", "yes")
    assert new_primary.exists(cache.make_key("written-after-failover"))
    assert cache.get("written-after-failover") == "yes"

    with translation.override("ru"):
        for n in range(3, comment_services.RATE_LIMIT + 1):
            assert post_comment(client, story, f"Комментарий {n}").status_code == 302
        refused = post_comment(client, story, "Лишний комментарий")
    assert refused.status_code == 429
    assert "Вы отправили несколько комментариев за короткое время" in refused.content.decode()
    assert list(rate_counters(sentinel_group.replica.port).values()) == [
        comment_services.RATE_LIMIT + 1
    ]


def test_sentinel_settings_are_checked_when_the_site_starts():
    redis_url = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://mymaster/1"}
    assert sentinel_cache(redis_url, sentinels=[]) == redis_url
    with pytest.raises(ImproperlyConfigured, match="is not host:port"):
        sentinel_cache(redis_url, sentinels=["10.0.0.5"])
    with pytest.raises(ImproperlyConfigured, match="rediscache://mymaster/1"):
        sentinel_cache(
            {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            sentinels=["10.0.0.5:26379"],
        )
    options = sentinel_cache(redis_url, sentinels=["10.0.0.5:26379", "10.0.0.6:26379"])["OPTIONS"]
    assert options["SENTINELS"] == [("10.0.0.5", 26379), ("10.0.0.6", 26379)]


class SentinelNode:
    """What one sentinel answers about the service "newsroom", without a server."""

    def __init__(self, *, primary, down, names=None, reachable=True):
        self.state = {
            "ip": primary[0],
            "port": primary[1],
            "is_master": True,
            "is_sdown": down,
            "is_odown": down,
            "num-other-sentinels": 2,
        }
        self.names = names or primary
        self.reachable = reachable
        self.asked_for_address = False

    def sentinel_masters(self):
        if not self.reachable:
            raise redis.ConnectionError("sentinel unreachable")
        return {"newsroom": self.state}

    def execute_command(self, *args):
        assert args == ("SENTINEL GET-MASTER-ADDR-BY-NAME", "newsroom")
        self.asked_for_address = True
        return (self.names[0].encode(), str(self.names[1]).encode())


def sentinel_of(*nodes) -> FailoverSentinel:
    sentinel = FailoverSentinel([("127.0.0.1", 1)])
    sentinel.sentinels = list(nodes)
    return sentinel


def test_the_primary_is_found_as_soon_as_the_sentinels_have_promoted_a_replica():
    """While the sentinel moves the other replicas over, SENTINEL MASTERS still shows
    the dead primary, down; the promoted replica is already named and takes writes."""
    dead, promoted = ("10.0.0.21", 6379), ("10.0.0.22", 6379)
    healthy = SentinelNode(primary=dead, down=False)
    assert sentinel_of(healthy).discover_master("newsroom") == dead
    assert not healthy.asked_for_address, "an up primary costs no second question"

    failing_over = SentinelNode(primary=dead, down=True, names=promoted)
    unreachable = SentinelNode(primary=dead, down=True, reachable=False)
    assert sentinel_of(unreachable, failing_over).discover_master("newsroom") == promoted

    # Before a replica is promoted the sentinels name the dead primary: no master yet,
    # answered at once, without connecting to it.
    before_promotion = SentinelNode(primary=dead, down=True)
    with pytest.raises(MasterNotFoundError):
        sentinel_of(before_promotion).discover_master("newsroom")
