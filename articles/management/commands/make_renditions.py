"""Make the photo renditions the pages show, for images stored without them.

Renditions are made at upload; images uploaded before they were kept on the row
(or every image, with --all, after NEWSROOM_RENDITION_WIDTHS changed) get them here.
Pages show no picture for an image without renditions rather than decode it.
"""

from django.core.management.base import BaseCommand

from articles.images import renditions_refresh
from articles.models import Article, Photo


class Command(BaseCommand):
    help = "Make the renditions of story images and photos that have none (or all, with --all)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Remake every rendition.")
        parser.add_argument("--dry-run", action="store_true", help="Only count them.")

    def handle(self, *args, **options):
        made = failed = 0
        for model in (Article, Photo):
            image_field, *_focal, manifest_field = model.rendition_fields
            rows = model.objects.exclude(**{image_field: ""}).order_by("pk")
            if not options["all"]:
                rows = rows.filter(**{manifest_field: {}})
            for obj in rows.iterator():
                if options["dry_run"]:
                    made += 1
                    continue
                try:
                    renditions_refresh(obj=obj, fields=model.rendition_fields)
                except (OSError, ValueError, SyntaxError) as error:
                    failed += 1
                    self.stderr.write(f"{model.__name__} {obj.pk}: {error}")
                else:
                    made += 1
                    if options["verbosity"] > 1:
                        self.stdout.write(f"{model.__name__} {obj.pk}")
        if options["verbosity"]:
            verb = "would be made" if options["dry_run"] else "made"
            self.stdout.write(
                self.style.SUCCESS(f"Renditions {verb} for {made} images; {failed} failed.")
            )
