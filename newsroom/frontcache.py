"""Purging the caches in front of the application: Varnish, a CDN, or both.

The application names what a page shows with tags (newsroom.pagecache). Every cache in
front keeps each page with its tags, read from a response header of its own kind, and
drops every page carrying a tag when told to:

    Varnish (xkey)   `xkey: a b`            PURGE / with `xkey-purge: a b`
    Cloudflare       `Cache-Tag: a,b`       POST /zones/<zone>/purge_cache {"tags": [...]}
    Fastly           `Surrogate-Key: a b`   POST /service/<id>/purge {"surrogate_keys": [...]}

Another CDN is one more small class with `tag_header`, `tag_value()` and `purge()`.
`front_cache()` returns every cache the settings name, purged together. A failed purge
is logged and never fails the editor's save: the page's own lifetime (s-maxage) still
bounds how long a cache may serve it.
"""

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterator
from functools import cache
from typing import Protocol

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

logger = logging.getLogger(__name__)

PURGE_TIMEOUT = 2


class FrontCache(Protocol):
    # The response header this cache reads a page's tags from.
    tag_header: str

    def tag_value(self, tags: list[str]) -> str: ...

    def purge(self, tags: list[str]) -> None: ...


def _send(request: urllib.request.Request, what: str, tags: list[str]) -> None:
    try:
        with urllib.request.urlopen(request, timeout=PURGE_TIMEOUT):  # noqa: S310
            pass
    except (OSError, urllib.error.URLError):
        logger.warning(
            "front cache: %s purge of %s at %s failed",
            what,
            tags,
            request.full_url,
            exc_info=True,
        )


def _batches(tags: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(tags), size):
        yield tags[start : start + size]


class VarnishXkey:
    """Varnish with varnish-modules' xkey: `PURGE /` with `xkey-purge: tag tag ...`.

    deploy/varnish/newsroom.vcl accepts it from the application's addresses only.
    """

    tag_header = "xkey"

    def __init__(self, urls: list[str]):
        self.urls = urls

    def tag_value(self, tags: list[str]) -> str:
        return " ".join(tags)

    def purge(self, tags: list[str]) -> None:
        for url in self.urls:
            request = urllib.request.Request(  # noqa: S310 (an operator-set http URL)
                url, method="PURGE", headers={"xkey-purge": " ".join(tags)}
            )
            _send(request, "Varnish", tags)


class Cloudflare:
    """Cloudflare's purge by cache tag (every plan since 2025), with an API token
    allowed "Zone > Cache Purge" on the site's zone. Cloudflare reads the page's tags
    from `Cache-Tag` (comma-separated) and removes the header before readers see it.
    """

    tag_header = "Cache-Tag"
    # Cloudflare's limit of tags per purge request.
    BATCH = 100

    def __init__(self, *, api_url: str, zone_id: str, token: str):
        self.url = f"{api_url.rstrip('/')}/zones/{zone_id}/purge_cache"
        self.token = token

    def tag_value(self, tags: list[str]) -> str:
        return ",".join(tags)

    def purge(self, tags: list[str]) -> None:
        for batch in _batches(tags, self.BATCH):
            request = urllib.request.Request(  # noqa: S310 (an operator-set https URL)
                self.url,
                method="POST",
                data=json.dumps({"tags": batch}).encode(),
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Content-Type": "application/json",
                },
            )
            _send(request, "Cloudflare", batch)


class Fastly:
    """Fastly's batch purge by surrogate key, with an API token of scope purge_select.
    Fastly reads the page's tags from `Surrogate-Key` (space-separated) and removes the
    header before readers see it. A soft purge marks pages stale instead of dropping
    them, so Fastly may serve them while it fetches the new ones.
    """

    tag_header = "Surrogate-Key"
    # Fastly's limit of keys per batch purge.
    BATCH = 256

    def __init__(self, *, api_url: str, service_id: str, token: str, soft: bool = False):
        self.url = f"{api_url.rstrip('/')}/service/{service_id}/purge"
        self.token = token
        self.soft = soft

    def tag_value(self, tags: list[str]) -> str:
        return " ".join(tags)

    def purge(self, tags: list[str]) -> None:
        headers = {
            "Fastly-Key": self.token,
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        if self.soft:
            headers["Fastly-Soft-Purge"] = "1"
        for batch in _batches(tags, self.BATCH):
            request = urllib.request.Request(  # noqa: S310 (an operator-set https URL)
                self.url,
                method="POST",
                data=json.dumps({"surrogate_keys": batch}).encode(),
                headers=headers,
            )
            _send(request, "Fastly", batch)


class FrontCaches:
    """The caches in front, each told of every purge (none: nginx alone)."""

    def __init__(self, caches: list[FrontCache]):
        self.caches = caches

    def tag_headers(self, tags: list[str]) -> dict[str, str]:
        """The response headers naming `tags`, one for each kind of cache in front."""
        return {c.tag_header: c.tag_value(tags) for c in self.caches}

    def purge(self, tags: list[str]) -> None:
        for front in self.caches:
            try:
                front.purge(tags)
            except Exception:  # one cache's failure must not keep the others stale
                logger.exception("front cache: purge of %s by %r failed", tags, front)


def configured_caches() -> list[FrontCache]:
    caches: list[FrontCache] = []
    if settings.NEWSROOM_FRONT_CACHE_PURGE_URLS:
        caches.append(VarnishXkey(settings.NEWSROOM_FRONT_CACHE_PURGE_URLS))
    cdn = settings.NEWSROOM_CDN
    if cdn == "cloudflare":
        caches.append(
            Cloudflare(
                api_url=settings.CLOUDFLARE_API_URL,
                zone_id=settings.CLOUDFLARE_ZONE_ID,
                token=settings.CLOUDFLARE_API_TOKEN,
            )
        )
    elif cdn == "fastly":
        caches.append(
            Fastly(
                api_url=settings.FASTLY_API_URL,
                service_id=settings.FASTLY_SERVICE_ID,
                token=settings.FASTLY_API_TOKEN,
                soft=settings.FASTLY_SOFT_PURGE,
            )
        )
    return caches


@cache
def front_cache() -> FrontCaches:
    return FrontCaches(configured_caches())


@receiver(setting_changed)
def forget_front_caches(*, setting, **kwargs):
    """Tests change the settings; a running site never does."""
    if setting.startswith(("NEWSROOM_FRONT_CACHE", "NEWSROOM_CDN", "CLOUDFLARE_", "FASTLY_")):
        front_cache.cache_clear()
