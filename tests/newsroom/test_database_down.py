"""PostgreSQL down: the real server answers a static 503 page in the reader's language.

The site runs in gunicorn, as in production, on a PostgreSQL cluster of the test's own.
The cluster is stopped under the running site and started again: the readers get a clear
page meanwhile (no traceback in any log), and the site recovers without a restart.
"""

import http.client
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.db.models import QuerySet

from tests.factories import make_article
from tests.own_services import PostgresServer, free_port, wait_for_port

BASE_DIR = Path(settings.BASE_DIR)
UNAVAILABLE = {"ky": "Сайт убактылуу иштебей турат", "ru": "Сайт временно недоступен"}

MAKE_STORY = """
from tests.factories import make_article
story = make_article(title_ky="Кыргызча башкы кабар", title_ru="Главная новость по-русски")
print(story.slug_ky, story.slug_ru)
"""


def get(port: int, path: str):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        connection.request("GET", quote(path, safe="/?=&"))
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def live_site(tmp_path_factory):
    """gunicorn serving the site on its own PostgreSQL; yields (port, slugs, db, log)."""
    database = PostgresServer()
    workdir = tmp_path_factory.mktemp("site")
    log = workdir / "gunicorn.log"
    server = None
    try:
        database.start()
        database.create_database()
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "PYTEST_"))
        } | {
            "DATABASE_URL": database.url,
            # No cache: every page needs the database, so every page shows the outage.
            "CACHE_URL": "dummycache://",
            "SECRET_KEY": "tests-only-not-a-secret",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "STATIC_MANIFEST": "0",
            "MEDIA_ROOT": str(workdir / "media"),
            "LOG_LEVEL": "WARNING",
        }

        def manage(*args: str) -> str:
            return subprocess.run(  # noqa: S603 (our own manage.py)
                [sys.executable, "manage.py", *args],
                cwd=BASE_DIR,
                env=env,
                check=True,
                capture_output=True,
                text=True,
                timeout=300,
            ).stdout

        manage("migrate", "--noinput")
        slugs = dict(zip(("ky", "ru"), manage("shell", "-c", MAKE_STORY).split()[-2:], strict=True))
        port = free_port()
        with log.open("w") as output:
            server = subprocess.Popen(  # noqa: S603 (gunicorn from our own environment)
                [sys.executable, "-m", "gunicorn", "newsroom.wsgi:application"]
                + ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "60"],
                cwd=BASE_DIR,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        wait_for_port(port, timeout=60)
        yield port, slugs, database, log, env
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        database.remove()


def test_readers_get_a_localized_503_while_the_database_is_down_and_the_site_recovers(
    live_site,
):
    port, slugs, database, log, _env = live_site
    pages = {
        "ky": [
            "/ky/",
            f"/ky/news/{slugs['ky']}/",
            "/ky/rates/",
            "/ky/search/?q=кабар",
            "/ky/no-such/",
        ],
        "ru": [
            "/ru/",
            f"/ru/news/{slugs['ru']}/",
            "/ru/rates/",
            "/ru/search/?q=новость",
            "/ru/no-such/",
        ],
    }
    status, _headers, body = get(port, f"/ru/news/{slugs['ru']}/")
    assert status == 200 and "Главная новость по-русски" in body

    database.stop()
    try:
        for language, paths in pages.items():
            for path in paths:
                started = time.monotonic()
                status, headers, body = get(port, path)
                assert status == 503, (path, body[:500])
                assert headers["Retry-After"] == "30", path
                assert f'<html lang="{language}">' in body
                assert UNAVAILABLE[language] in body, path
                other = UNAVAILABLE["ru" if language == "ky" else "ky"]
                assert other not in body
                assert time.monotonic() - started < 5, f"{path}: a dead database costs seconds"
    finally:
        database.start()

    for _attempt in range(50):
        status, _headers, body = get(port, "/ky/")
        if status == 200:
            break
        time.sleep(0.2)
    assert status == 200 and "Кыргызча башкы кабар" in body, "recovered without a restart"
    assert get(port, f"/ru/news/{slugs['ru']}/")[0] == 200

    output = log.read_text()
    assert "Traceback" not in output, output
    assert "Database unavailable, answered 503" in output
    reports = [line for line in output.splitlines() if "Database unavailable" in line]
    # Once a minute per worker process, whatever the number of requests.
    assert 1 <= len(reports) <= 2, reports


def _unreachable(*args, **kwargs):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')


def _query_unreachable(execute, sql, params, many, context):
    _unreachable()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ky", "ru"])
def test_in_process_a_database_error_in_a_view_is_the_503_page(client, language):
    """The same rule without a server: a view, and the 404 page's menu (handler500).

    Every query fails as it reaches the database, whether the page built it just now or
    runs one compiled earlier in the process (newsroom.prepared)."""
    client.raise_request_exception = False  # as a real server: the 404 page fails in handler500
    with connection.execute_wrapper(_query_unreachable):
        for path in (f"/{language}/", f"/{language}/no-such/"):
            response = client.get(path)
            assert response.status_code == 503, path
            assert response["Retry-After"] == "30"
            assert UNAVAILABLE[language] in response.content.decode()


def test_pages_in_the_page_cache_are_still_served_while_the_database_is_down(live_site, tmp_path):
    """The whole-page cache answers before Django, so it needs no database."""
    _port, slugs, database, _log, env = live_site
    port = free_port()
    cached_env = env | {"CACHE_URL": "locmemcache://outage", "PAGE_CACHE": "1"}
    with (tmp_path / "gunicorn.log").open("w") as output:
        server = subprocess.Popen(  # noqa: S603 (gunicorn from our own environment)
            [sys.executable, "-m", "gunicorn", "newsroom.wsgi:application"]
            + ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "60"],
            cwd=BASE_DIR,
            env=cached_env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, timeout=60)
        story = f"/ky/news/{slugs['ky']}/"
        assert get(port, story)[0] == 200
        assert get(port, story)[1].get("X-Page-Cache") == "hit"
        database.stop()
        try:
            status, headers, body = get(port, story)
            assert status == 200 and headers.get("X-Page-Cache") == "hit"
            assert "Кыргызча башкы кабар" in body
            # A page nobody has asked for yet needs the database: the 503 page.
            assert get(port, "/ky/rates/")[0] == 503
        finally:
            database.start()
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.django_db
def test_a_read_reported_while_the_database_is_down_is_a_clean_503(client, monkeypatch, settings):
    """Without Redis a read is written at once; with the database gone that is the 503."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    story = make_article()
    monkeypatch.setattr(QuerySet, "update", _unreachable)
    client.raise_request_exception = False
    response = client.post(f"/ky/read/{story.pk}/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    monkeypatch.undo()
    story.refresh_from_db()
    assert story.view_count == 0
