"""Does a page cost more as the archive grows? `make bench-growth`.

    make bench-growth                                  # 1,000 against 100,000 stories
    SMALL=1000 LARGE=100000 REQUESTS=30 make bench-growth

Two archives (`generate_stories`, each in a PostgreSQL database of its own, reused when
it holds exactly that many stories, as `make bench-load` does), then, per archive and
page (home, a story 100 back, its rubric and tag, a search for a word of its title, in
Kyrgyz and Russian), REQUESTS cold renders in one process with production settings:
the dummy cache and no page cache, so every request reads the database and renders,
through Django's test Client. Prints the median time of each page per archive, the
ratio large / small (issue 12's target: at most 1.1) and, for the large archive, the
95th percentile of searches for ten words of different frequency (target: < 50 ms).

In-process, so no server, wrk or network is involved: the figure is our code and the
database. Medians of many requests, because the machine may be shared.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadstack import (  # noqa: E402
    ROOT,
    UNCACHED,
    Archive,
    env_int,
    manage,
    page_paths,
    production_environment,
    say,
)

SMALL = env_int("SMALL", 1000)
LARGE = env_int("LARGE", 100000)
REQUESTS = env_int("REQUESTS", 30)
LANGUAGES = os.environ.get("LANGUAGES", "ky ru").split()
PAGES = ("home", "story", "rubric", "tag", "search")

TIMING_SNIPPET = """
import json, re, statistics, time
from urllib.parse import quote
from django.test import Client
from articles.models import Article
client = Client()
paths, requests = json.loads(%r), %d
result = {}
for path in paths:
    for _ in range(3):
        assert client.get(path).status_code == 200, path
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - start) * 1000)
    result[path] = statistics.median(times)
# Searches for words of the archive's titles, from rare to common, in each language.
searches = []
for language in %r:
    titles = Article.objects.live(language).order_by("-published_at")
    words = []
    for title in titles.values_list("title_" + language, flat=True)[:400:40]:
        found = re.findall(r"\\w{5,}", title)
        if found:
            words.append(found[0])
    for word in words:
        path = f"/{language}/search/?q={quote(word)}"
        client.get(path)
        for _ in range(3):
            start = time.perf_counter()
            assert client.get(path).status_code == 200, path
            searches.append((time.perf_counter() - start) * 1000)
searches.sort()
result["search_p95"] = searches[max(0, int(len(searches) * 0.95) - 1)] if searches else 0
result["search_median"] = statistics.median(searches) if searches else 0
result["search_count"] = len(searches)
print(json.dumps(result))
"""


def environment(database_url: str) -> dict[str, str]:
    return production_environment(
        DEBUG="0",
        SECRET_KEY="growth-benchmark-" + "x" * 40,
        DATABASE_URL=database_url,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        STATIC_MANIFEST="0",
        **UNCACHED,
    )


def measure(stories: int) -> tuple[dict, dict]:
    archive = Archive(stories, os.environ.get(f"BENCH_DB_{stories}", f"newsroom_bench_{stories}"))
    env = environment(archive.url)
    archive.ensure(env)
    paths = page_paths(env)
    wanted = [paths[lang][page] for lang in LANGUAGES for page in PAGES]
    out = manage(
        env, "shell", "-v0", "-c", TIMING_SNIPPET % (json.dumps(wanted), REQUESTS, LANGUAGES)
    )
    return paths, json.loads(out.strip().splitlines()[-1])


def main() -> int:
    os.chdir(ROOT)
    results = {}
    for stories in (SMALL, LARGE):
        say(f"# {stories} stories: {REQUESTS} cold renders per page")
        results[stories] = measure(stories)
    say(f"\nmedian ms of a cold render (dummy cache, no page cache), {SMALL} vs {LARGE} stories")
    say(f"{'page':8}{'lang':6}{SMALL:>10}{LARGE:>10}   ratio [<= 1.1]")
    worst = 0.0
    for lang in LANGUAGES:
        for page in PAGES:
            small = results[SMALL][1][results[SMALL][0][lang][page]]
            large = results[LARGE][1][results[LARGE][0][lang][page]]
            ratio = large / small if small else 0
            worst = max(worst, ratio)
            say(f"{page:8}{lang:6}{small:10.1f}{large:10.1f}   {ratio:5.2f}")
    big = results[LARGE][1]
    say(
        f"\nsearch at {LARGE} stories: {big['search_count']} requests, median "
        f"{big['search_median']:.1f} ms, p95 {big['search_p95']:.1f} ms [< 50]"
    )
    say(f"worst growth ratio {worst:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
