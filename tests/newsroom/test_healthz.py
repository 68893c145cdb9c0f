"""/healthz: what a load balancer and an operator read."""

import json
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from tests.deploy.stack import ROOT, free_port, production_environment, wait_for


@pytest.mark.django_db
def test_healthy_site_answers_200_with_database_cache_and_version(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "version": "0.1.0"}
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


@pytest.mark.django_db
def test_a_dead_cache_is_reported_but_the_site_is_still_healthy(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["cache"] == "error"
    assert response.json()["database"] == "ok"


def test_unreachable_database_is_a_503_through_gunicorn(tmp_path):
    """The real server, with a DATABASE_URL that points at a port nobody listens on."""
    port = free_port()
    env = production_environment(
        DEBUG="0",
        SECRET_KEY="healthz-test-secret-key-0123456789-0123456789-abcdefgh",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/nowhere",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="1",
        HOST="127.0.0.1",
        PORT=str(port),
        WEB_CONCURRENCY="1",
        STATIC_MANIFEST="0",
    )
    log = tmp_path / "gunicorn.log"
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"]
    with open(log, "wb") as out:
        server = subprocess.Popen(  # noqa: S603
            [*gunicorn, "newsroom.wsgi:application"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", process=server, log=log, expect=503)
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10)  # noqa: S310
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert answer.value.code == 503
    assert answer.value.headers["Content-Type"] == "application/json"
    assert json.loads(answer.value.read())["database"] == "error"
