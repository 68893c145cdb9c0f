"""The whole-page cache: anonymous readers' pages kept whole, purged by tag, never stale.

How a page gets cached
    A public view names what its page shows with `add_tags(request, ...)` ("story-12",
    "rubric-list-3", "rates", ...). For an anonymous GET that sets no cookie,
    `PageCacheHeadersMiddleware` turns those tags into the `xkey` header (the tag header
    Varnish's xkey module reads, and the wrapper below), one more for a CDN in front
    (`Cache-Tag`, `Surrogate-Key`: newsroom.frontcache) and a `Cache-Control` for shared
    caches. The WSGI
    wrapper `PageCache` around the application stores such responses in the cache and
    serves them on the next request, before Django is even entered; a front cache
    (Varnish, deploy/varnish/) does the same one step further out.

How a page stops being cached
    `purge(tags)` (run after the transaction commits) stamps each tag with the time of
    the purge. A stored page is served only while every tag it carries was last purged
    before the page started to render, so a page rendered from old data can never be
    stored as new. The same tags are sent to the caches in front (`front_cache()`).

    Nothing is cached past the next scheduled publication: a page's lifetime ends when
    the next scheduled story goes live, so that story is on every cached page within
    moments of its time, with no job to run.

This worker's own copies (`LocalPages`)
    On Redis, each worker also keeps the few pages it served last, for at most a second,
    and answers them without the round trip to Redis: under a breaking-news spike that
    round trip was most of a hit's time. A purge is announced on a Redis channel the
    workers listen to, and a worker reads what has arrived there before it answers from
    a copy, so a purged page is never served from one.

A cache that is down is a miss: the page is rendered, nothing is stored, nothing fails.
"""

import hashlib
import logging
import os
import pickle
import time
import weakref
from collections import OrderedDict
from collections.abc import Iterable
from functools import wraps
from http.cookies import SimpleCookie

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.utils.cache import patch_cache_control
from redis.exceptions import NoScriptError

from newsroom.frontcache import front_cache

logger = logging.getLogger(__name__)

TAG_HEADER = "xkey"
PAGE_PREFIX = "pagecache:page:"
# A tag's purge stamp: the time of its last purge, in integer milliseconds (stored as
# plain digits, so that the lookup script in Redis can compare them).
TAG_PREFIX = "pagecache:purged-ms:"
# The time of the last purge of any tag, in seconds: a read replica serves pages only
# once it holds everything committed before it (newsroom/routers.py).
LAST_PURGE_KEY = "pagecache:last-purge"
# Clocks of two application servers may differ a little: a page whose rendering started
# within this margin after a purge of one of its tags is not trusted.
CLOCK_MARGIN = 1.0
CLOCK_MARGIN_MS = int(CLOCK_MARGIN * 1000)


def now_ms() -> int:
    return int(time.time() * 1000)


# Headers that belong to one response, never to a stored page.
PER_RESPONSE_HEADERS = {"set-cookie", "date", "x-request-id", "age"}


def request_id(environ) -> str:
    """The front server's request id when it sent a well-formed one, else a new one."""
    given = environ.get("HTTP_X_REQUEST_ID", "")
    if len(given) == 32 and all(c in "0123456789abcdef" for c in given):
        return given
    return os.urandom(16).hex()


def page_ttl() -> int:
    return settings.NEWSROOM_PAGE_CACHE_SECONDS


def add_tags(request, *tags: str) -> None:
    """Say that the page answering `request` shows what `tags` name."""
    if request is None:
        return
    if not hasattr(request, "cache_tags"):
        request.cache_tags = set()
    request.cache_tags.update(tag for tag in tags if tag)


