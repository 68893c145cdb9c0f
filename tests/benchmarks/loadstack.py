"""The production stack on a large archive, for the load benchmark and the soak.

Shared by bench_load.py (`make bench-load`) and bench_soak.py (`make bench-soak`):

- `Archive`: a PostgreSQL database of its own holding STORIES generated stories
  (`manage.py generate_stories`) and 30 days of rates, reused when it already has
  exactly that many stories;
- `Stack`: a Redis of its own on a free port, `make serve` (gunicorn, production
  settings) and nginx configured from deploy/nginx/newsroom.conf, all on 127.0.0.1;
  everything it starts is stopped by `close()` (and on SIGTERM/SIGINT);
- `wrk()`: one run of Debian's wrk, parsed.

Nothing here imports the application: it drives it the way an operator does, through
`make`, `manage.py` and HTTP. The helpers of the real-stack test (free ports, the
production environment, the nginx main configuration) are reused from tests/deploy.
"""

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from django.conf import settings  # noqa: E402

if not settings.configured:
    # tests/deploy/stack.py reads only BASE_DIR from the settings at import time.
    settings.configure(BASE_DIR=ROOT)

from tests.deploy.stack import (  # noqa: E402
    free_port,
    nginx_binary,
    production_environment,
)

PYTHON = str(ROOT / ".venv" / "bin" / "python")
# Every request renders: the cache never finds anything, the whole-page cache is off.
UNCACHED = {"CACHE_URL": "dummycache://", "PAGE_CACHE": "0"}
VCL = ROOT / "deploy" / "varnish" / "newsroom.vcl"
# nginx's main configuration for both the front of the stack and the file server it is
# compared with: one worker per core and a buffered access log, as Debian's nginx.conf
# (worker_processes auto) and a busy site would have them; only the site differs.
NGINX_MAIN = """
daemon off;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
worker_processes auto;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {run}/access.log combined buffer=64k flush=1s;
    client_body_temp_path {run}/body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    include {site};
}}
"""
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


def say(text: str = "") -> None:
    print(text, flush=True)


