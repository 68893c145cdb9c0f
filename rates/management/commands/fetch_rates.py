"""Import the National Bank's official exchange rates.

Run from cron or a systemd timer a few times a day (see docs/rates.md): the header widget
on every page shows whatever this stored last. Without options it reads the bank's daily
file and, for currencies not in it, the weekly file. Any failure exits non-zero with one
line saying why, and leaves the stored rates exactly as they were.
"""

from django.core.management.base import BaseCommand, CommandError

from rates.services import DEFAULT_TIMEOUT, RatesImportError, import_rates


class Command(BaseCommand):
    help = "Import the NBKR exchange rates (daily.xml plus weekly.xml by default)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--url",
            action="append",
            default=[],
            help="Feed URL instead of the NBKR ones; repeatable.",
        )
        parser.add_argument(
            "--file", action="append", default=[], help="Read a saved feed file; repeatable."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; write nothing."
        )
        parser.add_argument(
            "--overwrite-manual",
            action="store_true",
            help="Replace rates that editors corrected by hand.",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=DEFAULT_TIMEOUT,
            help="Seconds in all for each download (connection, headers and body).",
        )

    def handle(self, *args, **options):
        try:
            report = import_rates(
                urls=options["url"],
                files=options["file"],
                dry_run=options["dry_run"],
                keep_manual=not options["overwrite_manual"],
                timeout=options["timeout"],
            )
        except RatesImportError as exc:
            raise CommandError(str(exc)) from exc

        verbosity = options["verbosity"]
        for change in report.changes:
            # Level 1 lists what changes, level 2 also what stayed the same.
            if verbosity >= 2 or (verbosity and change.kind != "unchanged"):
                rate = change.rate
                old = "" if change.old_value is None else f" (was {change.old_value.normalize()})"
                self.stdout.write(
                    f"{change.kind:>11} {rate.code} {rate.date:%d.%m.%Y} "
                    f"{rate.value.normalize()}{old}"
                )
        if verbosity:
            prefix = "Dry run, nothing written: would be" if report.dry_run else "Rates"
            self.stdout.write(
                self.style.SUCCESS(
                    f"{prefix} {report.created} created, {report.updated} updated, "
                    f"{report.unchanged} unchanged, {report.kept_manual} hand corrections kept."
                )
            )
