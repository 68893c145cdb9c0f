"""Cached fragments shared by every reader (rubric menu, most read).

Keys carry a content version that is bumped whenever a story or a rubric is
saved or deleted, so a fragment never outlives the content it shows.
"""

from django.core.cache import cache

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
