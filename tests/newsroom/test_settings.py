import os
import subprocess
import sys

import pytest
from django.conf import settings

MANAGE = str(settings.BASE_DIR / "manage.py")


def run_manage(*args, **env):
    # The test run's own relaxations (see pyproject's pytest env) must not leak in.
    relaxed = {"SECRET_KEY", "DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE"}
    relaxed |= {"CSRF_COOKIE_SECURE", "STATIC_MANIFEST"}
    clean = {k: v for k, v in os.environ.items() if k not in relaxed}
    # Nor the checkout's own .env: these runs stand for a bare production host.
    clean["NEWSROOM_ENV_FILE"] = os.devnull
    return subprocess.run(  # noqa: S603
        [sys.executable, MANAGE, *args],
        env={k: v for k, v in (clean | env).items() if v is not None},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_pass_the_deploy_check():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        ALLOWED_HOSTS="news.example.kg",
        DATABASE_URL="postgres://newsroom@db.example.kg:5432/newsroom",
        DEBUG="0",
    )
    assert result.returncode == 0, result.stderr + result.stdout


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
    "DATABASE_URL": "postgres://newsroom@db.example.kg:5432/newsroom",
    "ALLOWED_HOSTS": "news.example.kg",
}


@pytest.mark.parametrize("variable", ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_each_required_variable(variable):
    """One line naming the variable, no traceback: no silent SQLite or default host."""
    environment = {k: v for k, v in PRODUCTION.items() if k != variable}
    result = run_manage("check", **environment, **{variable: ""})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"newsroom: Set the {variable} environment variable")
    assert "Traceback" not in result.stderr


def test_development_needs_none_of_them():
    result = run_manage("check", DEBUG="1", SECRET_KEY=None, DATABASE_URL=None, ALLOWED_HOSTS=None)
    assert result.returncode == 0, result.stderr


def test_the_wsgi_entry_point_refuses_the_same_way():
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import newsroom.wsgi"],
        cwd=settings.BASE_DIR,
        env=clean | {"DEBUG": "0", "NEWSROOM_ENV_FILE": os.devnull},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "newsroom: Set the SECRET_KEY environment variable (a long random string), or DEBUG=1."
    ]


def test_forwarded_proto_is_trusted_only_behind_a_declared_proxy():
    code = "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"
    direct = run_manage("shell", "-c", code, **PRODUCTION, NEWSROOM_PROXY_COUNT="0")
    proxied = run_manage("shell", "-c", code, **PRODUCTION, NEWSROOM_PROXY_COUNT="1")
    assert direct.stdout.strip().splitlines()[-1] == "None", direct.stderr
    assert proxied.stdout.strip().splitlines()[-1] == "('HTTP_X_FORWARDED_PROTO', 'https')", (
        proxied.stderr
    )


def test_language_and_time_zone():
    assert settings.LANGUAGE_CODE == "ky"
    assert [code for code, _ in settings.LANGUAGES] == ["ky", "ru"]
    assert settings.TIME_ZONE == "Asia/Bishkek"
