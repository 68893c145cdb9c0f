"""`make serve` refuses a database that is behind the code, and says what to do."""

import os
import secrets
import subprocess

import pytest

from . import stack

pytestmark = pytest.mark.postgres


def test_serve_refuses_an_unmigrated_database_with_one_line():
    admin_url = stack.postgres_admin_url()
    name = f"newsroom_serve_{os.getpid()}_{secrets.token_hex(3)}"
    database_url = stack.create_database(admin_url, name)
    try:
        env = stack.production_environment(
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            DATABASE_URL=database_url,
            ALLOWED_HOSTS="127.0.0.1",
            PORT=str(stack.free_port()),
        )
        result = subprocess.run(  # noqa: S603
            [str(stack.ROOT / "deploy" / "serve.sh")],
            cwd=stack.ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
    finally:
        stack.drop_database(admin_url, name)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("newsroom: the database is not ready")
    assert "run 'make migrate' first." in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