def tagged(*tags: str):
    """Decorate a view whose page shows what `tags` name (sitemaps, robots.txt)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            add_tags(request, *tags)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def story_tags(stories: Iterable) -> list[str]:
    return [f"story-{story.pk}" for story in stories if story is not None]


def _cache():
    return caches[settings.NEWSROOM_PAGE_CACHE_ALIAS]


# A stored page in Redis is one line, "<render start in ms> <tag> <tag> ...", then the
# pickled page. The lookup script reads it and its tags' purge stamps and answers the
# pickled page only when every tag was last purged (CLOCK_MARGIN_MS) before the render
# began: the whole work of a cache hit, in one round trip, with one short answer.
LOOKUP_SCRIPT = """
local page = redis.call('GET', KEYS[1])
if not page then return false end
local newline = string.find(page, '\\n', 1, true)
if not newline then return false end
local started = nil
local keys = {}
for word in string.gmatch(string.sub(page, 1, newline - 1), '%S+') do
    if started == nil then started = tonumber(word) else keys[#keys + 1] = ARGV[1] .. word end
end
if started == nil then return false end
if #keys > 0 then
    local margin = tonumber(ARGV[2])
    local stamps = redis.call('MGET', unpack(keys))
    for i = 1, #keys do
        local stamp = tonumber(stamps[i])
        if stamp == nil or stamp + margin >= started then return false end
    end
end
return string.sub(page, newline + 1)
"""
# Stores a page: each of its tags gets a first stamp (0: never purged) unless it has one,
# then the page, with its lifetime. ARGV: the page's value, its seconds, the tag prefix,
# then the tags.
STORE_SCRIPT = """
for i = 4, #ARGV do redis.call('SET', ARGV[3] .. ARGV[i], '0', 'NX') end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
"""
# The channel purges are announced on (after the cache's key prefix): LocalPages.
PURGE_CHANNEL = "pagecache:purges"


class RedisPages:
    """The page cache's own use of Redis, when the cache is django-redis with its usual
    key layout: the lookup and store scripts, and for lookups one connection held per
    worker process (and thread), so that a hit pays for nothing but its round trip."""

    def __init__(self, cache):
        # The cache's keys are a prefix and the key (checked in of()); no reference to
        # the cache object is kept, so that it can be forgotten with its thread.
        self.key_prefix = str(cache.make_key(""))
        self.client = cache.client.get_client(write=True)
        self.tag_prefix = self.key_prefix + TAG_PREFIX
        self.lookup_script = self.client.register_script(LOOKUP_SCRIPT)
        self.store_script = self.client.register_script(STORE_SCRIPT)
        self.connection, self.pid = None, None
        self.local = LocalPages(self.client, self.key_prefix + PURGE_CHANNEL)

    @classmethod
    def of(cls, cache) -> "RedisPages | None":
        """The page cache's use of `cache`, or None when it is not django-redis with
        its usual key layout. One per cache object: Django makes one per thread, so a
        held connection is never shared between threads."""
        try:
            return _redis_pages[cache]
        except KeyError:
            pass
        if getattr(getattr(cache, "client", None), "get_client", None) is None:
            pages = None
        elif str(cache.make_key(TAG_PREFIX + "x")) != str(cache.make_key("")) + TAG_PREFIX + "x":
            pages = None
        else:
            pages = cls(cache)
        _redis_pages[cache] = pages
        return pages

    def page(self, key: str) -> dict | None:
        """The stored page at `key` if it is still good: this worker's copy when it has
        one, else the one in Redis (then kept as a copy)."""
        page = self.local.get(key)
        if page is not None:
            return page
        # Listening before the lookup: a purge after it cannot go unheard.
        listening = self.local.listen()
        raw = self.lookup(key)
        if raw is None:
            return None
        page = pickle.loads(raw)  # noqa: S301 (written by this module only)
        if listening:
            self.local.keep(key, page)
        return page

    def announce(self, tags: list[str]) -> None:
        """Tell every worker's LocalPages that pages showing `tags` are gone."""
        self.client.publish(self.local.channel, " ".join(tags))

    def lookup(self, key: str) -> bytes | None:
        """The stored page's pickle if it is still good (LOOKUP_SCRIPT), else None."""
        if self.connection is None or self.pid != os.getpid():
            connection = self.client.connection_pool.make_connection()
            # As the pool does: connect() is where a sentinel is asked for the primary.
            connection.connect()
            self.connection, self.pid = connection, os.getpid()
        connection = self.connection
        args = (1, self.key_prefix + key, self.tag_prefix, CLOCK_MARGIN_MS)
        try:
            connection.send_command("EVALSHA", self.lookup_script.sha, *args)
            return connection.read_response()
        except NoScriptError:  # Redis restarted since: the client loads the script again
            return self.lookup_script(keys=args[1:2], args=args[2:], client=self.client)
        except BaseException:
            connection.disconnect()
            self.connection = None
            raise

    def store(self, key: str, value: bytes, seconds: int, tags: list[str]) -> None:
        self.store_script(
            keys=[self.key_prefix + key],
            args=[value, seconds, self.tag_prefix, *tags],
            client=self.client,
        )


class LocalPages:
    """This worker's copies of the pages it answered last from Redis, so that the next
    requests for them skip the round trip (NEWSROOM_PAGE_CACHE_LOCAL_PAGES pages, each
    for at most NEWSROOM_PAGE_CACHE_LOCAL_SECONDS; 0 turns them off).

    Never stale: every purge is announced on a Redis channel (`RedisPages.announce`),
    which this worker subscribes to before it keeps any copy. Redis has written the
    announcement to the subscribers' sockets before the purging request goes on, so
    before answering from a copy the worker reads what has arrived (a look at its own
    socket, no round trip) and forgets the copies showing a purged tag. A subscription
    that fails takes every copy with it, and none is kept until it is back.
    """

    def __init__(self, client, channel: str):
        self.client, self.channel = client, channel
        self.pages: OrderedDict[str, tuple[float, dict]] = OrderedDict()
        self.connection, self.pid = None, None
        self.retry_at, self.failing = 0.0, False

    @staticmethod
    def limits() -> tuple[int, float]:
        return (
            settings.NEWSROOM_PAGE_CACHE_LOCAL_PAGES,
            settings.NEWSROOM_PAGE_CACHE_LOCAL_SECONDS,
        )

    def get(self, key: str) -> dict | None:
        if key not in self.pages or not self.heard_every_purge():
            return None
        entry = self.pages.get(key)
        if entry is None:  # forgotten just now
            return None
        until, page = entry
        if until <= time.monotonic() or page["expires"] <= time.time():
            del self.pages[key]
            return None
        self.pages.move_to_end(key)
        return page

    def keep(self, key: str, page: dict) -> None:
        count, seconds = self.limits()
        if count <= 0 or seconds <= 0:
            return
        self.pages[key] = (time.monotonic() + seconds, page)
        self.pages.move_to_end(key)
        while len(self.pages) > count:
            self.pages.popitem(last=False)

    def listen(self) -> bool:
        """Subscribed to the purges, subscribing if need be: whether copies may be kept."""
        count, seconds = self.limits()
        if count <= 0 or seconds <= 0:
            return False
        if self.connection is not None and self.pid == os.getpid():
            # Read what has arrived, so that announcements never pile up unread.
            return self.heard_every_purge()
        # After a fork the parent's subscription is not this process's to read.
        self.connection, self.pages = None, OrderedDict()
        if time.monotonic() < self.retry_at:
            return False
        connection = self.client.connection_pool.make_connection()
        try:
            connection.connect()
            connection.send_command("SUBSCRIBE", self.channel)
            # The server's confirmation (on RESP3, a push message like the purges).
            reply = connection.read_response(push_request=True)
            if not (isinstance(reply, list) and reply[:1] == [b"subscribe"]):
                raise ConnectionError(f"unexpected answer to SUBSCRIBE: {reply!r}")
        except Exception:
            connection.disconnect()
            # Not on every request while Redis is away: the lookup already waits for it.
            self.retry_at = time.monotonic() + 1.0
            if not self.failing:  # logged once per outage, not once a second
                logger.warning("page cache: no subscription to purges", exc_info=True)
            self.failing = True
            return False
        self.connection, self.pid, self.failing = connection, os.getpid(), False
        return True

    def heard_every_purge(self) -> bool:
        """Forget the copies purged since the last look; False (and nothing kept) when
        the subscription is broken or belongs to another process."""
        connection = self.connection
        if connection is None or self.pid != os.getpid():
            self.pages.clear()
            return False
        try:
            while connection.can_read(timeout=0):
                message = connection.read_response(push_request=True)
                if isinstance(message, list) and message[:1] == [b"message"]:
                    self.forget(set(message[2].decode().split()))
        except Exception:
            connection.disconnect()
            self.connection = None
            self.pages.clear()
            logger.warning("page cache: the subscription to purges broke", exc_info=True)
            return False
        return True

    def forget(self, tags: set[str]) -> None:
        for key in [key for key, (_, page) in self.pages.items() if tags & set(page["tags"])]:
            del self.pages[key]


# Forgotten with their cache object (a thread's, or one replaced by a settings change).
_redis_pages: "weakref.WeakKeyDictionary[object, RedisPages | None]" = weakref.WeakKeyDictionary()


def forget_local_copies() -> None:
    """This process's copies of pages go (LocalPages): for whoever empties the cache
    itself, as the tests do between tests; other workers' copies last a second at most."""
    for pages in list(_redis_pages.values()):
        if pages is not None:
            pages.local.pages.clear()


def purge(tags: Iterable[str]) -> None:
    """Every page showing one of `tags` is fetched anew, here and in the front cache.

    Called inside a transaction, the purge waits for the commit: a page rendered
    between the purge and the commit would show the old data under a fresh stamp.
    """
    tags = sorted(set(tags))
    if tags:
        transaction.on_commit(lambda: _purge_now(tags))


def _purge_now(tags: list[str]) -> None:
    stamp = now_ms()
    cache = _cache()
    try:
        stamps = {TAG_PREFIX + tag: stamp for tag in tags} | {LAST_PURGE_KEY: stamp / 1000}
        cache.set_many(stamps, timeout=None)
    except Exception:  # a cache outage loses nothing: pages stored there are gone too
        logger.warning("page cache: purge of %s not stored", tags, exc_info=True)
    # After the stamps, before the front cache: a page the front cache fetches again
    # once purged is never answered from a worker's copy.
    redis_pages = RedisPages.of(cache)
    if redis_pages is not None:
        try:
            redis_pages.announce(tags)
        except Exception:
            # Unheard, the workers' copies still go within their lifetime: the front
            # cache is purged once they have, or it could fetch one back and keep it.
            logger.warning("page cache: purge of %s not announced", tags, exc_info=True)
            count, seconds = LocalPages.limits()
            if count > 0:
                time.sleep(max(seconds, 0))
    front_cache().purge(tags)


def next_scheduled_publication() -> float | None:
    """When the next scheduled story goes live (a Unix time), if one is waiting."""
    from articles.cache import next_scheduled_publication

    return next_scheduled_publication()


def shared_cache_seconds() -> int:
    """How long a shared cache may keep a page rendered now."""
    seconds = page_ttl()
    upcoming = next_scheduled_publication()
    if upcoming is not None:
        seconds = min(seconds, max(0, int(upcoming - time.time())))
    return seconds


def request_is_anonymous(cookie_header: str) -> bool:
    """No session and no pending message: the page is the same for every reader."""
    if not cookie_header:
        return True
    try:
        cookies = SimpleCookie(cookie_header)
    except Exception:  # a cookie header we cannot parse is a reader of its own
        return False
    personal = {settings.SESSION_COOKIE_NAME, "messages"}
    return not personal.intersection(cookies.keys())


class PageCacheHeadersMiddleware:
    """Mark anonymous, cookie-free public pages as cacheable, with their tags.

    Everything else (the admin, previews, logged-in readers, POSTs, pages setting a
    cookie, errors) gets no tag header, so no cache keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        tags = getattr(request, "cache_tags", None)
        if (
            tags
            and request.method in ("GET", "HEAD")
            and response.status_code == 200
            and not response.cookies
            and not response.has_header("Cache-Control")
            and request_is_anonymous(request.headers.get("Cookie", ""))
        ):
            seconds = shared_cache_seconds()
            if seconds > 0:
                tags = sorted(tags)
                response[TAG_HEADER] = " ".join(tags)
                for header, value in front_cache().tag_headers(tags).items():
                    response[header] = value
                # Browsers check back every time (a 304 when nothing changed); shared
                # caches keep the page until a purge, and may serve it a little longer
                # while they fetch the new one.
                patch_cache_control(
                    response,
                    public=True,
                    max_age=0,
                    s_maxage=seconds,
                    stale_while_revalidate=settings.NEWSROOM_STALE_WHILE_REVALIDATE,
                )
        return response


class PageCache:
    """WSGI wrapper serving stored pages without entering Django.

    The key is the host and the full path; the language is part of every public path.
    """

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if not self.may_serve(environ):
            return self.application(environ, start_response)
        key = self.key(environ)
        stored = self.lookup(key)
        if stored is not None:
            return self.replay(stored, environ, start_response)
        return self.render_and_store(key, environ, start_response)

    @staticmethod
    def may_serve(environ) -> bool:
        return (
            settings.NEWSROOM_PAGE_CACHE
            and environ.get("REQUEST_METHOD") in ("GET", "HEAD")
            and not environ.get("PATH_INFO", "").startswith(settings.NEWSROOM_PAGE_CACHE_SKIP)
            and request_is_anonymous(environ.get("HTTP_COOKIE", ""))
        )

    @staticmethod
    def key(environ) -> str:
        raw = "|".join(
            (
                environ.get("HTTP_HOST", ""),
                environ.get("PATH_INFO", ""),
                environ.get("QUERY_STRING", ""),
            )
        )
        return PAGE_PREFIX + hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()

    def lookup(self, key: str):
        try:
            page = self.fetch(key)
        except Exception:
            logger.warning("page cache: lookup failed", exc_info=True)
            return None
        if page is None or page["expires"] <= time.time():
            return None
        return page

    def fetch(self, key: str):
        """The page stored under `key` if every one of its tags was last purged before
        its render began, else None.

        On Redis one round trip does it (the lookup script); any other cache backend
        takes two.
        """
        cache = _cache()
        redis_pages = RedisPages.of(cache)
        if redis_pages is not None:
            return redis_pages.page(key)
        raw = cache.get(key)
        if raw is None:
            return None
        page = pickle.loads(raw)  # noqa: S301 (written by this module only)
        stamps = cache.get_many([TAG_PREFIX + tag for tag in page["tags"]])
        for tag in page["tags"]:
            stamp = stamps.get(TAG_PREFIX + tag)
            if stamp is None or stamp + CLOCK_MARGIN_MS >= page["started_ms"]:
                return None
        return page

    def replay(self, page, environ, start_response):
        headers = list(page["headers"])
        headers.append(("X-Request-ID", request_id(environ)))
        age = int(time.time() - page["stored"])
        headers.append(("Age", str(max(age, 0))))
        headers.append(("X-Page-Cache", "hit"))
        etag = next((v for k, v in page["headers"] if k.lower() == "etag"), None)
        if etag and etag in (environ.get("HTTP_IF_NONE_MATCH") or ""):
            kept = {"etag", "cache-control", "vary", "content-language", TAG_HEADER}
            kept |= {header.lower() for header in front_cache().tag_headers([])}
            start_response("304 Not Modified", [(k, v) for k, v in headers if k.lower() in kept])
            return [b""]
        start_response(page["status"], headers)
        if environ.get("REQUEST_METHOD") == "HEAD":
            return [b""]
        return [page["body"]]

    def render_and_store(self, key, environ, start_response):
        started = now_ms()
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.application(environ, capture)
        headers = captured.get("headers") or []
        tags = next((v for k, v in headers if k.lower() == TAG_HEADER), "")
        if not tags or not captured.get("status", "").startswith("200"):
            return result
        if environ.get("REQUEST_METHOD") == "HEAD":
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        self.store(key, started, captured["status"], headers, tags.split(), body)
        return [body]

    def store(self, key, started, status, headers, tags, body) -> None:
        seconds = self.shared_seconds(headers)
        if seconds <= 0:
            return
        now = time.time()
        page = {
            "status": status,
            "headers": [(k, v) for k, v in headers if k.lower() not in PER_RESPONSE_HEADERS],
            "body": body,
            "tags": tags,
            "started_ms": started,
            "stored": now,
            "expires": now + seconds,
        }
        try:
            cache = _cache()
            raw = pickle.dumps(page, protocol=pickle.HIGHEST_PROTOCOL)
            redis_pages = RedisPages.of(cache)
            if redis_pages is not None:
                # The render start and tags first, on a line of their own, for the script.
                value = " ".join([str(started), *tags]).encode() + b"\n" + raw
                redis_pages.store(key, value, seconds, tags)
            else:
                # A tag never purged yet gets its first stamp now, older than this page.
                for tag in tags:
                    cache.add(TAG_PREFIX + tag, 0, timeout=None)
                cache.set(key, raw, seconds)
        except Exception:
            logger.warning("page cache: store failed", exc_info=True)

    @staticmethod
    def shared_seconds(headers) -> int:
        control = next((v for k, v in headers if k.lower() == "cache-control"), "")
        for part in control.split(","):
            name, _, value = part.strip().partition("=")
            if name == "s-maxage" and value.isdigit():
                return int(value)
        return 0
