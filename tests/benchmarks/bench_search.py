"""Time the search page on a large archive of real Kyrgyz and Russian text.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom python tests/benchmarks/bench_search.py
    BENCH_STORIES=100000 BENCH_REQUESTS=50 ...                # the size the site must hold

Builds a throw-away test database (test_<name>) with BENCH_STORIES published
stories whose titles, leads and bodies are sentences of the demo corpus
(articles/demo_data), so words repeat as in news and the Kyrgyz search
documents are real stems. Then requests /ky/search/ and /ru/search/ for
inflected words (rare to common), two-word queries and typos through Django's
test client, and prints the median and 95th percentile of the whole request and
the 95th percentile of its SQL time (the database part), per query and overall.
"""

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import inprocess  # noqa: E402, F401  (sets Django up)
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

QUERIES = {
    "ky": [
        "мектептер",  # stemmed: finds мектеп, мектепте, мектебинде
        "Бишкекте",
        "президенттин",
        "сотко",
        "адамдардын",  # common
        "кылмыш иши",  # two words
        "Кыргызстандагы мыйзамдар",
        "мектпе",  # typo: no exact match, trigram fallback
        "Бишкк",
    ],
    "ru": ["бюджета", "конференции", "разоружения", "Генеральной Ассамблеи", "конферецния"],
}
BATCH = 2000
# Stories stemmed one by one in Python; beyond this many, PostgreSQL copies them
# (older, with new slugs) so a 100,000-story archive builds in minutes.
UNIQUE_STORIES = 10_000


def build(size: int) -> None:
    from articles.models import Article
    from articles.search_document import kyrgyz_document
    from tests.factories import make_rubric

    data = Path(__file__).resolve().parents[2] / "articles" / "demo_data"
    ky = (data / "ky-sentences.txt").read_text().splitlines()
    ru = (data / "ru-sentences.txt").read_text().splitlines()
    rubrics = [make_rubric(slug_ky=f"r-{n}", slug_ru=f"r-ru-{n}") for n in range(5)]
    rng = random.Random(13)
    now = timezone.now()
    unique = size if connection.vendor != "postgresql" else min(size, UNIQUE_STORIES)
    for start in range(0, unique, BATCH):
        stories = []
        for n in range(start, min(unique, start + BATCH)):
            title_ky, lead_ky, *body_ky = rng.sample(ky, 10)
            title_ru, lead_ru, *body_ru = rng.sample(ru, 10)
            body_ky = "".join(f"<p>{line}</p>" for line in body_ky)
            stories.append(
                Article(
                    title_ky=title_ky,
                    lead_ky=lead_ky,
                    body_ky=body_ky,
                    search_ky=kyrgyz_document(title=title_ky, lead=lead_ky, body=body_ky),
                    title_ru=title_ru,
                    lead_ru=lead_ru,
                    body_ru="".join(f"<p>{line}</p>" for line in body_ru),
                    has_ky=True,
                    has_ru=True,
                    slug_ky=f"s-{n}",
                    slug_ru=f"r-{n}",
                    rubric=rubrics[n % 5],
                    status=Article.Status.PUBLISHED,
                    published_at=now - timedelta(minutes=10 * n + 1),
                )
            )
        Article.objects.bulk_create(stories)
    columns = [
        field.column
        for field in Article._meta.concrete_fields
        if field.column not in ("id", "slug", "slug_ky", "slug_ru", "published_at")
    ]
    copied = unique
    with connection.cursor() as cursor:
        while copied < size:
            count = min(unique, size - copied)
            # Column names come from the model; the values go as parameters.
            names = ", ".join(columns)
            sql = (
                f"INSERT INTO articles_article ({names}, slug, slug_ky, slug_ru, published_at) "  # noqa: S608
                f"SELECT {names}, slug || '-' || %s, slug_ky || '-' || %s, slug_ru || '-' || %s, "
                "published_at - make_interval(mins => 10 * %s) "
                "FROM articles_article WHERE slug NOT LIKE '%%-%%-%%' ORDER BY id LIMIT %s"
            )
            cursor.execute(sql, [copied, copied, copied, copied, count])
            copied += count
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE articles_article" if connection.vendor == "postgresql" else "ANALYZE"
        )


def p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def main() -> None:
    size = int(os.environ.get("BENCH_STORIES", "10000"))
    repeat = int(os.environ.get("BENCH_REQUESTS", "30"))
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        build(size)
        built = time.perf_counter() - started
        print(f"{connection.vendor}, {size} stories (built in {built:.0f} s), {repeat} requests")
        print(f"{'query':<34} {'found':>6} {'median ms':>10} {'p95 ms':>8} {'SQL p95 ms':>11}")
        client = Client()
        everything, all_sql = [], []
        for language, queries in QUERIES.items():
            for query in queries:
                path = f"/{language}/search/"
                response = client.get(path, {"q": query})  # warm the connection and plans
                found = response.context["paginator"].count
                timings, sql_timings = [], []
                for _ in range(repeat):
                    with CaptureQueriesContext(connection) as queries:
                        start = time.perf_counter()
                        client.get(path, {"q": query})
                        timings.append((time.perf_counter() - start) * 1000)
                    sql_timings.append(sum(float(q["time"]) for q in queries) * 1000)
                everything += timings
                all_sql += sql_timings
                label = f"{language}: {query}"
                print(
                    f"{label:<34} {found:>6} {statistics.median(timings):>10.1f} "
                    f"{p95(timings):>8.1f} {p95(sql_timings):>11.1f}"
                )
        print(
            f"{'all queries':<34} {'':>6} {statistics.median(everything):>10.1f} "
            f"{p95(everything):>8.1f} {p95(all_sql):>11.1f}"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
