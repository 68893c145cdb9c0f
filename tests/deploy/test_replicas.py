"""Read replicas for real: a primary and a streaming replica of their own, gunicorn in front.

The primary is made with `initdb`, the replica with `pg_basebackup -R` from it, both on
free ports; the site runs as in production (deploy/serve.sh: gunicorn, DEBUG off, the
page cache on) with DATABASE_URL on the primary and DATABASE_REPLICA_URLS on the
replica. Where a read went is proven from each server's own statistics
(pg_stat_user_tables), not from anything the site says about itself.

Needs PostgreSQL 15's server binaries (skipped without them, saying why; CI has them).
"""

import html
import json
import os
import secrets
import shutil
import tempfile
import time
import urllib.parse
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest

from tests.articles.admin_client import page_form
from tests.html_forms import rendered_form
from tests.own_services import POSTGRES_BIN, PostgresServer, free_port

from . import stack as stack_module

pytestmark = pytest.mark.postgres

EDITOR_PASSWORD = stack_module.DEMO_PASSWORD


class StandbyServer(PostgresServer):
    """A streaming replica of `primary`, cloned with `pg_basebackup -R`."""

    def __init__(self, primary: PostgresServer):
        self.as_user = primary.as_user
        self.root = Path(tempfile.mkdtemp(prefix="newsroom-pg-replica-"))
        if self.as_user:
            owner = os.stat(primary.root)
            os.chown(self.root, owner.st_uid, owner.st_gid)
        self.data = self.root / "data"
        self.port = free_port()
        self._run(
            [str(POSTGRES_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port)]
            + ["-U", "postgres", "-D", str(self.data), "-R", "-X", "stream", "-c", "fast"],
            timeout=300,
        )


def query(url: str, sql: str, params=()):
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as connection:
        return connection.execute(sql, params).fetchone()


ARTICLE_SCANS = (
    "SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables"
    " WHERE relname = 'articles_article'"
)


def article_scans(url: str) -> int:
    """How often this server has read the stories table (its own statistics)."""
    return query(url, ARTICLE_SCANS)[0]


def wait_until(condition, *, seconds: float = 15, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.2)


def replica_caught_up(primary_url: str, replica_url: str) -> bool:
    position = query(primary_url, "SELECT pg_current_wal_flush_lsn()::text")[0]
    return query(replica_url, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (position,))[0]


@pytest.fixture(scope="module")
def site():
    """Primary, replica, and the site on gunicorn reading from them."""
    primary = PostgresServer()
    replica = None
    process = None
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-replicas-"))
    try:
        primary.start()
        primary.create_database()
        replica = StandbyServer(primary)
        replica.start()
        primary_url = primary.url
        replica_url = f"postgres://postgres@127.0.0.1:{replica.port}/newsroom"
        app_port = free_port()
        env = stack_module.production_environment(
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            DATABASE_URL=primary_url,
            DATABASE_REPLICA_URLS=replica_url,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            STATIC_ROOT=str(workdir / "static"),
            MEDIA_ROOT=str(workdir / "media"),
            SECURE_SSL_REDIRECT="0",
            SESSION_COOKIE_SECURE="0",
            CSRF_COOKIE_SECURE="0",
            NEWSROOM_DEMO_PASSWORD=EDITOR_PASSWORD,
            HOST="127.0.0.1",
            PORT=str(app_port),
            # One worker and its own in-process cache: the page cache is on, as in
            # production, and nothing is shared with other test runs.
            WEB_CONCURRENCY="1",
            CACHE_URL="locmemcache://replicas",
            PAGE_CACHE="1",
            # A verdict outlives the replica's stop: the next request finds it gone
            # in the middle of its work (a purge still has it asked again at once).
            REPLICA_CHECK_SECONDS="120",
            # A paused replica stays within this lag for the whole test: only the purge
            # rule keeps readers from its old rows (the lag limit is tested on its own).
            REPLICA_MAX_LAG_SECONDS="600",
            # Nothing in front of gunicorn here: it writes the access log itself.
            GUNICORN_ACCESS_LOG="on",
        )
        python = stack_module.python()
        stack_module.run([python, "manage.py", "migrate", "--noinput", "-v0"], env)
        stack_module.run([python, "manage.py", "load_demo"], env)
        wait_until(
            lambda: replica_caught_up(primary_url, replica_url),
            what="the replica replays the demo",
        )
        log = workdir / "serve.log"
        serve = [str(stack_module.ROOT / "deploy" / "serve.sh")]
        process = stack_module.background(serve, log, env)
        stack_module.wait_for(f"http://127.0.0.1:{app_port}/healthz", process=process, log=log)
        yield {
            "url": f"http://127.0.0.1:{app_port}",
            "primary": primary,
            "replica": replica,
            "primary_url": primary_url,
            "replica_url": replica_url,
            "log": log,
        }
    finally:
        if process is not None:
            try:
                os.killpg(process.pid, 15)
                process.wait(timeout=30)
            except ProcessLookupError:
                pass
        for server in (replica, primary):
            if server is not None:
                server.remove()
        shutil.rmtree(workdir, ignore_errors=True)


def get(site, path, opener=None):
    stack = stack_module.Stack.gunicorn_only(site["url"], site["log"])
    return stack.get(path, opener=opener)


def test_gunicorn_with_nothing_in_front_writes_a_json_access_line_per_request(site):
    marker = f"log-{time.time_ns()}"
    response = get(site, f"/ru/rates/?{marker}")
    assert response.status == 200
    request_id = response.header("x-request-id")
    stack = stack_module.Stack.gunicorn_only(site["url"], site["log"])

    def written():
        return [line for line in stack.access_lines() if line.get("logger") == "gunicorn.access"]

    wait_until(lambda: any(x["request_id"] == request_id for x in written()), what="logged")
    lines = [line for line in written() if line["request_id"] == request_id]
    assert len(lines) == 1, lines
    line = lines[0]
    assert (line["method"], line["path"], line["query"], line["status"]) == (
        "GET",
        "/ru/rates/",
        marker,
        200,
    )
    assert line["bytes"] == len(response.body) and line["remote_addr"] == "127.0.0.1"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] < 5000


