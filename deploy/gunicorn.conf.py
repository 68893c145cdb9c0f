"""gunicorn settings for Newsroom; every value can be overridden from the environment.

    gunicorn -c deploy/gunicorn.conf.py newsroom.wsgi:application

`make serve` runs exactly that (docs/deployment.md). Sync workers: the pages are
rendered from PostgreSQL and Redis in a few milliseconds, and a slow client is
nginx's problem, not a worker's (nginx buffers requests and responses).
"""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# The usual 2 x cores + 1; WEB_CONCURRENCY is the name hosting platforms set.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle workers now and then so a slow leak in any library never grows unbounded.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# The application is imported once in the master and forked: workers start fast and
# share memory. Safe because nothing opens a database or cache connection at import
# time, and post_fork below drops any that a start-up hook might have opened.
preload_app = True

# nginx writes the access log (deploy/nginx/newsroom.conf: one JSON line per request,
# with its X-Request-ID), cache hits included; a second line per request here would
# cost a sixth of a cached page's time. GUNICORN_ACCESS_LOG=on writes one JSON line per
# request on stdout too (gunicorn with no nginx in front, say).
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "off") == "on" else None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
logger_class = "newsroom.logs.JsonLogger"
# gunicorn 24+ opens a control socket in the user's home; several servers on one host
# would fight over it, and nothing here uses it (signals do: HUP reloads, TERM stops).
control_socket_disable = True

# Only nginx on this host may tell gunicorn the original scheme (X-Forwarded-Proto);
# Django believes it only when NEWSROOM_PROXY_COUNT says a proxy is in front.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Request line and header limits stay at gunicorn's defaults (4094 bytes, 100 fields):
# anything larger is answered 400 before Django sees it.


def post_fork(server, worker):
    from django.db import connections

    connections.close_all()
