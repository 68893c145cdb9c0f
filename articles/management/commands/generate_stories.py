"""manage.py generate_stories N: a large archive of realistic stories (articles/generate.py)."""

import os
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from articles.generate import generate_stories


class Command(BaseCommand):
    help = (
        "Create N published stories in Kyrgyz and Russian (some in one language) with "
        "rubrics, places, tags, bylines and approved comments, for load tests. On "
        "PostgreSQL, from 2,000 stories on, the full-text indexes are rebuilt at the end."
    )

    def add_arguments(self, parser):
        parser.add_argument("count", type=int, help="how many stories to create")
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=1, help="same seed, same archive")
        parser.add_argument(
            "--images", action="store_true", help="give the stories photos (a few shared files)"
        )

    def handle(self, *args, count, batch_size, seed, images, **options):
        if count < 1 or batch_size < 1:
            raise CommandError("count and --batch-size must be positive")
        show = options["verbosity"] > 0

        def progress(done: int, total: int, seconds: float) -> None:
            if show:
                self.stderr.write(f"\r  {done}/{total} stories  {seconds:.1f} s", ending="")
                self.stderr.flush()

        cpu, database_cpu = time.process_time(), database_cpu_seconds()
        result = generate_stories(
            count=count, batch_size=batch_size, seed=seed, images=images, progress=progress
        )
        if not show:
            return
        self.stderr.write("")
        # On a shared machine the wall time says little; the CPU spent says what it costs.
        cost = f"CPU: this process {time.process_time() - cpu:.1f} s"
        if database_cpu is not None and (after := database_cpu_seconds()) is not None:
            cost += f", its PostgreSQL backend {after - database_cpu:.1f} s"
        self.stdout.write(
            f"Created {result.stories} stories and {result.comments} comments "
            f"in {result.seconds:.1f} s ({cost})."
        )


def database_cpu_seconds() -> float | None:
    """CPU time of this connection's PostgreSQL backend, when it runs on this host."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None  # another host, or not ours to read
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
