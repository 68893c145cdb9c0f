"""Read replicas: the public site reads from a streaming replica, everything else from the primary.

Which database a request reads from is decided once, before the view runs, by
`ReplicaMiddleware`, and held in a context variable that `ReplicaRouter` reads:

- a GET or HEAD by an anonymous reader (no session cookie, no pending message) of a
  public page reads from a healthy replica;
- the admin and every other path of `NEWSROOM_PRIMARY_ONLY_PATHS`, every POST (and
  other unsafe method), any request carrying a session cookie (editors read their own
  writes; looking at `request.user` would itself read the session), management
  commands and anything outside a request read from the primary;
- every write goes to the primary, always; and a read inside a transaction on the
  primary stays on the primary.

A replica is healthy when it answers, is in recovery (a standby), and lags at most
`REPLICA_MAX_LAG_SECONDS`. Its lag is measured against the primary: a replica that has
replayed the primary's flushed WAL position is current (an idle primary does not make
it "lag"); otherwise its lag is the age of the last transaction it replayed. The
verdict is kept in the process for `REPLICA_CHECK_SECONDS`.

The page caches (newsroom/pagecache.py, Varnish) must never keep a page rendered from
data older than a purge: `purge()` stamps the time of its last purge
(`pagecache.LAST_PURGE_KEY`), and a replica is used only when it is known to hold
everything committed before that purge (its "fresh as of" time is past the purge by
`pagecache.CLOCK_MARGIN`). For about a second after each purge readers are served from
the primary; the replica is checked again quickly (`RECHECK_AFTER_PURGE`) so they
return to it as soon as it has replayed the change.

A replica that fails in the middle of a request is marked down and the request is
answered again from the primary; the reader never sees the failure.
"""

import contextvars
import logging
import random
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers

# Once a minute at most while a replica is down (settings.LOGGING).
logger = logging.getLogger("newsroom.replicas")

# The alias this request reads from; None: the primary.
_read_alias: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "newsroom_read_alias", default=None
)

REPLICA_PREFIX = "replica_"
SAFE_METHODS = ("GET", "HEAD")
# After a purge the replica is asked again at most this often (seconds) until it has
# replayed past the purge.
RECHECK_AFTER_PURGE = 0.2
# A replica that failed is not asked again for this long (seconds).
DOWN_SECONDS = 10.0


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX)]


def current_read_alias() -> str:
    return _read_alias.get() or DEFAULT_DB_ALIAS


class ReplicaRouter:
    """DATABASE_ROUTERS entry: reads where the request decided, writes to the primary."""

    def db_for_read(self, model, **hints):
        alias = _read_alias.get()
        if alias is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return alias

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replicas hold the primary's very rows.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # Replicas get their schema by replication, never by migrate.
        return not db.startswith(REPLICA_PREFIX)


# --- Health ---------------------------------------------------------------------


@dataclass
class Verdict:
    state: str  # "ok", "lagging" or "error"
    lag: float | None  # seconds behind the primary when measured
    fresh_as_of: float  # Unix time before which everything committed is on the replica
    checked: float  # time.monotonic() of the check

    @property
    def healthy(self) -> bool:
        return self.state == "ok"


_verdicts: dict[str, Verdict] = {}
_lock = threading.Lock()


def max_lag() -> float:
    return settings.NEWSROOM_REPLICA_MAX_LAG_SECONDS


def _primary_flush_lsn() -> str | None:
    """The primary's flushed WAL position: every committed transaction is before it."""
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_flush_lsn()::text")
            return cursor.fetchone()[0]
    except Exception:  # the primary's own outage is reported elsewhere
        return None


def probe(alias: str) -> Verdict:
    """Ask the replica (and the primary for its position) how far behind it is."""
    started = time.time()
    primary_lsn = _primary_flush_lsn()
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(),"
                " CASE WHEN %s::pg_lsn IS NULL THEN false"
                " ELSE pg_last_wal_replay_lsn() >= %s::pg_lsn END,"
                " extract(epoch FROM pg_last_xact_replay_timestamp())::float8",
                [primary_lsn, primary_lsn],
            )
            in_recovery, caught_up, replayed_at = cursor.fetchone()
    except Exception as error:  # down, refusing, or dropped: skipped, never raised
        _close_quietly(alias)
        logger.warning(
            "Replica %s unavailable, reading from the primary: %s",
            alias,
            " ".join(str(error).split()) or type(error).__name__,
        )
        return Verdict("error", None, 0.0, time.monotonic())
    return judge(
        started=started, in_recovery=in_recovery, caught_up=caught_up, replayed_at=replayed_at
    )


