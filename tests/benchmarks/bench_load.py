"""Load benchmark of the production stack on a large archive: `make bench-load`.

    make bench-load                                   # 10,000 stories, 20 s per page
    STORIES=10000 DURATION=10s PAGES="home story" make bench-load

1. builds the archive (`generate_stories`) in a PostgreSQL database of its own
   (BENCH_DB, default newsroom_bench_<STORIES>), reused when it already holds exactly
   STORIES stories;
2. starts a Redis of its own and the production server (`make serve`: gunicorn with
   WORKERS sync workers) on free 127.0.0.1 ports, and measures with wrk, per page and
   language (home, story, rubric, tag, search, rates):
   - "first": one request right after the cache was flushed (the first reader);
   - "uncached": every request renders (Django's dummy cache, the page cache off);
   - "cached": the application with a warm Redis (whatever it caches);
   - "front": through nginx as deployed (deploy/nginx/newsroom.conf), with Varnish
     (deploy/varnish/newsroom.vcl) between it and gunicorn when deploy/ ships it, warm;
   plus the SQL queries of a request with an empty cache and of a warm one (Django's
   test Client in `manage.py shell`), and the gunicorn workers' memory;
3. serves the story's HTML as a file with nginx (the ceiling for that page);
4. when the Wagtail anchor is there (WAGTAIL_ANCHOR, default ../shared/anchors/wagtail),
   runs its bench.sh with the same knobs in the same run, and prints ours/Wagtail.

Knobs: STORIES, DURATION, CONNECTIONS, THREADS, WORKERS, WARMUP, PAGES, LANGUAGES,
MODES, FRONT (auto, varnish, nginx), BENCH_DB, WAGTAIL (0 to skip), WAGTAIL_ANCHOR,
WAGTAIL_WORKDIR, WAGTAIL_DB.
Everything it starts it stops on exit, errors included; traffic goes to 127.0.0.1 only.
"""

import datetime
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadstack import (  # noqa: E402
    ROOT,
    UNCACHED,
    Archive,
    Stack,
    commit,
    curl_time,
    env_int,
    kill_group,
    page_paths,
    query_counts,
    require,
    say,
    server_url,
    static_nginx,
    stop_on_signals,
    wrk,
)

STORIES = env_int("STORIES", 10000)
DURATION = os.environ.get("DURATION", "20s")
WARMUP = os.environ.get("WARMUP", "3s")
CONNECTIONS = env_int("CONNECTIONS", 16)
THREADS = env_int("THREADS", 2)
WORKERS = env_int("WORKERS", 2)
PAGES = os.environ.get("PAGES", "home story rubric tag search rates").split()
LANGUAGES = os.environ.get("LANGUAGES", "ky ru").split()
MODES = os.environ.get("MODES", "uncached cached front").split()
BENCH_DB = os.environ.get("BENCH_DB", f"newsroom_bench_{STORIES}")
WAGTAIL = os.environ.get("WAGTAIL", "1") != "0"
WAGTAIL_ANCHOR = Path(os.environ.get("WAGTAIL_ANCHOR", ROOT.parent / "shared/anchors/wagtail"))
# The anchor's folder may be read-only; it runs from a copy that keeps its venv between runs.
WAGTAIL_WORKDIR = Path(os.environ.get("WAGTAIL_WORKDIR", "/tmp/wagtail-anchor-bench"))  # noqa: S108
WAGTAIL_DB = os.environ.get("WAGTAIL_DB", "newsroom_bench_wagtail")


def main() -> int:
    require("wrk", "nginx", "redis-server", "redis-cli", "curl")
    stop_on_signals()
    stack = Stack(database_url=Archive(STORIES, BENCH_DB).url, workers=WORKERS)
    results: dict = {}
    try:
        stack.start_redis()
        Archive(STORIES, BENCH_DB).ensure(stack.env)
        paths = page_paths(stack.env)
        header(
            paths,
            front="nginx -> Varnish -> gunicorn"
            if stack.front == "varnish"
            else "nginx -> gunicorn",
        )
        measure_ours(stack, paths, results)
    finally:
        stack.close()
    print_ours(results)
    if WAGTAIL and (WAGTAIL_ANCHOR / "bench.sh").exists():
        wagtail = run_wagtail()
        print_ratios(results, wagtail)
    elif WAGTAIL:
        say(f"\n# no Wagtail anchor at {WAGTAIL_ANCHOR}: ratios skipped")
    return 0


