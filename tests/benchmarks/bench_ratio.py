"""Issue 12's ratios against the Wagtail anchor, measured side by side: `make bench-ratio`.

    make bench-ratio                                    # 3 rounds of 8 s per page and server
    ROUNDS=5 DURATION=10s make bench-ratio

`make bench-load` measures our stack and then runs the anchor's bench.sh: the two
phases are minutes apart, and on a shared machine the load of the neighbours moves in
between, so its ratios move by tens of percent. Here both sites run at the same time
(ours and Wagtail's gunicorn, each with WORKERS sync workers, idle when not measured),
and wrk alternates between them, page by page, round by round, swapping who goes first
each round: each ratio compares two runs seconds apart. Per comparison it prints every
round's req/s and ratio and the median ratio, and the CPU time each site spent per
request (its gunicorn processes and the PostgreSQL backends connected to its database,
from /proc): unlike req/s, that does not move with what else the machine runs.

Comparisons (issue 12's targets):
- cold render, ours with nothing ever found in a cache (Django's dummy cache, the page
  cache off) against Wagtail uncached (its `none` mode): >= 3;
- app-level cached hit, ours warm with the whole-page cache in Redis against Wagtail's
  whole-page cache (its `page` mode): >= 2.

`COMPARE=hit make bench-ratio` runs only the second (`cold`, only the first).

Same archive as `make bench-load` (BENCH_DB, STORIES); the anchor's copy, venv and
database are those bench-load leaves (WAGTAIL_WORKDIR, WAGTAIL_DB), prepared by a short
run of its bench.sh when missing.
"""

import os
import statistics
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_load  # noqa: E402
from loadstack import (  # noqa: E402
    Archive,
    Stack,
    cpu_seconds,
    curl_time,
    env_int,
    free_port,
    kill_group,
    page_paths,
    require,
    say,
    server_url,
    session_id,
    stop_on_signals,
    wait_http,
    with_database,
    wrk,
)

ROUNDS = env_int("ROUNDS", 3)
# Shorter runs than bench-load's, as there are more of them; the other knobs are its own.
DURATION = os.environ.get("DURATION", "8s")
WARMUP = os.environ.get("WARMUP", "2s")
CONNECTIONS, THREADS, WORKERS = bench_load.CONNECTIONS, bench_load.THREADS, bench_load.WORKERS
# (label, our mode, the anchor's CACHE_MODE, target), by the name COMPARE picks them by.
COMPARISONS = {
    "cold": ("cold render: uncached / uncached", "uncached", "none", 3.0),
    "hit": ("cached hit: cached / page-cached", "cached", "page", 2.0),
}
# COMPARE=hit (or cold) runs that comparison only.
COMPARE = os.environ.get("COMPARE", "cold hit").split()


