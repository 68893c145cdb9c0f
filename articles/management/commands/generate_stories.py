"""manage.py generate_stories N: a large archive of realistic stories (articles/generate.py)."""

import time

from django.core.management.base import BaseCommand, CommandError

from articles.generate import database_cpu_seconds, generate_stories


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
            spent = after - database_cpu + (result.writer_database_cpu or 0)
            cost += f", its PostgreSQL backends {spent:.1f} s"
        self.stdout.write(
            f"Created {result.stories} stories and {result.comments} comments "
            f"in {result.seconds:.1f} s ({cost})."
        )
