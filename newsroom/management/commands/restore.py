"""Restore an archive made by `manage.py backup` into an empty database and MEDIA_ROOT/bucket.

Made for moving the site to a new host or recovering it: the whole archive is verified
first, the database is loaded in one transaction, and only then are the media files moved
into place (or uploaded into the media bucket, with MEDIA_STORAGE=s3). A database with
tables is refused unless --force. Any failure exits non-zero with one line saying what
happened and what state it left.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from newsroom.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and MEDIA_ROOT (or media bucket)."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="A newsroom-backup-*.tar.gz file.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace everything in a database that is not empty (in the same transaction).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Verify the archive and the target; change nothing.",
        )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        try:
            report = restore_backup(
                archive=options["archive"],
                force=options["force"],
                dry_run=options["dry_run"],
                progress=self.stdout.write if verbosity >= 2 else lambda message: None,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if not verbosity:
            return
        counts = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in report.summary.items())
        made = report.manifest["created_at"]
        if report.dry_run:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Dry run, nothing changed: {options['archive']} (made {made}) is intact "
                    f"and can be restored here ({counts})."
                )
            )
            return
        self.stdout.write(
            self.style.SUCCESS(f"Restored {options['archive']} (made {made}): {counts}.")
        )
        if report.pending_migrations:
            self.stdout.write(
                self.style.WARNING(
                    f"This code has {report.pending_migrations} migrations the archive lacks: "
                    "run `manage.py migrate` next."
                )
            )
        if not report.cache_cleared:
            self.stdout.write(
                self.style.WARNING("The cache could not be cleared; clear it before serving.")
            )