class Anchor:
    """The Wagtail anchor's gunicorn, started as its bench.sh starts it."""

    def __init__(self, redis_url: str):
        self.dir = bench_load.WAGTAIL_WORKDIR
        self.process = None
        parts = urlsplit(server_url())
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "CACHE_URL", "DEBUG", "SECRET_KEY"}
        } | {
            "DB_NAME": bench_load.WAGTAIL_DB,
            "PGHOST": parts.hostname or "127.0.0.1",
            "PGPORT": str(parts.port or 5432),
            "PGUSER": parts.username or "postgres",
            "DJANGO_SETTINGS_MODULE": "anchor.settings",
            "REDIS_URL": redis_url,
        }
        if parts.password:
            self.env["PGPASSWORD"] = parts.password

    def prepare(self) -> None:
        """Its venv and its archive, by a short run of its own bench.sh when missing."""
        python = self.dir / ".venv/bin/python"
        if python.exists() and self.article_path():
            return
        say("# preparing the Wagtail anchor (its venv and archive) with a short bench.sh run")
        os.environ["MODES"] = "none"
        bench_load.DURATION = bench_load.WARMUP = "1s"
        bench_load.run_wagtail()

    def article_path(self) -> str | None:
        """The 101st newest Kyrgyz article, as its bench.sh picks it."""
        result = subprocess.run(  # noqa: S603
            [str(self.dir / ".venv/bin/python"), "manage.py", "shell", "-v0", "-c"]
            + [
                "from news.models import ArticlePage\n"
                "ky = ArticlePage.objects.live().filter(locale__language_code='ky')"
                ".order_by('-date')\n"
                "print(ky[100].url if ky.count() > 100 else '')"
            ],
            cwd=self.dir,
            env=self.env,
            capture_output=True,
            text=True,
        )
        return result.stdout.strip() or None

    def start(self, mode: str) -> str:
        self.stop()
        port = free_port()
        self.process = subprocess.Popen(  # noqa: S603
            [str(self.dir / ".venv/bin/gunicorn"), "anchor.wsgi", "--workers", str(WORKERS)]
            + ["--bind", f"127.0.0.1:{port}"],
            cwd=self.dir,
            env=self.env | {"CACHE_MODE": mode},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        wait_http(url + "/ky/", process=self.process)
        return url

    def stop(self) -> None:
        if self.process is not None:
            kill_group(self.process)
            self.process = None


def session_cpu_seconds(session_leader: int) -> float:
    """User and system CPU of every process in the session (the site's gunicorn)."""
    session = session_id(session_leader)
    return sum(
        cpu_seconds(int(entry.name))
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit() and session_id(int(entry.name)) == session
    )


def database_cpu_seconds(database: str) -> float:
    """CPU of the PostgreSQL backends connected to `database` (the site's queries)."""
    found = subprocess.run(  # noqa: S603
        ["psql", with_database(server_url(), "postgres"), "-At", "-v", f"db={database}"],  # noqa: S607
        input="SELECT pid FROM pg_stat_activity WHERE datname = :'db';\n",
        capture_output=True,
        text=True,
    ).stdout.split()
    return sum(cpu_seconds(int(pid)) for pid in found)


def rate(url: str, *, session_leader: int, database: str) -> tuple[float, float]:
    """req/s, and CPU ms per request spent by the site: its gunicorn and its database
    backends, whoever else shares the machine (robust where req/s is not)."""
    wrk(url, duration=WARMUP, connections=CONNECTIONS, threads=THREADS)
    curl_time(url)  # waits out what wrk left queued
    before = session_cpu_seconds(session_leader) + database_cpu_seconds(database)
    result = wrk(url, duration=DURATION, connections=CONNECTIONS, threads=THREADS)
    spent = session_cpu_seconds(session_leader) + database_cpu_seconds(database) - before
    if result.errors or result.bad_status:
        say(f"# {url}: {result.errors} socket errors, {result.bad_status} responses >= 400")
    return result.requests_per_second, spent * 1000 / max(result.requests, 1)


def chosen() -> list[tuple[str, str, str, float]]:
    return [COMPARISONS[name] for name in COMPARE]


def main() -> int:
    require("wrk", "redis-server", "redis-cli", "curl")
    stop_on_signals()
    stack = Stack(
        database_url=Archive(bench_load.STORIES, bench_load.BENCH_DB).url, workers=WORKERS
    )
    anchor = None
    medians, cpu_medians = {}, {}
    try:
        stack.start_redis()
        Archive(bench_load.STORIES, bench_load.BENCH_DB).ensure(stack.env)
        # As the anchor's gunicorn: no worker recycled during a run (its CPU would leave
        # the count only when the master reaps it).
        stack.env["GUNICORN_MAX_REQUESTS"] = "0"
        # Connections kept 600 s, as the anchor keeps its own: a backend that closes
        # during a run (ours reconnect after 60 s by default) takes its CPU out of the
        # count, and a round then reads a tenth of its real cost.
        stack.env["CONN_MAX_AGE"] = "600"
        ours = page_paths(stack.env)["ky"]
        anchor = Anchor(redis_url=f"redis://127.0.0.1:{stack.redis_port}/1")
        anchor.prepare()
        theirs = {"home": "/ky/", "story": anchor.article_path()}
        say(
            f"# side by side, {ROUNDS} rounds of wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION} "
            f"(after {WARMUP}) per page and site; gunicorn {WORKERS} sync workers each; "
            f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
        )
        say(f"# ours: {ours['story']}; Wagtail: {theirs['story']}")
        for label, our_mode, their_mode, target in chosen():
            stack.start_app(uncached=our_mode == "uncached")
            stack.flush_cache()
            their_url = anchor.start(their_mode)
            say(f"\n{label} [target >= {target:g}]")
            say(
                f"{'page':<7}{'round':>6}{'ours req/s':>12}{'Wagtail req/s':>15}{'ratio':>8}"
                f"{'ours CPU ms':>13}{'Wagtail CPU ms':>16}{'ratio':>8}"
            )
            sites = {
                "ours": (stack.app_url, ours, stack.app.pid, bench_load.BENCH_DB),
                "theirs": (their_url, theirs, anchor.process.pid, bench_load.WAGTAIL_DB),
            }
            for page in ("home", "story"):
                ratios, cpu_ratios = [], []
                for round_number in range(1, ROUNDS + 1):
                    order = ["ours", "theirs"] if round_number % 2 else ["theirs", "ours"]
                    measured = {}
                    for who in order:
                        url, site_paths, leader, database = sites[who]
                        measured[who] = rate(
                            url + site_paths[page], session_leader=leader, database=database
                        )
                    (rps, cpu), (their_rps, their_cpu) = measured["ours"], measured["theirs"]
                    ratios.append(rps / their_rps)
                    cpu_ratios.append(their_cpu / cpu)
                    say(
                        f"{page:<7}{round_number:>6}{rps:>12.0f}{their_rps:>15.0f}"
                        f"{ratios[-1]:>8.2f}{cpu:>13.2f}{their_cpu:>16.2f}{cpu_ratios[-1]:>8.2f}"
                    )
                medians[(label, page)] = statistics.median(ratios)
                cpu_medians[(label, page)] = statistics.median(cpu_ratios)
            anchor.stop()
    finally:
        if anchor is not None:
            anchor.stop()
        stack.close()
    say("\nmedian ratios (target in brackets): req/s ours / Wagtail's; CPU per request")
    say("(gunicorn and database backends) Wagtail's / ours, i.e. how many times less we spend")
    for label, _, _, target in chosen():
        cells = "  ".join(
            f"{page} {medians[(label, page)]:.2f} (CPU {cpu_medians[(label, page)]:.2f})"
            for page in ("home", "story")
        )
        say(f"  {label} [>= {target:g}]: {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
