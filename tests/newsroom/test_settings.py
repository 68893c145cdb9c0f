import os
import subprocess
import sys

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
        env=clean | env,
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
        DEBUG="0",
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_missing_secret_key_in_production_fails_loudly():
    result = run_manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_language_and_time_zone():
    assert settings.LANGUAGE_CODE == "ky"
    assert [code for code, _ in settings.LANGUAGES] == ["ky", "ru"]
    assert settings.TIME_ZONE == "Asia/Bishkek"
