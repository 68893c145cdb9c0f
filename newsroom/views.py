"""Project-level endpoints that belong to no app: the health check."""

import logging
import time
from importlib.metadata import PackageNotFoundError, version

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

try:
    VERSION = version("newsroom") or "unknown"
except PackageNotFoundError:  # a checkout run without `pip install -e .`
    VERSION = "unknown"


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any failure to reach the database is the answer, not a 500
        logger.warning("healthz: database unreachable", exc_info=True)
        return False


def _cache_ok() -> bool:
    key = "healthz:probe"
    token = str(time.monotonic_ns())
    try:
        cache.set(key, token, timeout=10)
        return cache.get(key) == token
    except Exception:  # a cache outage is reported, never raised
        logger.warning("healthz: cache unreachable", exc_info=True)
        return False


@never_cache
@require_safe
def healthz(request):
    """200 while the site can serve pages (the database answers), 503 when it cannot.

    The cache is reported but does not fail the check: the site serves without it.
    No session, no authentication, never cached: load balancers poll this.
    """
    database = _database_ok()
    body = {
        "database": "ok" if database else "error",
        "cache": "ok" if _cache_ok() else "error",
        "version": VERSION,
    }
    return JsonResponse(body, status=200 if database else 503)
