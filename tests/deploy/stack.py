"""The production stack, started for real: a database of its own, `make serve`, nginx.

Used by tests/deploy/test_stack.py. Everything runs as documented in docs/deployment.md:
production settings (DEBUG off, hashed manifest static files), `make serve` (gunicorn),
`make nginx-config` rendered into an nginx of its own on a free port. Nothing here uses
Django's test client: requests go over TCP through nginx.
"""

import http.client
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.request import HTTPCookieProcessor, HTTPErrorProcessor, Request, build_opener

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DEMO_PASSWORD = "stack-test-demo-password-1"  # noqa: S105 (a throwaway test database)
NGINX_MAIN = """
daemon off;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
worker_processes 1;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {run}/access.log;
    client_body_temp_path {run}/body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    include {site};
}}
"""


def varnish_binary() -> str | None:
    return shutil.which("varnishd") or next(
        (p for p in ("/usr/sbin/varnishd",) if os.access(p, os.X_OK)), None
    )


def varnish_has_xkey() -> bool:
    return any(Path(d).glob("libvmod_xkey.so") for d in VMOD_DIRS)


VMOD_DIRS = ("/usr/lib/x86_64-linux-gnu/varnish/vmods", "/usr/lib/aarch64-linux-gnu/varnish/vmods")


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None
    )


def python() -> str:
    """The checkout's virtual environment, as `make serve` uses it."""
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if os.access(venv, os.X_OK) else sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_environment(**extra: str) -> dict[str, str]:
    """The process environment of a production host: none of the test run's relaxations."""
    relaxed = {"SECRET_KEY", "DEBUG", "STATIC_MANIFEST", "DJANGO_SETTINGS_MODULE"}
    relaxed |= {"SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"}
    relaxed |= {"DATABASE_URL", "ALLOWED_HOSTS", "PYTEST_CURRENT_TEST", "MAKEFLAGS", "MAKELEVEL"}
    env = {k: v for k, v in os.environ.items() if k not in relaxed}
    env["NEWSROOM_ENV_FILE"] = os.devnull  # a production host has no checkout .env
    return env | extra


class NoRedirects(HTTPErrorProcessor):
    """Hand every response back as it is: the tests look at redirects and errors."""

    def http_response(self, request, response):
        return response

    https_response = http_response


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    url: str

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass
class Stack:
    base_url: str
    app_url: str
    varnish_url: str
    log_path: Path
    access_log_path: Path
    database_url: str
    env: dict[str, str]

    @classmethod
    def gunicorn_only(cls, url: str, log: Path, *, database_url: str = "", env=None) -> "Stack":
        """gunicorn with nothing in front: its own log is the only one."""
        return cls(
            base_url=url,
            app_url=url,
            varnish_url="",
            log_path=log,
            access_log_path=log,
            database_url=database_url,
            env=env or {},
        )

    def client(self):
        """A browser of its own: its own cookies."""
        return build_opener(HTTPCookieProcessor(CookieJar()), NoRedirects())

    def get(self, path: str, *, headers: dict | None = None, opener=None) -> Response:
        return self.request("GET", path, headers=headers, opener=opener)

    def request(self, method, path, *, data=None, headers=None, opener=None) -> Response:
        url = path if path.startswith("http") else self.base_url + path
        request = Request(url, data=data, headers=headers or {}, method=method)  # noqa: S310
        with (opener or self.client()).open(request, timeout=30) as raw:
            return Response(
                status=raw.status,
                headers={k.lower(): v for k, v in raw.headers.items()},
                body=raw.read(),
                url=url,
            )

    def raw_request(self, raw: bytes) -> int:
        """Send bytes no HTTP library would send; return the status nginx answers."""
        host, port = urllib.parse.urlsplit(self.base_url).netloc.split(":")
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            sock.sendall(raw)
            reply = sock.recv(64)
        return int(reply.split(b" ", 2)[1])

    def log_lines(self) -> list[dict]:
        """The JSON lines of the application (gunicorn's stdout)."""
        return json_lines(self.log_path)

    def access_lines(self) -> list[dict]:
        """nginx's access log: a JSON line per request."""
        return json_lines(self.access_log_path)


def json_lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    lines = []
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def wait_for(
    url: str, *, process: subprocess.Popen, log: Path, seconds: float = 120, expect: int = 200
) -> None:
    deadline = time.monotonic() + seconds
    parsed = urllib.parse.urlsplit(url)
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited {process.returncode}:\n{log.read_text()}")
        try:
            connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=2)
            connection.request("GET", parsed.path)
            if connection.getresponse().status == expect:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds} s:\n{log.read_text()[-3000:]}")


