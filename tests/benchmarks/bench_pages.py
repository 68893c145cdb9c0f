"""Time every public page on an archive of stories and print the numbers.

    make bench                                     # SQLite, 1,000 stories
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom make bench
    BENCH_STORIES=10000 make bench

Builds a throw-away test database (test_<name>), fills it with tests.factories'
make_archive(), then requests each page once with an empty cache (the first
reader) and BENCH_REQUESTS times with warm fragments, through Django's test
client (no network, no web server: this measures our code and the database).
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import inprocess  # noqa: E402, F401  (sets Django up)
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


def pages(archive: dict) -> dict[str, str]:
    story, rubric, day = archive["story"], archive["rubric"], archive["day"]
    return {
        "home ky": "/ky/",
        "home ru": "/ru/",
        "story ky": f"/ky/news/{story.slug}/",
        "rubric ru": f"/ru/rubric/{rubric.slug_ru}/",
        "rubric ru p.5": f"/ru/rubric/{rubric.slug_ru}/?page=5",
        "tag ky": "/ky/tag/teg-1/",
        "archive day ky": f"/ky/archive/{day.year}/{day.month}/{day.day}/",
        "search ru": "/ru/search/?q=бюджете",
        "search ky": "/ky/search/?q=бюджет",
        "rates ky": "/ky/rates/",
        "rss ky": "/ky/rss/",
        "sitemap": "/sitemap.xml",
    }


def measure(client: Client, path: str, repeat: int) -> tuple[float, float, float, int]:
    cache.clear()
    start = time.perf_counter()
    response = client.get(path)
    cold = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (path, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    warm_queries = len(queries)  # read now: the next request clears the log
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    return cold, statistics.median(timings), p95, warm_queries


def main() -> None:
    from rates.demo import load_demo_rates
    from tests.factories import make_archive

    size = int(os.environ.get("BENCH_STORIES", "1000"))
    repeat = int(os.environ.get("BENCH_REQUESTS", "50"))
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        archive = make_archive(size=size)
        load_demo_rates(days=30)
        client = Client()
        print(f"{connection.vendor}, {size} stories, {repeat} warm requests per page")
        print(f"{'page':<16} {'first ms':>9} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
        for name, path in pages(archive).items():
            cold, median, p95, queries = measure(client, path, repeat)
            print(f"{name:<16} {cold:>9.1f} {median:>10.1f} {p95:>8.1f} {queries:>8}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
