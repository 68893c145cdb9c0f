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


class RedisSentinelGroup:
    """A Redis primary, one replica of it and one Sentinel watching them (Debian's
    `redis-sentinel`), each on a free port, so that a test may kill the primary.

    The sentinel declares the primary down after one silent second and then promotes the
    replica; alone, it is its own quorum.
    """

    DOWN_AFTER_MS = 1000
    FAILOVER_TIMEOUT_MS = 5000

    def __init__(self, workdir: Path, service: str):
        self.sentinel_binary = shutil.which("redis-sentinel")
        if self.sentinel_binary is None:
            pytest.skip("needs redis-sentinel (apt-get install redis-sentinel); CI has it")
        self.primary = RedisServer(workdir / "primary")
        self.replica = RedisServer(workdir / "replica")
        self.workdir = workdir
        self.service = service
        self.sentinel_port = free_port()
        self.processes: dict[str, subprocess.Popen] = {}

    def _start(self, name: str, args: list[str], port: int) -> None:
        folder = self.workdir / name
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "server.log", "wb") as log:
            self.processes[name] = subprocess.Popen(  # noqa: S603 (our own binaries)
                args, cwd=folder, stdout=log, stderr=subprocess.STDOUT
            )
        wait_for_port(port)

    def start(self) -> None:
        common = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self._start(
            "primary",
            [self.primary.binary, "--port", str(self.primary.port), *common],
            self.primary.port,
        )
        self._start(
            "replica",
            [self.replica.binary, "--port", str(self.replica.port), *common]
            + ["--replicaof", "127.0.0.1", str(self.primary.port)],
            self.replica.port,
        )
        folder = self.workdir / "sentinel"
        folder.mkdir(parents=True, exist_ok=True)
        # The sentinel rewrites its file as it learns: it must be its own, and writable.
        config = folder / "sentinel.conf"
        config.write_text(
            f"port {self.sentinel_port}\n"
            "bind 127.0.0.1\n"
            f"dir {folder}\n"
            f"sentinel monitor {self.service} 127.0.0.1 {self.primary.port} 1\n"
            f"sentinel down-after-milliseconds {self.service} {self.DOWN_AFTER_MS}\n"
            f"sentinel failover-timeout {self.service} {self.FAILOVER_TIMEOUT_MS}\n"
            f"sentinel parallel-syncs {self.service} 1\n"
        )
        self._start("sentinel", [self.sentinel_binary, str(config)], self.sentinel_port)

    @property
    def sentinel_address(self) -> str:
        return f"127.0.0.1:{self.sentinel_port}"

    def primary_port_seen_by_sentinel(self) -> int | None:
        import redis

        answer = redis.Redis(port=self.sentinel_port, socket_timeout=1).execute_command(
            "SENTINEL", "get-master-addr-by-name", self.service
        )
        return int(answer[1]) if answer else None

    def wait_until_replicated(self, timeout: float = 30) -> None:
        """The replica is in sync with the primary (and the sentinel knows it).

        In sync means `online`: a replica still loading its first copy is connected, but
        acknowledges nothing (WAIT) until it has it, which takes seconds on a busy machine."""
        import redis

        deadline = time.monotonic() + timeout
        primary = redis.Redis(port=self.primary.port)
        while time.monotonic() < deadline:
            replicas = redis.Redis(port=self.sentinel_port).execute_command(
                "SENTINEL", "replicas", self.service
            )
            replica = primary.info("replication").get("slave0") or {}
            if replica.get("state") == "online" and replicas:
                return
            time.sleep(0.1)
        raise TimeoutError("the replica did not connect to the primary")

    def kill_primary(self) -> None:
        process = self.processes.pop("primary")
        process.kill()
        process.wait(timeout=10)

    def wait_for_failover(self, timeout: float = 60) -> None:
        """The sentinel names the replica as the primary, and it accepts writes."""
        import redis

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.primary_port_seen_by_sentinel() == self.replica.port:
                role = redis.Redis(port=self.replica.port).execute_command("ROLE")[0]
                if role in (b"master", "master"):
                    return
            time.sleep(0.2)
        log = (self.workdir / "sentinel" / "server.log").read_text(errors="replace")
        raise TimeoutError(f"no failover within {timeout} s:\n{log[-3000:]}")

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            process.wait(timeout=10)
        self.processes = {}
