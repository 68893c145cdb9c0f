"""Write one dated archive of the database and the media files, for cron or a systemd timer.

The archive (`newsroom-backup-<UTC time>.tar.gz`) is what `manage.py restore` reads on a new
host; docs/backup.md says what it holds and what it does not (the `.env` and SECRET_KEY).
Any failure exits non-zero with one line saying why and leaves no archive behind.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from newsroom.backups import BackupError, create_backup


class Command(BaseCommand):
    help = "Back up the database and the media (MEDIA_ROOT or the bucket) into one .tar.gz archive."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            type=Path,
            default=None,
            help="Folder for the archive (default: NEWSROOM_BACKUP_DIR, else backups/).",
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=None,
            help="Afterwards delete all but the newest KEEP archives in that folder.",
        )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        try:
            report = create_backup(
                output_dir=options["output_dir"] or Path(settings.NEWSROOM_BACKUP_DIR),
                keep=options["keep"],
                progress=self.stdout.write if verbosity >= 2 else lambda message: None,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity:
            counts = ", ".join(
                f"{n} {name.replace('_', ' ')}" for name, n in report.summary.items()
            )
            size = report.path.stat().st_size / 1024 / 1024
            self.stdout.write(
                self.style.SUCCESS(f"Backup written: {report.path} ({size:.1f} MiB; {counts}).")
            )
            for old in report.removed:
                self.stdout.write(f"Removed the old archive {old.name}.")
