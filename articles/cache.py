"""Cached fragments shared by every reader (rubric menu, most read).

Keys carry a content version that is bumped whenever a story or a rubric is
saved or deleted, so a fragment never outlives the content it shows.
"""

import time

from django.core.cache import cache
from django.utils import timezone

from newsroom.prepared import PreparedQuery

VERSION_KEY = "articles:content-version"
FRAGMENT_TIMEOUT = 60 * 60
# Most-read changes with every view, which does not bump the version.
MOST_READ_TIMEOUT = 5 * 60


def content_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = 1
        cache.add(VERSION_KEY, version, timeout=None)
    return version


def bump_content_version(**kwargs) -> None:
    """Signal receiver: every cached fragment built from stories becomes stale."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


def fragment_key(name: str, language: str) -> str:
    return f"articles:{name}:{language}:v{content_version()}"


def archive_tag(day) -> str:
    """The page-cache tag of one day's archive page."""
    return f"archive-{day.isoformat()}"


NO_SCHEDULED_STORY = 0.0
NEXT_SCHEDULED_KEY = "articles:next-scheduled"


def next_scheduled_publication() -> float | None:
    """When the next scheduled story goes live (a Unix time), or None; a story under
    embargo goes live when both its time and its embargo's end have come.

    Asked by every cacheable page. The editor's save that schedules, publishes or
    unpublishes a story works it out (`remember_next_scheduled`, articles.signals), so
    readers only read it; they look it up themselves when the cache lost it or the
    moment has passed.
    """
    moment = cache.get(NEXT_SCHEDULED_KEY)
    if moment is None or NO_SCHEDULED_STORY < moment <= time.time():
        moment = remember_next_scheduled()
    return moment or None


def _upcoming_publication(*, shape, now):
    from .models import Article

    # A story under embargo goes live when the embargo ends, if that is later: the
    # first `live_from` after now, read from the index of published stories' live_from
    # (one step into it, whatever the archive's size).
    return (
        Article.objects.filter(status=Article.Status.PUBLISHED)
        .with_live_from()
        .filter(live_from__gt=now)
        .order_by("live_from")
        .values_list("live_from", flat=True)[:1]
    )


# Compiled once per process (newsroom.prepared): every cacheable page asks for it when
# the cache has lost it.
upcoming_publication = PreparedQuery("articles.Article", _upcoming_publication)


def remember_next_scheduled(**kwargs) -> float:
    upcoming = upcoming_publication(now=timezone.now())
    upcoming = next(iter(upcoming), None)
    moment = upcoming.timestamp() if upcoming else NO_SCHEDULED_STORY
    # Bounded, so a story scheduled by a bulk write (no signal) is noticed within the hour.
    cache.set(NEXT_SCHEDULED_KEY, moment, FRAGMENT_TIMEOUT)
    return moment
