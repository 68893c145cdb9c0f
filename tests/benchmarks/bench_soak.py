"""A long night of load through the production stack: `make bench-soak` (issue 11).

    make bench-soak                        # 10 minutes, 64 connections
    DURATION=2m make bench-soak

Builds or reuses the archive of bench_load.py (STORIES, BENCH_DB), starts a Redis of
its own, `make serve` (gunicorn with the production default of workers unless
WORKERS says otherwise) and nginx from deploy/, then runs wrk with CONNECTIONS (64)
connections for DURATION (10m) on a mix of home, story, rubric, search and rates
pages in both languages (tests/benchmarks/paths.lua picks a random path per request).
Prints requests, errors, non-2xx responses, p99 and the workers' memory at the start,
the end and the peak (sampled every 15 s), and exits non-zero on any socket error or
any status outside 200-299. A benchmark, not a test: it is not part of `make test`.
"""

import os
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadstack import (  # noqa: E402
    Archive,
    Stack,
    curl_status,
    env_int,
    page_paths,
    require,
    say,
    stop_on_signals,
    wrk,
)

STORIES = env_int("STORIES", 10000)
DURATION = os.environ.get("DURATION", "10m")
CONNECTIONS = env_int("CONNECTIONS", 64)
THREADS = env_int("THREADS", 2)
WORKERS = env_int("WORKERS", 0) or None  # None: deploy/gunicorn.conf.py's default
# Longer than nginx waits for gunicorn (proxy_read_timeout 35s): a page too slow for the
# stack shows up as nginx's 504 (a non-2xx), not as wrk giving up first.
TIMEOUT = os.environ.get("TIMEOUT", "40s")
BENCH_DB = os.environ.get("BENCH_DB", f"newsroom_bench_{STORIES}")
SEARCH_WORDS = {"ky": ["Бишкек", "өкмөт", "президент"], "ru": ["Бишкек", "правительство", "года"]}


def mix(paths: dict) -> list[str]:
    """Every kind of page in both languages; stories weighted as readers weight them."""
    urls = []
    for language, pages in paths.items():
        urls += [pages["home"]] * 10
        urls += pages["stories"]  # 50 stories of the newest 200
        urls += [pages["rubric"], pages["rubric"] + "?page=3"] * 3
        urls += [f"/{language}/search/?q={quote(word)}" for word in SEARCH_WORDS[language]]
        urls += [pages["rates"]] * 3
    return urls


def main() -> int:
    require("wrk", "nginx", "redis-server", "redis-cli", "curl")
    stop_on_signals()
    archive = Archive(STORIES, BENCH_DB)
    stack = Stack(database_url=archive.url, workers=WORKERS)
    try:
        stack.start_redis()
        archive.ensure(stack.env)
        paths = page_paths(stack.env)
        stack.start_app()
        stack.start_front()
        urls = mix({language: paths[language] for language in ("ky", "ru")})
        for url in sorted(set(urls)):
            status = curl_status(stack.web_url + url)
            if status != 200:
                say(f"{url} answers {status} before the load")
                return 1
        paths_file = stack.dir / "paths.txt"
        paths_file.write_text("\n".join(urls) + "\n")
        start_rss = stack.worker_rss_mib()
        samples: list[list[float]] = []
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(15):
                samples.append(stack.worker_rss_mib())

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        front = "nginx and Varnish" if stack.front == "varnish" else "nginx"
        say(
            f"# soak: {STORIES} stories, {len(set(urls))} paths, gunicorn "
            f"{len(start_rss)} workers, wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION} "
            f"--timeout {TIMEOUT} through {front}; {now}"
        )
        result = wrk(
            stack.web_url,
            duration=DURATION,
            connections=CONNECTIONS,
            threads=THREADS,
            timeout=TIMEOUT,
            paths_file=paths_file,
        )
        stop.set()
        end_rss = stack.worker_rss_mib()
    finally:
        stack.close()

    peak = max((max(s) for s in samples if s), default=float("nan"))
    say(
        f"requests {result.requests}, {result.requests_per_second:.0f} req/s, "
        f"p99 {result.p99_ms:.0f} ms"
    )
    say(f"socket errors {result.errors}, non-2xx {result.non_2xx}")
    say(f"worker RSS MiB at start {fmt(start_rss)}, at end {fmt(end_rss)}, peak {peak:.0f}")
    failed = result.errors or result.non_2xx or result.non_2xx is None
    say("FAIL" if failed else "OK: no errors, every response 2xx")
    return 1 if failed else 0


def fmt(values: list[float]) -> str:
    return "/".join(f"{v:.0f}" for v in values) or "-"


if __name__ == "__main__":
    sys.exit(main())