def judge(*, started: float, in_recovery: bool, caught_up: bool, replayed_at) -> Verdict:
    """The verdict on what a replica answered to the probe started at `started`."""
    if not in_recovery:
        logger.warning("A replica is not a standby (promoted?); not used")
        return Verdict("error", None, 0.0, time.monotonic())
    if caught_up:  # it holds everything the primary had flushed when the probe began
        fresh_as_of, lag = started, 0.0
    else:  # it holds what was committed up to its last replayed transaction
        fresh_as_of = replayed_at if replayed_at is not None else 0.0
        lag = max(0.0, time.time() - fresh_as_of)
    state = "ok" if lag <= max_lag() else "lagging"
    return Verdict(state, lag, fresh_as_of, time.monotonic())


def verdict(alias: str, *, fresh_after: float = 0.0) -> Verdict:
    """The process's verdict on `alias`, asked anew when it is too old.

    `fresh_after`: the caller needs the replica to hold everything committed before
    this time; a healthy verdict that does not say so yet is checked again soon.
    """
    now = time.monotonic()
    known = _verdicts.get(alias)
    if known is not None:
        age = now - known.checked
        if known.state == "error" and age < DOWN_SECONDS:
            return known
        if known.state != "error" and age < settings.NEWSROOM_REPLICA_CHECK_SECONDS:
            # A healthy replica not yet known to hold the last purge is asked again
            # soon; a lagging one waits for the next regular check.
            if known.state == "lagging" or known.fresh_as_of > fresh_after:
                return known
            if age < RECHECK_AFTER_PURGE:
                return known
    found = probe(alias)
    with _lock:
        _verdicts[alias] = found
    return found


def mark_down(alias: str) -> None:
    with _lock:
        _verdicts[alias] = Verdict("error", None, 0.0, time.monotonic())


def forget_verdicts() -> None:
    with _lock:
        _verdicts.clear()


def _close_quietly(alias: str) -> None:
    try:
        connections[alias].close()
    except Exception:  # a connection that is already gone
        logger.debug("closing replica %s failed", alias, exc_info=True)


def health_report() -> dict[str, str]:
    """What /healthz shows: each replica's state ("ok", "lagging", "error")."""
    return {alias: verdict(alias).state for alias in replica_aliases()}


# --- Choosing per request --------------------------------------------------------


def may_read_from_replica(request) -> bool:
    from newsroom.pagecache import request_is_anonymous

    return (
        request.method in SAFE_METHODS
        and not request.path_info.startswith(settings.NEWSROOM_PRIMARY_ONLY_PATHS)
        and request_is_anonymous(request.headers.get("Cookie", ""))
    )


def last_purge() -> float:
    from newsroom.pagecache import LAST_PURGE_KEY, _cache

    try:
        return float(_cache().get(LAST_PURGE_KEY) or 0.0)
    except Exception:  # a cache outage: nothing is stored in it either
        return 0.0


def choose_replica() -> str | None:
    """A healthy replica that holds everything the last purge announced, or None."""
    aliases = replica_aliases()
    if not aliases:
        return None
    from newsroom.pagecache import CLOCK_MARGIN

    needed = last_purge() + CLOCK_MARGIN
    start = random.randrange(len(aliases))  # noqa: S311 (load spreading, not security)
    for alias in aliases[start:] + aliases[:start]:
        found = verdict(alias, fresh_after=needed)
        if found.healthy and found.fresh_as_of > needed:
            return alias
    return None


def replica_failed(alias: str) -> bool:
    """Whether the replica's connection (not the primary's) raised the error."""
    return connections[alias].errors_occurred


class ReplicaMiddleware:
    """Decide, before the view, which database this request reads from."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        alias = None
        if replica_aliases() and may_read_from_replica(request):
            alias = choose_replica()
        request.read_database = alias or DEFAULT_DB_ALIAS
        token = _read_alias.set(alias)
        try:
            response = self.get_response(request)
            if getattr(response, "retry_on_primary", False):
                # Answered again from the start of the inner middleware, on the primary.
                request.read_database = DEFAULT_DB_ALIAS
                _read_alias.set(None)
                response = self.get_response(request)
            return response
        finally:
            _read_alias.reset(token)

    def process_exception(self, request, exception):
        """A replica failing mid-request: mark it down and answer from the primary."""
        alias = _read_alias.get()
        if alias is None or not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        if not replica_failed(alias):
            return None  # the primary failed: the outage middleware answers
        logger.warning(
            "Replica %s failed during %s; answered from the primary", alias, request.path
        )
        mark_down(alias)
        _close_quietly(alias)
        # A placeholder, never sent: __call__ sees the mark and asks the primary.
        placeholder = HttpResponse(status=503)
        add_never_cache_headers(placeholder)
        placeholder.retry_on_primary = True
        return placeholder
