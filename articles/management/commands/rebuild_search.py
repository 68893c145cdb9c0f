"""Rebuild every story's Kyrgyz search document.

Stories are stemmed when they are saved; after a change to
articles.kyrgyz_stemmer the stored stems follow the old rules until this
command runs. `--dry-run` only counts the stories it would stem again.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from articles.models import Article
from articles.search_document import kyrgyz_document

BATCH_SIZE = 500


class Command(BaseCommand):
    help = "Stem every story's Kyrgyz text again and store it for search."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, write nothing.")

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        stories = Article.objects.only("title_ky", "lead_ky", "body_ky").order_by("pk")
        if dry_run:
            count = stories.count()
        else:
            count = 0
            with transaction.atomic():
                batch = []
                for story in stories.iterator(chunk_size=BATCH_SIZE):
                    story.search_ky = kyrgyz_document(
                        title=story.title_ky or "",
                        lead=story.lead_ky or "",
                        body=story.body_ky or "",
                    )
                    batch.append(story)
                    if len(batch) == BATCH_SIZE:
                        count += Article.objects.bulk_update(batch, ["search_ky"])
                        batch = []
                count += Article.objects.bulk_update(batch, ["search_ky"])
        if verbosity:
            verb = "would rebuild" if dry_run else "rebuilt"
            self.stdout.write(self.style.SUCCESS(f"Search documents {verb}: {count}."))
