"""Purging the cache in front of the application (Varnish here; a CDN is one adapter).

The application names what a page shows with tags (newsroom.pagecache); the front
cache keeps each page with its tags (Varnish's xkey module reads the `xkey` header)
and drops every page carrying a tag when told to. `front_cache()` returns the adapter
the settings ask for; a failed purge is logged and never fails the editor's save (the
page's own lifetime, s-maxage, still bounds how long it can be served).
"""

import logging
import urllib.error
import urllib.request
from functools import cache
from typing import Protocol

from django.conf import settings

logger = logging.getLogger(__name__)

PURGE_TIMEOUT = 2


class FrontCache(Protocol):
    def purge(self, tags: list[str]) -> None: ...


class NoFrontCache:
    """Nothing in front of the application (nginx alone): nothing to purge."""

    def purge(self, tags: list[str]) -> None:
        return None


class VarnishXkey:
    """Varnish with varnish-modules' xkey: `PURGE /` with `xkey-purge: tag tag ...`.

    deploy/varnish/newsroom.vcl accepts it from the application's addresses only.
    """

    def __init__(self, urls: list[str]):
        self.urls = urls

    def purge(self, tags: list[str]) -> None:
        for url in self.urls:
            request = urllib.request.Request(  # noqa: S310 (an operator-set http URL)
                url, method="PURGE", headers={"xkey-purge": " ".join(tags)}
            )
            try:
                with urllib.request.urlopen(request, timeout=PURGE_TIMEOUT):  # noqa: S310
                    pass
            except (OSError, urllib.error.URLError):
                logger.warning("front cache: purge of %s at %s failed", tags, url, exc_info=True)


@cache
def front_cache() -> FrontCache:
    urls = settings.NEWSROOM_FRONT_CACHE_PURGE_URLS
    if not urls:
        return NoFrontCache()
    return VarnishXkey(urls)
