"""Redis and PostgreSQL servers of a test's own, on free ports, so a test may stop them.

The shared services on the default ports are never touched. Without the binaries the
tests that need these skip, saying what to install (CI has them; nothing skips there).
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

POSTGRES_BIN = Path(os.environ.get("NEWSROOM_POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, *, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


class RedisServer:
    """`redis-server --port N --save ''`: started, stopped and started again by the test."""

    def __init__(self, workdir: Path):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("needs redis-server (apt-get install redis-server); CI has it")
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 (our own binary and arguments)
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""],
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


class PostgresServer:
    """A throwaway PostgreSQL cluster (initdb + pg_ctl) in a temporary folder.

    initdb refuses to run as root (CI runs tests as root), so the cluster then belongs
    to the `postgres` system user and its commands run through `runuser`.
    """

    def __init__(self):
        initdb = POSTGRES_BIN / "initdb"
        if not initdb.exists():
            pytest.skip(f"needs PostgreSQL's {initdb} (apt-get install postgresql-15); CI has it")
        self.as_user: list[str] = []
        self.root = Path(tempfile.mkdtemp(prefix="newsroom-pg-"))
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            if runuser is None:
                pytest.skip("running as root needs runuser to start PostgreSQL as 'postgres'")
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root needs a 'postgres' system user for initdb")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self.as_user = [runuser, "-u", "postgres", "--"]
        self.data = self.root / "data"
        self.port = free_port()
        self._run(
            [str(initdb), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
            timeout=120,
        )

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/newsroom"

    def _run(self, command: list[str], timeout: float = 60) -> None:
        subprocess.run(  # noqa: S603 (our own binaries and arguments)
            [*self.as_user, *command],
            check=True,
            capture_output=True,
            timeout=timeout,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            [str(POSTGRES_BIN / "pg_ctl"), "-D", str(self.data), "-o", options]
            + ["-l", str(self.root / "server.log"), "-w", "start"],
        )

    def stop(self) -> None:
        self._run([str(POSTGRES_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])

    def create_database(self, name: str = "newsroom") -> None:
        self._run(
            [str(POSTGRES_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port)]
            + ["-U", "postgres", name]
        )

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