def header(paths: dict, *, front: str) -> None:
    version = commit()
    counts = ", ".join(f"{paths[lang]['count']} {lang}" for lang in ("ky", "ru"))
    say(f"# newsroom {version}; {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC")
    say(
        f"# {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    say(f"# archive: {STORIES} stories ({counts} live); gunicorn {WORKERS} sync workers;")
    say(f"# wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION} after {WARMUP} of warm-up per page")
    say(f"# front: {front}")


def measure_ours(stack: Stack, paths: dict, results: dict) -> None:
    pages = [(lang, page, paths[lang][page]) for lang in LANGUAGES for page in PAGES]
    for lang, page, path in pages:
        results[(page, lang)] = {"path": path}

    if "uncached" in MODES:
        # Django's dummy cache: nothing is ever found, every request renders.
        stack.start_app(uncached=True)
        for lang, page, path in pages:
            results[(page, lang)]["uncached"] = load(stack.app_url + path)
        results["rss uncached"] = stack.worker_rss_mib()
        counts = query_counts(stack.env | UNCACHED, [p for *_, p in pages])
        for lang, page, path in pages:
            results[(page, lang)]["queries cold"] = counts[path]

    stack.start_app()
    for lang, page, path in pages:
        stack.flush_cache()
        status, ms = curl_time(stack.app_url + path)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
        results[(page, lang)]["first"] = ms
    stack.flush_cache()
    if "cached" in MODES:
        for lang, page, path in pages:
            results[(page, lang)]["cached"] = load(stack.app_url + path)
        results["rss cached"] = stack.worker_rss_mib()
    counts = query_counts(stack.env, [p for *_, p in pages])
    for lang, page, path in pages:
        results[(page, lang)]["queries warm"] = counts[path]

    story = paths[LANGUAGES[0]]["story"]
    html = stack.dir / "story.html"
    subprocess.run(["curl", "-s", "-o", str(html), stack.app_url + story], check=True)  # noqa: S603, S607
    results["story bytes"] = html.stat().st_size

    if "front" in MODES:
        stack.start_front()
        for lang, page, path in pages:
            results[(page, lang)]["front"] = load(stack.web_url + path)
        results["rss front"] = stack.worker_rss_mib()

    nginx, url = static_nginx(html, run_dir=stack.dir)
    try:
        results["static"] = load(url)
    finally:
        kill_group(nginx)


def load(url: str):
    wrk(url, duration=WARMUP, connections=CONNECTIONS, threads=THREADS)
    # wrk leaves requests queued at gunicorn when it stops; one more waits them out.
    curl_time(url)
    result = wrk(url, duration=DURATION, connections=CONNECTIONS, threads=THREADS)
    if result.errors or result.bad_status:
        say(f"# {url}: {result.errors} socket errors, {result.bad_status} responses >= 400")
    print(  # progress, while the table waits for the end
        f"  {url}: {result.requests_per_second:.0f} req/s, p99 {result.p99_ms:.0f} ms",
        file=sys.stderr,
        flush=True,
    )
    return result


def cell(result) -> str:
    if result is None:
        return f"{'-':>16}"
    rps = result.requests_per_second
    return f"{rps:>7.{1 if rps < 10 else 0}f} {result.p99_ms:>8.1f}"


def rss_text(values: list[float]) -> str:
    if not values:
        return "-"
    return (
        f"{len(values)} workers, {sum(values) / len(values):.0f} MiB each (max {max(values):.0f})"
    )


def print_ours(results: dict) -> None:
    say()
    say("newsroom: req/s and p99 ms per mode; first = one request after a cache flush;")
    say("queries = SQL of a request with the cache empty / warm")
    say(
        f"{'page':<8}{'lang':<5}{'first ms':>9}  {'uncached':>16}  {'cached':>16}  "
        f"{'front':>16}  {'queries':>8}"
    )
    for (page, lang), row in ((k, v) for k, v in results.items() if isinstance(k, tuple)):
        queries = f"{row.get('queries cold', '-')}/{row.get('queries warm', '-')}"
        say(
            f"{page:<8}{lang:<5}{row.get('first', float('nan')):>9.0f}  "
            f"{cell(row.get('uncached'))}  {cell(row.get('cached'))}  {cell(row.get('front'))}  "
            f"{queries:>8}"
        )
    static = results.get("static")
    say(
        f"nginx, the story's HTML ({results.get('story bytes', 0)} bytes) as a file: "
        f"{static.requests_per_second:.0f} req/s, p99 {static.p99_ms:.1f} ms"
    )
    for mode in ("uncached", "cached", "front"):
        if f"rss {mode}" in results:
            say(f"gunicorn {mode}: {rss_text(results[f'rss {mode}'])}")


def run_wagtail() -> dict:
    """The anchor's own bench.sh, same knobs, from a writable copy; its lines parsed."""
    say(f"\n# Wagtail anchor: {WAGTAIL_ANCHOR} (copied to {WAGTAIL_WORKDIR})")
    WAGTAIL_WORKDIR.mkdir(parents=True, exist_ok=True)
    for item in WAGTAIL_ANCHOR.iterdir():
        target = WAGTAIL_WORKDIR / item.name
        if item.is_dir():
            shutil.copytree(item, target, dirs_exist_ok=True)
        else:
            shutil.copy(item, target)
    subprocess.run(["chmod", "-R", "u+w", str(WAGTAIL_WORKDIR)], check=True)  # noqa: S603, S607
    parts = urlsplit(server_url())
    env = os.environ | {
        "DB_NAME": WAGTAIL_DB,
        "PGHOST": parts.hostname or "127.0.0.1",
        "PGPORT": str(parts.port or 5432),
        "PGUSER": parts.username or "postgres",
        "ARTICLES": str(STORIES),
        "WORKERS": str(WORKERS),
        "THREADS": str(THREADS),
        "CONNECTIONS": str(CONNECTIONS),
        "DURATION": DURATION,
        "WARMUP": WARMUP,
    }
    if parts.password:
        env["PGPASSWORD"] = parts.password
    for name in ("DATABASE_URL", "CACHE_URL", "DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    process = subprocess.Popen(  # noqa: S603
        ["bash", str(WAGTAIL_WORKDIR / "bench.sh")],  # noqa: S607
        cwd=WAGTAIL_WORKDIR,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    lines = []
    try:
        for line in process.stdout:
            say("  " + line.rstrip())
            lines.append(line)
        process.wait()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # bench.sh's trap stops its servers
            process.wait(timeout=60)
    if process.returncode != 0:
        raise RuntimeError(f"the Wagtail anchor's bench.sh failed ({process.returncode})")
    parsed = {}
    for line in lines:
        found = re.match(r"wagtail (\w+) ([\w-]+): (\d+) req/s, p99 ([\d.]+) ms", line)
        if found:
            page, mode, rps, p99 = found.groups()
            parsed[(page, mode)] = (float(rps), float(p99))
        found = re.match(r"nginx static article .*: (\d+) req/s, p99 ([\d.]+) ms", line)
        if found:
            parsed[("article", "static")] = (float(found.group(1)), float(found.group(2)))
    return parsed


def print_ratios(results: dict, wagtail: dict) -> None:
    """Ours / Wagtail, req/s, for the pages both measure (home and a story, Kyrgyz)."""
    say()
    say("ratios, req/s ours / Wagtail's, same run (target of issue 12 in brackets)")
    say(f"{'comparison':<52}{'home ky':>9}{'story ky':>10}")
    rows = [
        ("uncached / uncached (cold render) [>= 3]", "uncached", "uncached"),
        ("cached / page-cached (whole-page cache) [>= 2]", "cached", "page-cached"),
        ("cached / fragment-cached", "cached", "fragment-cached"),
        ("front / Wagtail's page as an nginx file", "front", "static"),
    ]
    for label, ours, theirs in rows:
        cells = []
        for page, their_page in (("home", "home"), ("story", "article")):
            mine = results.get((page, "ky"), {}).get(ours)
            other = wagtail.get(("article" if theirs == "static" else their_page, theirs))
            cells.append(f"{mine.requests_per_second / other[0]:.2f}" if mine and other else "-")
        say(f"{label:<52}{cells[0]:>9}{cells[1]:>10}")
    static, front = results.get("static"), results.get(("story", "ky"), {}).get("front")
    if static and front:
        share = front.requests_per_second / static.requests_per_second
        say(f"{'front / our story as an nginx file [>= 0.5]':<52}{'':>9}{share:>10.2f}")


if __name__ == "__main__":
    sys.exit(main())