def cpu_seconds(pid: int) -> float:
    """User and system CPU of process `pid` so far, with that of the children it has
    reaped (recycled gunicorn workers); 0 for a process that is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def commit() -> str:
    """The measured checkout's commit and its date, for the head of a report."""
    return subprocess.run(
        ["git", "log", "-1", "--format=%h %cs"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def require(*tools: str) -> None:
    missing = [t for t in tools if not (shutil.which(t) or (t == "nginx" and nginx_binary()))]
    if missing:
        sys.exit(
            f"missing: {' '.join(missing)} (Debian: apt-get install -y "
            f"{' '.join('nginx-light' if t == 'nginx' else t for t in missing)})"
        )


def front_cache() -> str:
    """FRONT: "varnish" when deploy/ ships a Varnish configuration (the default, "auto",
    then needs varnishd with the xkey module), else "nginx" (nginx alone)."""
    front = os.environ.get("FRONT", "auto")
    if front == "auto":
        front = "varnish" if VCL.exists() else "nginx"
    if front == "varnish" and not (
        shutil.which("varnishd") and list(Path("/usr/lib").glob("*/varnish/vmods/libvmod_xkey.so"))
    ):
        sys.exit(
            "deploy/ ships a Varnish front cache: apt-get install -y varnish varnish-modules "
            "(or FRONT=nginx to measure nginx alone)"
        )
    return front


def make(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603
        ["make", "--no-print-directory", *args],  # noqa: S607
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def stop_on_signals() -> None:
    """SIGTERM/SIGHUP end the run like Ctrl-C does, so `finally` blocks stop everything."""

    def handler(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, handler)


def server_url() -> str:
    """The PostgreSQL server of DATABASE_URL (or the local default), at its `postgres` db."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = DEFAULT_SERVER
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/postgres"))


def with_database(url: str, name: str) -> str:
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/" + name))


def kill_group(process: subprocess.Popen, *, timeout: float = 30) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_http(url: str, *, process: subprocess.Popen | None = None, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        if curl_status(url) == 200:
            return
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer 200 within {seconds:.0f} s")


def curl_status(url: str) -> int:
    result = subprocess.run(  # noqa: S603
        ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "30", url],  # noqa: S607
        capture_output=True,
        text=True,
    )
    return int(result.stdout or 0)


def curl_time(url: str) -> tuple[int, float]:
    """Status and total time in ms of one request."""
    result = subprocess.run(  # noqa: S603
        ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", url],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=60,
    )
    status, seconds = result.stdout.split()
    return int(status), float(seconds) * 1000


# --- the archive ------------------------------------------------------------------------


@dataclass
class Archive:
    """A database of its own with `stories` generated stories."""

    stories: int
    name: str
    server: str = field(default_factory=server_url)

    @property
    def url(self) -> str:
        return with_database(self.server, self.name)

    def _sql(self, statement: str, *, database: str = "postgres"):
        import psycopg

        with psycopg.connect(with_database(self.server, database), autocommit=True) as conn:
            cursor = conn.execute(statement)
            return cursor.fetchall() if statement.startswith("SELECT") else None

    def story_count(self) -> int | None:
        if not self._sql(f"SELECT 1 FROM pg_database WHERE datname = '{self.name}'"):  # noqa: S608
            return None
        try:
            return self._sql("SELECT count(*) FROM articles_article", database=self.name)[0][0]
        except Exception:  # noqa: BLE001 (an empty or half-made database: rebuild it)
            return None

    def ensure(self, env: dict[str, str]) -> None:
        """Reuse the database if it has exactly `stories` stories; else build it afresh."""
        # No front cache runs yet: nothing to purge while the archive is made.
        env = {k: v for k, v in env.items() if k != "FRONT_CACHE_PURGE_URLS"}
        env["DATABASE_URL"] = self.url
        count = self.story_count()
        if count == self.stories:
            say(f"# archive: reusing {self.name} ({count} stories)")
            manage(env, "migrate", "--noinput", "-v0")  # new migrations of the code measured
        else:
            say(f"# archive: building {self.name} ({self.stories} stories; it had {count})")
            self._sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._sql(f'CREATE DATABASE "{self.name}"')
            manage(env, "migrate", "--noinput", "-v0")
            manage(env, "generate_stories", str(self.stories), "--seed", "1", capture=False)
        # 30 days of rates up to today (it adds only the days missing).
        manage(env, "shell", "-c", "from rates.demo import load_demo_rates; load_demo_rates()")


def manage(env: dict[str, str], *args: str, capture: bool = True) -> str:
    result = subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=capture,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout or ""


PAGES_SNIPPET = """
import json, re
from urllib.parse import quote
from django.utils import translation
from articles.models import Article
pages = {}
for language in ("ky", "ru"):
    with translation.override(language):
        live = Article.objects.live(language)
        story = live[min(100, live.count() - 1)]
        tag = story.tags.order_by("pk").first()
        word = re.findall(r"\\w{6,}", getattr(story, "title_" + language))[0]
        pages[language] = {
            "home": f"/{language}/",
            "story": story.get_absolute_url(),
            "rubric": story.rubric.get_absolute_url(),
            "tag": tag.get_absolute_url(),
            "search": f"/{language}/search/?q={quote(word)}",
            "rates": f"/{language}/rates/",
            "stories": [s.get_absolute_url() for s in live[:200:4]],
            "count": live.count(),
        }
print(json.dumps(pages))
"""

QUERIES_SNIPPET = """
import json
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client()
counts = {}
for path in json.loads(%r):
    assert client.get(path).status_code == 200, path
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200, path
    counts[path] = len(queries.captured_queries)
print(json.dumps(counts))
"""


def page_paths(env: dict[str, str]) -> dict:
    """The measured pages of each language: home, a story 100 back, its rubric and tag, ..."""
    return json.loads(manage(env, "shell", "-v0", "-c", PAGES_SNIPPET).strip().splitlines()[-1])


def query_counts(env: dict[str, str], paths: list[str]) -> dict[str, int]:
    """SQL queries of a request that follows one to the same page (the test Client, so
    the count is the application's, whatever the cache holds)."""
    out = manage(env, "shell", "-v0", "-c", QUERIES_SNIPPET % json.dumps(paths))
    return json.loads(out.strip().splitlines()[-1])


# --- the running stack ------------------------------------------------------------------


class Stack:
    """Redis, `make serve` and nginx (deploy/) of our own, on free 127.0.0.1 ports."""

    def __init__(self, *, database_url: str, workers: int | None):
        self.dir = Path(tempfile.mkdtemp(prefix="newsroom-load-"))
        self.dir.chmod(0o755)  # nginx's workers read files here
        self.processes: list[subprocess.Popen] = []
        self.redis_port = free_port()
        self.front = front_cache()
        self.varnish_port = free_port()
        extra = {"WEB_CONCURRENCY": str(workers)} if workers else {}
        if self.front == "varnish":
            # The application purges the front cache on every change, as deployed.
            extra["FRONT_CACHE_PURGE_URLS"] = f"http://127.0.0.1:{self.varnish_port}/"
        for folder in ("static", "media", "nginx"):
            (self.dir / folder).mkdir(mode=0o755)
        self.env = production_environment(
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            DATABASE_URL=database_url,
            CACHE_URL=f"rediscache://127.0.0.1:{self.redis_port}/0",
            ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
            STATIC_ROOT=str(self.dir / "static"),
            MEDIA_ROOT=str(self.dir / "media"),
            SECURE_SSL_REDIRECT="0",
            SESSION_COOKIE_SECURE="0",
            CSRF_COOKIE_SECURE="0",
            NEWSROOM_PROXY_COUNT="1",
            HOST="127.0.0.1",
            **extra,
        )
        self.app: subprocess.Popen | None = None
        self.app_url = self.web_url = self.varnish_url = ""

    def start_redis(self) -> None:
        redis = subprocess.Popen(  # noqa: S603
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.redis_port)]  # noqa: S607
            + ["--save", "", "--appendonly", "no", "--dir", str(self.dir)],
            stdout=open(self.dir / "redis.log", "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(redis)
        for _ in range(100):
            if self.redis("ping") == "PONG":
                return
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def redis(self, *command: str) -> str:
        result = subprocess.run(  # noqa: S603
            ["redis-cli", "-p", str(self.redis_port), *command],  # noqa: S607
            capture_output=True,
            text=True,
        )
        return result.stdout.strip()

    def flush_cache(self) -> None:
        self.redis("flushall")

    def start_app(self, *, uncached: bool = False) -> None:
        """`make serve` (checks, collectstatic, gunicorn); `uncached`: nothing is ever
        found in the cache (Django's dummy backend, the page cache off)."""
        self.stop_app()
        env = self.env | (UNCACHED if uncached else {})
        port = free_port()
        env["PORT"] = str(port)
        self.app = subprocess.Popen(  # noqa: S603
            ["make", "--no-print-directory", "serve", f"PORT={port}"],  # noqa: S607
            cwd=ROOT,
            env=env,
            stdout=open(self.dir / "serve.log", "ab"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.app_url = f"http://127.0.0.1:{port}"
        wait_http(self.app_url + "/healthz", process=self.app, seconds=300)

    def stop_app(self) -> None:
        if self.app is not None:
            kill_group(self.app)
            self.app = None

    def start_front(self) -> None:
        """The front of the stack as deployed: nginx from deploy/nginx/newsroom.conf
        (`make nginx-config`), with Varnish from deploy/varnish/newsroom.vcl (`make
        varnish-config`) between it and gunicorn when deploy/ ships one (FRONT)."""
        run_dir = self.dir / "nginx"
        upstream = urllib.parse.urlsplit(self.app_url)
        host, port = upstream.hostname, upstream.port
        if self.front == "varnish":
            vcl = run_dir / "newsroom.vcl"
            make(self.env, "varnish-config", f"VARNISH_VCL={vcl}", f"HOST={host}", f"PORT={port}")
            varnish = subprocess.Popen(  # noqa: S603
                ["varnishd", "-F", "-j", "none", "-T", "none", "-f", str(vcl)]  # noqa: S607
                + ["-a", f"127.0.0.1:{self.varnish_port}", "-n", str(run_dir / "varnish")]
                + ["-s", f"malloc,{os.environ.get('VARNISH_MEMORY', '256m')}"],
                stdout=open(run_dir / "varnish.log", "wb"),  # noqa: SIM115
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            self.processes.append(varnish)
            self.varnish_url = f"http://127.0.0.1:{self.varnish_port}"
            wait_http(self.varnish_url + "/healthz", process=varnish)
            host, port = "127.0.0.1", self.varnish_port
        web_port = free_port()
        site = run_dir / "site.conf"
        # HOST and PORT name what nginx proxies to (gunicorn, or Varnish in between).
        make(
            self.env,
            "nginx-config",
            f"NGINX_LISTEN=127.0.0.1:{web_port}",
            "SERVER_NAME=localhost 127.0.0.1",
            f"NGINX_CONF={site}",
            f"NGINX_ACCESS_LOG={run_dir / 'newsroom-access.log'}",
            f"HOST={host}",
            f"PORT={port}",
            f"UPSTREAM={host}:{port}",
        )
        main = run_dir / "nginx.conf"
        main.write_text(NGINX_MAIN.format(run=run_dir, site=site))
        nginx = subprocess.Popen(  # noqa: S603
            [nginx_binary(), "-c", str(main), "-e", str(run_dir / "error.log")],
            stdout=open(run_dir / "stdout.log", "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(nginx)
        self.web_url = f"http://127.0.0.1:{web_port}"
        wait_http(self.web_url + "/healthz", process=nginx)

    def worker_rss_mib(self) -> list[float]:
        """Resident memory of each gunicorn worker (the master's children)."""
        if self.app is None:
            return []
        table = subprocess.run(
            ["ps", "-e", "-o", "pid=,ppid=,rss=,args="],  # noqa: S607
            capture_output=True,
            text=True,
        ).stdout
        rows = [line.split(None, 3) for line in table.splitlines()]
        gunicorns = {int(r[0]): (int(r[1]), int(r[2])) for r in rows if "gunicorn" in r[3]}
        masters = {pid for pid, (ppid, _rss) in gunicorns.items() if ppid not in gunicorns}
        session = os.getsid(self.app.pid)
        masters = {pid for pid in masters if session_id(pid) == session}
        return [rss / 1024 for pid, (ppid, rss) in gunicorns.items() if ppid in masters]

    def close(self) -> None:
        self.stop_app()
        for process in reversed(self.processes):
            kill_group(process)
        shutil.rmtree(self.dir, ignore_errors=True)


def session_id(pid: int) -> int | None:
    try:
        return os.getsid(pid)
    except ProcessLookupError:
        return None


def static_nginx(html_path: Path, *, run_dir: Path) -> tuple[subprocess.Popen, str]:
    """nginx serving one saved page as a file: the machine's ceiling for that HTML."""
    www = run_dir / "www"
    www.mkdir(exist_ok=True, mode=0o755)
    shutil.copy(html_path, www / "page.html")
    (www / "page.html").chmod(0o644)
    port = free_port()
    conf = run_dir / "static-nginx.conf"
    site = run_dir / "static-site.conf"
    site.write_text(f"server {{ listen 127.0.0.1:{port}; root {www}; default_type text/html; }}\n")
    static_run = run_dir / "static-nginx"
    static_run.mkdir(exist_ok=True)
    conf.write_text(NGINX_MAIN.format(run=static_run, site=site))
    process = subprocess.Popen(  # noqa: S603
        [nginx_binary(), "-c", str(conf), "-e", str(run_dir / "static-nginx-error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/page.html"
    wait_http(url, process=process)
    return process, url


# --- wrk ---------------------------------------------------------------------------------


@dataclass
class WrkResult:
    requests_per_second: float
    p99_ms: float
    requests: int
    errors: int  # socket errors: connect, read, write, timeout
    bad_status: int  # responses with a status >= 400 (wrk's "Non-2xx or 3xx")
    non_2xx: int | None  # every status outside 200-299, when counted by paths.lua
    output: str


UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def wrk(
    url: str,
    *,
    duration: str,
    connections: int,
    threads: int = 2,
    timeout: str = "10s",
    paths_file: Path | None = None,
) -> WrkResult:
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}", f"--timeout={timeout}"]
    args += ["--latency"]
    if paths_file is not None:
        args += ["-s", str(ROOT / "tests" / "benchmarks" / "paths.lua"), url, "--", str(paths_file)]
    else:
        args.append(url)
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout  # noqa: S603
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.MULTILINE)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    non_2xx = re.search(r"^non-2xx (\d+)$", out, re.MULTILINE)
    return WrkResult(
        requests_per_second=rps,
        p99_ms=float(p99.group(1)) * UNIT_MS[p99.group(2)] if p99 else float("nan"),
        requests=requests,
        errors=errors,
        bad_status=int(bad.group(1)) if bad else 0,
        non_2xx=int(non_2xx.group(1)) if non_2xx else None,
        output=out,
    )
