"""Counting readers off the page: each read is buffered in Redis and written in batches.

A story page writes nothing while it renders (so it can be cached whole, and readers of
a hot story do not queue on one row's lock). The page's script reports a read; the
count goes into a Redis hash, and at most every FLUSH_SECONDS one request writes all
buffered counts to PostgreSQL in a single UPDATE. Without Redis (the development
cache) or while Redis is down, the read is written at once: nothing is lost.
"""

import logging
import uuid

from django.core.cache import cache
from django.db.models import Case, F, IntegerField, Value, When

from .models import Article

logger = logging.getLogger(__name__)

BUFFER = "articles:reads:buffer"
FLUSHING = "articles:reads:flushing"
FLUSH_LOCK = "articles:reads:flush-lock"
FLUSH_SECONDS = 10
# A buffer this large is written out at once, whatever the clock says.
MAX_BUFFERED_STORIES = 5000
LARGEST_ID = 2**63 - 1


def _redis():
    """The raw Redis client behind the default cache, or None for other backends."""
    try:
        from django_redis import get_redis_connection

        return get_redis_connection("default")
    except (ImportError, NotImplementedError):
        return None


def _write(counts: dict[int, int]) -> None:
    if not counts:
        return
    Article.objects.filter(pk__in=counts).update(
        view_count=F("view_count")
        + Case(
            *(When(pk=pk, then=Value(n)) for pk, n in counts.items()),
            default=Value(0),
            output_field=IntegerField(),
        )
    )


def record_read(*, article_id: int) -> None:
    if not 0 < article_id <= LARGEST_ID:
        return
    client = _redis()
    if client is None:
        _write({article_id: 1})
        return
    try:
        client.hincrby(cache.make_key(BUFFER), str(article_id), 1)
        due = client.set(cache.make_key(FLUSH_LOCK), 1, nx=True, ex=FLUSH_SECONDS)
        if due or client.hlen(cache.make_key(BUFFER)) > MAX_BUFFERED_STORIES:
            flush_reads()
    except Exception:  # Redis down: count straight into the database
        logger.warning("read buffer unavailable; writing the read directly", exc_info=True)
        _write({article_id: 1})


def flush_reads() -> int:
    """Write the buffered reads to the database; returns how many stories were updated."""
    client = _redis()
    if client is None:
        return 0
    # A key of this flush's own: a concurrent flush never renames onto it.
    buffer, flushing = cache.make_key(BUFFER), cache.make_key(f"{FLUSHING}:{uuid.uuid4().hex}")
    try:
        client.rename(buffer, flushing)
    except Exception:  # nothing buffered (RENAME of a missing key), or Redis down
        return 0
    raw = client.hgetall(flushing)
    counts = {int(pk): int(n) for pk, n in raw.items()}
    try:
        _write(counts)
    except Exception:
        # Put the counts back for the next flush rather than lose them.
        for pk, n in counts.items():
            client.hincrby(buffer, str(pk), n)
        raise
    finally:
        client.delete(flushing)
    return len(counts)