def background(args: list[str], log_path: Path, env: dict[str, str] | None = None):
    """Start a server in a session of its own (stopped as a group), its output in a log."""
    with open(log_path, "wb") as log:
        return subprocess.Popen(  # noqa: S603 (our own servers, fixed arguments)
            args,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def run(args: list[str], env: dict[str, str], timeout: int = 600) -> None:
    result = subprocess.run(  # noqa: S603
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


def create_database(admin_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(admin_url)._replace(path="/" + name))


def drop_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_admin_url() -> str:
    db = settings.DATABASES["default"]
    user = urllib.parse.quote(db.get("USER") or "postgres")
    password = ":" + urllib.parse.quote(db["PASSWORD"]) if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgresql://{user}{password}@{host}:{port}/postgres"


def start(workdir: Path):
    """Yield a running Stack; stop nginx and gunicorn and drop the database afterwards."""
    workdir.chmod(0o755)  # nginx's workers (nobody, when the test runs as root) read files
    static_root, media_root, run_dir = (workdir / n for n in ("static", "media", "nginx"))
    for folder in (static_root, media_root, run_dir):
        folder.mkdir(mode=0o755)
    admin_url = postgres_admin_url()
    db_name = f"newsroom_stack_{os.getpid()}_{secrets.token_hex(3)}"
    database_url = create_database(admin_url, db_name)
    app_port, web_port, varnish_port = free_port(), free_port(), free_port()
    env = production_environment(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=database_url,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        STATIC_ROOT=str(static_root),
        MEDIA_ROOT=str(media_root),
        # TLS ends at nginx in production; this nginx speaks plain HTTP on loopback.
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        NEWSROOM_PROXY_COUNT="1",
        NEWSROOM_DEMO_PASSWORD=DEMO_PASSWORD,
        HOST="127.0.0.1",
        PORT=str(app_port),
        WEB_CONCURRENCY="2",
        FRONT_CACHE_PURGE_URLS=f"http://127.0.0.1:{varnish_port}/",
    )
    python_ = python()
    processes: list[subprocess.Popen] = []
    log_path = workdir / "serve.log"
    try:
        run([python_, "manage.py", "migrate", "--noinput", "-v0"], env)
        run([python_, "manage.py", "load_demo"], env)
        serve = background(["make", "--no-print-directory", "serve"], log_path, env)
        processes.append(serve)
        wait_for(f"http://127.0.0.1:{app_port}/healthz", process=serve, log=log_path)

        # Varnish between nginx and gunicorn, as docs/deployment.md sets it up.
        vcl = run_dir / "newsroom.vcl"
        run(
            [
                "make",
                "--no-print-directory",
                "varnish-config",
                f"VARNISH_VCL={vcl}",
                "HOST=127.0.0.1",
                f"PORT={app_port}",
            ],
            env,
        )
        varnish_log = run_dir / "varnish.log"
        varnish_args = [varnish_binary(), "-F", "-j", "none", "-a", f"127.0.0.1:{varnish_port}"]
        varnish_args += ["-f", str(vcl), "-n", str(run_dir / "varnish"), "-s", "malloc,64m"]
        varnish = background([*varnish_args, "-T", "none"], varnish_log)
        processes.append(varnish)
        wait_for(f"http://127.0.0.1:{varnish_port}/healthz", process=varnish, log=varnish_log)

        site_conf = run_dir / "site.conf"
        run(
            [
                "make",
                "--no-print-directory",
                "nginx-config",
                f"NGINX_LISTEN=127.0.0.1:{web_port}",
                f"UPSTREAM=127.0.0.1:{varnish_port}",
                "SERVER_NAME=localhost 127.0.0.1",
                f"NGINX_CONF={site_conf}",
                f"NGINX_ACCESS_LOG={run_dir / 'newsroom-access.log'}",
            ],
            env,
        )
        main_conf = run_dir / "nginx.conf"
        main_conf.write_text(NGINX_MAIN.format(run=run_dir, site=site_conf))
        nginx_log = run_dir / "stdout.log"
        nginx_args = [nginx_binary(), "-c", str(main_conf), "-e", str(run_dir / "error.log")]
        nginx = background(nginx_args, nginx_log)
        processes.append(nginx)
        wait_for(f"http://127.0.0.1:{web_port}/healthz", process=nginx, log=nginx_log)
        yield Stack(
            base_url=f"http://127.0.0.1:{web_port}",
            app_url=f"http://127.0.0.1:{app_port}",
            varnish_url=f"http://127.0.0.1:{varnish_port}",
            log_path=log_path,
            access_log_path=run_dir / "newsroom-access.log",
            database_url=database_url,
            env=env,
        )
    finally:
        for process in reversed(processes):
            try:
                os.killpg(process.pid, 15)
                process.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(process.pid, 9)
        drop_database(admin_url, db_name)