def test_public_pages_are_read_from_the_replica(site):
    primary_before = article_scans(site["primary_url"])
    replica_before = article_scans(site["replica_url"])
    marker = time.time_ns()  # new addresses: rendered, not served from the page cache
    for path in ("/ky/", "/ru/", "/ky/archive/2000/01/01/", "/ru/rss/"):
        response = get(site, f"{path}?r={marker}")
        assert response.status in (200, 404), (path, response.status)
    assert get(site, f"/ky/?again={marker}").status == 200

    wait_until(
        lambda: article_scans(site["replica_url"]) > replica_before,
        what="the replica's statistics show the stories read there",
    )
    time.sleep(1)  # the primary's statistics would have arrived by now too
    assert article_scans(site["primary_url"]) == primary_before, "a public read hit the primary"

    health = json.loads(get(site, "/healthz").body)
    assert health["database"] == "ok"
    assert health["replicas"] == {"replica_0": "ok"}


def story_title(url: str, pk: int) -> str:
    return query(url, "SELECT title_ky FROM articles_article WHERE id = %s", (pk,))[0]


def log_in_as_editor(site):
    stack = stack_module.Stack.gunicorn_only(site["url"], site["log"])
    editor = stack.client()
    login = stack.get("/admin/login/", opener=editor)
    action, fields = rendered_form(login.text, "login-form")
    fields |= {"username": "editor", "password": EDITOR_PASSWORD}
    answer = stack.request(
        "POST",
        "/admin/login/?next=/admin/",
        data=urllib.parse.urlencode(fields, doseq=True).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        opener=editor,
    )
    assert answer.status == 302, answer.text[:2000]
    return stack, editor


def test_an_editors_save_goes_to_the_primary_and_is_public_once_the_replica_has_it(site):
    primary_url, replica_url = site["primary_url"], site["replica_url"]
    pk, slug, title = query(
        primary_url,
        "SELECT id, slug, title_ky FROM articles_article"
        " WHERE status = 'published' AND has_ky AND published_at <= now()"
        " ORDER BY published_at DESC LIMIT 1",
    )
    title = html.escape(title)  # as the page shows it
    public = f"/ky/news/{slug}/"
    assert title in get(site, public).text
    assert title in get(site, public).text  # now in the page cache, read from the replica

    # The replica stops replaying: whatever the editor saves now is only on the primary.
    query(replica_url, "SELECT pg_wal_replay_pause()")
    try:
        stack, editor = log_in_as_editor(site)
        form_page = stack.get(f"/admin/articles/article/{pk}/change/", opener=editor)
        assert form_page.status == 200, form_page.status
        new_title = f"Реплика сынагы {time.time_ns()}"
        as_rendered = SimpleNamespace(
            status_code=200, content=form_page.body, wsgi_request=SimpleNamespace(path="")
        )
        _action, fields = page_form(as_rendered, "article_form", title_ky=new_title)
        saved = stack.request(
            "POST",
            f"/admin/articles/article/{pk}/change/",
            data=urllib.parse.urlencode(fields, doseq=True).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            opener=editor,
        )
        assert saved.status == 302, saved.text[:3000]
        assert story_title(primary_url, pk) == new_title
        assert story_title(replica_url, pk) == html.unescape(title), "replay is paused"
        # The editor reads their own write (their session reads from the primary).
        assert new_title in stack.get(f"/admin/articles/article/{pk}/change/", opener=editor).text

        # Readers are not shown the replica's old story, nor a page cached from it:
        # after the purge they read from the primary until the replica has the change.
        primary_before = article_scans(primary_url)
        for _ in range(3):
            page = get(site, public)
            assert page.status == 200
            assert new_title in page.text and title not in page.text
        wait_until(
            lambda: article_scans(primary_url) > primary_before,
            what="readers were answered from the primary while the replica lags",
        )
    finally:
        query(replica_url, "SELECT pg_wal_replay_resume()")

    wait_until(lambda: replica_caught_up(primary_url, replica_url), what="the replica catches up")
    replica_before = article_scans(replica_url)
    time.sleep(1.5)  # past the purge's clock margin
    for number in range(3):
        page = get(site, f"{public}?after={number}")
        assert page.status == 200
        assert new_title in page.text
    wait_until(
        lambda: article_scans(replica_url) > replica_before,
        what="readers are back on the replica once it has the change",
    )
    assert new_title in get(site, public).text


def test_a_stopped_replica_leaves_the_site_serving_from_the_primary(site):
    site["replica"].stop()
    primary_before = article_scans(site["primary_url"])
    marker = time.time_ns()
    for number, path in enumerate(("/ky/", "/ru/", "/ky/rss/", "/ru/", "/ky/")):
        response = get(site, f"{path}?down={marker}-{number}")
        assert response.status == 200, (path, response.status, response.text[:500])
    wait_until(
        lambda: article_scans(site["primary_url"]) > primary_before,
        what="the pages were read from the primary",
    )
    health = get(site, "/healthz")
    assert health.status == 200
    assert json.loads(health.body)["replicas"] == {"replica_0": "error"}
    log = site["log"].read_text()
    assert "Replica replica_0 failed during /ky/; answered from the primary" in log
    errors = [line for line in log.splitlines() if '"status": 500' in line]
    assert not errors, errors
