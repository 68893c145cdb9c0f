"""Back up and restore the whole site: the database and the uploaded media, in one archive.

An archive is `newsroom-backup-<UTC time>.tar.gz` holding one folder with

- `manifest.json`: format, versions, when it was made, row counts per table, media totals;
- `SHA256SUMS`: the checksum of every other file (`sha256sum -c SHA256SUMS` checks it by hand);
- `database.pgdump` (`pg_dump --format=custom`) or `database.sqlite3` (SQLite's online
  backup), whichever the site runs on;
- `media/`: the uploaded media as they were (story images, gallery photos and
  their renditions): MEDIA_ROOT's files, or with MEDIA_STORAGE=s3 every object of the media bucket,
  downloaded, under the same names;
- `media-objects.json` (bucket backups only): each object's Content-Type and Cache-Control,
  which a restore puts back with it.

An archive restores onto either kind of storage: `media/` is put back into MEDIA_ROOT or
uploaded into the bucket, whichever the restoring site uses.

Both directions check everything they can before they change anything, and raise
`BackupError` with a one-line message when they cannot go on. A backup is written under a
temporary name and renamed only when complete; a restore verifies the whole archive, loads
the database in one transaction and only then moves the media files into place (or
uploads them into the bucket).
"""

import functools
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import subprocess  # noqa: S404  # pg_dump, pg_restore and psql are the tools for the job
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import django
from botocore.exceptions import BotoCoreError, ClientError
from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from newsroom import mediastore

FORMAT = 1
ARCHIVE_PREFIX = "newsroom-backup-"
ARCHIVE_SUFFIX = ".tar.gz"
MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
MEDIA = "media"
MEDIA_OBJECTS = "media-objects.json"
DUMP_FILES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
# What the one-line summaries count, by model: the tables an operator cares about.
SUMMARY_MODELS = {
    "stories": "articles.Article",
    "comments": "comments.Comment",
    "rates": "rates.Rate",
    "users": "auth.User",
    "revisions": "reversion.Revision",
}
CHUNK = 1024 * 1024

Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    """The default progress callback: say nothing."""


class BackupError(Exception):
    """Backup or restore could not go on; str() is one line saying why."""

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))


@dataclass(frozen=True)
class BackupReport:
    path: Path
    manifest: dict
    removed: list[Path]

    @property
    def summary(self) -> dict[str, int]:
        return self.manifest["summary"]


@dataclass(frozen=True)
class RestoreReport:
    manifest: dict
    media_files: int
    dry_run: bool
    pending_migrations: int
    cache_cleared: bool

    @property
    def summary(self) -> dict[str, int]:
        return self.manifest["summary"]


# --- Small helpers ---------------------------------------------------------------------------


def _reports_errors(function):
    """An unreachable database or a full disk is one more BackupError, not a traceback."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except DatabaseError as exc:
            raise BackupError(f"The database failed: {exc}") from exc
        except OSError as exc:
            where = f" ({exc.filename})" if exc.filename else ""
            raise BackupError(f"{exc.strerror or exc}{where}.") from exc
        except (BotoCoreError, ClientError) as exc:
            raise BackupError(f"The media bucket failed: {exc}") from exc

    return wrapper


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _media_files(root: Path) -> Iterator[Path]:
    """Every regular file under `root`, in a stable order; links are not followed."""
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path


def _last_line(text: str) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def _run(args: list[str], *, env: dict[str, str], what: str) -> str:
    """Run a client tool; a failure becomes a BackupError with the tool's last word."""
    tool = shutil.which(args[0])
    if tool is None:
        raise BackupError(
            f"{args[0]} was not found: install the PostgreSQL client tools "
            "(Debian: apt-get install postgresql-client-15) or put them on PATH."
        )
    result = subprocess.run(  # noqa: S603  # fixed arguments, no shell
        [tool, *args[1:]], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {_last_line(result.stderr or result.stdout)}")
    return result.stdout


def _summary(tables: dict[str, int]) -> dict[str, int]:
    return {
        name: tables.get(apps.get_model(label)._meta.db_table, 0)
        for name, label in SUMMARY_MODELS.items()
    }


def _versions() -> dict[str, str]:
    try:
        newsroom = metadata.version("newsroom")
    except metadata.PackageNotFoundError:
        newsroom = "unknown"
    return {
        "newsroom": newsroom,
        "django": django.get_version(),
        "python": platform.python_version(),
    }


def _applied_migrations(connection) -> dict[str, str]:
    """The last applied migration of each app, so a reader sees which code made the dump."""
    applied = MigrationExecutor(connection).loader.applied_migrations
    latest: dict[str, str] = {}
    for app_label, name in sorted(applied):
        latest[app_label] = max(latest.get(app_label, name), name)
    return latest


def _count_rows(cursor, tables: list[str], quote: Callable[[str], str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608  # quoted names
        counts[table] = cursor.fetchone()[0]
    return counts


def _sqlite_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    return [name for (name,) in rows]


def _pg_environment(database: dict) -> dict[str, str]:
    """libpq's variables from settings.DATABASES, so no password is on a command line."""
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if database.get(key):
            env[variable] = str(database[key])
    options = database.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    return env


def _sqlite_path(database: dict) -> Path:
    name = str(database["NAME"])
    if name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        raise BackupError("The SQLite database is in memory; there is no file to back up or fill.")
    return Path(name)


# --- Backup ----------------------------------------------------------------------------------


def _dump_postgresql(*, target: Path, alias: str) -> dict:
    """Dump with pg_dump from the snapshot the row counts were taken in, so they agree."""
    connection = connections[alias]
    env = _pg_environment(connection.settings_dict)
    tool_version = _run(["pg_dump", "--version"], env=env, what="pg_dump --version").strip()
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        tables = connection.introspection.table_names(cursor)
        counts = _count_rows(cursor, tables, connection.ops.quote_name)
        migrations = _applied_migrations(connection)
        _run(
            [
                "pg_dump",
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={target}",
            ],
            env=env,
            what="pg_dump",
        )
    return {
        "vendor": "postgresql",
        "server_version": connection.pg_version,
        "tool": tool_version,
        "tables": counts,
        "migrations": migrations,
    }


def _dump_sqlite(*, target: Path, alias: str) -> dict:
    """Copy with SQLite's online backup API, then count the rows of the copy itself."""
    connection = connections[alias]
    source_path = _sqlite_path(connection.settings_dict)
    if not source_path.exists():
        raise BackupError(f"The SQLite database {source_path} does not exist.")
    source = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        counts = _count_rows(copy.cursor(), _sqlite_tables(copy), _sqlite_quote)
    except sqlite3.Error as exc:
        raise BackupError(f"Copying the SQLite database {source_path} failed: {exc}") from exc
    finally:
        copy.close()
        source.close()
    return {
        "vendor": "sqlite",
        "server_version": sqlite3.sqlite_version,
        "tool": f"sqlite3 online backup (SQLite {sqlite3.sqlite_version})",
        "tables": counts,
        "migrations": _applied_migrations(connection),
    }


DUMPERS = {"postgresql": _dump_postgresql, "sqlite": _dump_sqlite}


def _writable_folder(folder: Path) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"Cannot create the backup folder {folder}: {exc.strerror}") from exc
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise BackupError(f"Cannot write into the backup folder {folder}.")
    return folder


def archive_name(moment: datetime) -> str:
    return f"{ARCHIVE_PREFIX}{moment.astimezone(UTC):%Y-%m-%dT%H%M%SZ}{ARCHIVE_SUFFIX}"


def _prune(folder: Path, *, keep: int, progress: Progress) -> list[Path]:
    """Delete all but the newest `keep` archives of ours in `folder` (names sort by time)."""
    archives = sorted(folder.glob(f"{ARCHIVE_PREFIX}*{ARCHIVE_SUFFIX}"))
    removed = archives[:-keep] if keep > 0 else []
    for old in removed:
        progress(f"Removing the old archive {old.name}")
        old.unlink()
    return removed


@_reports_errors
def create_backup(
    *,
    output_dir: Path,
    keep: int | None = None,
    alias: str = "default",
    progress: Progress = _quiet,
    now: datetime | None = None,
) -> BackupReport:
    """Write one archive of the database and MEDIA_ROOT into `output_dir`.

    The database is dumped first, then the media: a file uploaded meanwhile is simply
    extra, while every file the dump refers to was there when the media were read.
    With `keep`, only the newest `keep` archives are kept afterwards.
    """
    vendor = connections[alias].vendor
    if vendor not in DUMPERS:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    if keep is not None and keep < 1:
        raise BackupError("--keep must be at least 1.")
    folder = _writable_folder(Path(output_dir))
    moment = now or datetime.now(UTC)
    name = archive_name(moment)
    stem = name.removesuffix(ARCHIVE_SUFFIX)
    final = folder / name
    if final.exists():
        raise BackupError(f"{final} already exists; wait a second and run the backup again.")

    # The work files live beside the archive, not in /tmp, which may be too small.
    with tempfile.TemporaryDirectory(prefix=f".{stem}-", dir=folder) as work:
        work_dir = Path(work)
        dump_name = DUMP_FILES[vendor]
        progress(f"Dumping the {vendor} database")
        database = DUMPERS[vendor](target=work_dir / dump_name, alias=alias)

        checksums = [(_sha256(work_dir / dump_name), dump_name)]
        media, media_source, extra_files = _collect_media(work_dir=work_dir, progress=progress)
        media_bytes = 0
        for path, member in media:
            checksums.append((_sha256(path), member))
            media_bytes += path.stat().st_size
        checksums += [(_sha256(work_dir / name), name) for name in extra_files]
        checksum_text = "".join(f"{digest}  {member}\n" for digest, member in checksums)
        (work_dir / CHECKSUMS).write_text(checksum_text, encoding="utf-8")

        tables = database.pop("tables")
        manifest = {
            "format": FORMAT,
            "created_at": moment.astimezone(UTC).isoformat(timespec="seconds"),
            "versions": _versions(),
            "database": database | {"file": dump_name},
            "summary": _summary(tables) | {"media_files": len(media)},
            "media": {"files": len(media), "bytes": media_bytes, "source": media_source},
            "tables": tables,
            "sha256sums": hashlib.sha256(checksum_text.encode()).hexdigest(),
        }
        (work_dir / MANIFEST).write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )

        progress(f"Writing {final}")
        partial = work_dir / f"{name}.partial"
        try:
            # Photos do not compress: the default level 9 would only cost time.
            with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
                for member in (MANIFEST, CHECKSUMS, dump_name, *extra_files):
                    archive.add(work_dir / member, arcname=f"{stem}/{member}")
                for path, member in media:
                    archive.add(path, arcname=f"{stem}/{member}", recursive=False)
            partial.chmod(0o600)  # it holds password hashes and readers' e-mail addresses
            partial.replace(final)
        except OSError as exc:
            raise BackupError(f"Writing {final} failed: {exc}") from exc
    removed = _prune(folder, keep=keep, progress=progress) if keep else []
    return BackupReport(path=final, manifest=manifest, removed=removed)


def _collect_media(*, work_dir: Path, progress: Progress) -> tuple[list, str, list[str]]:
    """The media files to archive as (path, member); where they came from; extra files.

    MEDIA_ROOT's files are archived where they lie. A bucket's objects are downloaded into
    the work folder first (so their checksums are of the bytes the archive holds), and
    their headers are written to MEDIA_OBJECTS.
    """
    if not mediastore.in_bucket():
        media_root = Path(settings.MEDIA_ROOT)
        progress(f"Reading the media files in {media_root}")
        if not media_root.is_dir():
            return [], str(media_root), []
        media = [
            (path, f"{MEDIA}/{path.relative_to(media_root).as_posix()}")
            for path in _media_files(media_root)
        ]
        return media, str(media_root), []

    source = mediastore.describe()
    progress(f"Downloading the media objects of {source}")
    media, headers = [], {}
    for stored in mediastore.objects():
        target = work_dir / MEDIA / stored.name
        if not target.resolve().is_relative_to((work_dir / MEDIA).resolve()):
            raise BackupError(f"The bucket holds an object that names no file: {stored.key!r}.")
        headers[stored.name] = mediastore.download(stored, target)
        media.append((target, f"{MEDIA}/{stored.name}"))
    (work_dir / MEDIA_OBJECTS).write_text(
        json.dumps(headers, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )
    return media, source, [MEDIA_OBJECTS]


# --- Restore ---------------------------------------------------------------------------------


def _unpack(archive: Path, into: Path) -> tuple[Path, dict]:
    """Extract and verify the whole archive; its folder and manifest, or a BackupError."""
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist or is not a file.")
    unreadable = f"{archive} is not a readable Newsroom backup"
    into.mkdir(parents=True, exist_ok=True)
    try:
        with tarfile.open(archive, "r:gz") as tar:
            # The "data" filter refuses absolute paths, `..`, links outside and devices.
            tar.extractall(into, filter="data")
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise BackupError(f"{unreadable} ({exc or type(exc).__name__}).") from exc
    except OSError as exc:
        raise BackupError(f"{unreadable} ({exc}).") from exc
    folders = list(into.iterdir())
    if len(folders) != 1 or not (folders[0] / MANIFEST).is_file():
        raise BackupError(f"{unreadable} (no {MANIFEST} in one top folder).")
    root = folders[0]
    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
        if not isinstance(manifest, dict):
            raise ValueError("not an object")
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{unreadable} ({MANIFEST} is broken: {exc}).") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"{archive} has backup format {manifest.get('format')!r}; "
            f"this Newsroom reads format {FORMAT}."
        )
    database, tables = manifest.get("database"), manifest.get("tables")
    if not (
        isinstance(database, dict)
        and database.get("vendor") in DUMP_FILES
        and database.get("file") == DUMP_FILES[database["vendor"]]
        and isinstance(tables, dict)
        and isinstance(manifest.get("summary"), dict)
    ):
        raise BackupError(f"{unreadable} ({MANIFEST} lacks the database, tables or summary).")
    _verify_checksums(root, manifest, unreadable)
    return root, manifest


def _verify_checksums(root: Path, manifest: dict, unreadable: str) -> None:
    sums_file = root / CHECKSUMS
    if not sums_file.is_file():
        raise BackupError(f"{unreadable} (no {CHECKSUMS}).")
    if _sha256(sums_file) != manifest.get("sha256sums"):
        raise BackupError(f"{unreadable} ({CHECKSUMS} does not match the manifest).")
    listed = {}
    for line in sums_file.read_text(encoding="utf-8").splitlines():
        digest, _sep, member = line.partition("  ")
        listed[member] = digest
    present = {
        path.relative_to(root).as_posix()
        for path in _media_files(root)
        if path.name not in (MANIFEST, CHECKSUMS) or path.parent != root
    }
    if missing := sorted(set(listed) - present):
        raise BackupError(f"{unreadable} ({missing[0]} is missing).")
    if extra := sorted(present - set(listed)):
        raise BackupError(f"{unreadable} ({extra[0]} is not in {CHECKSUMS}).")
    for member, digest in listed.items():
        if _sha256(root / member) != digest:
            raise BackupError(f"{unreadable} (checksum mismatch for {member}).")
    if manifest["database"]["file"] not in listed:
        raise BackupError(f"{unreadable} (no database dump).")


def _postgresql_tables(alias: str) -> list[tuple[str, str]]:
    connection = connections[alias]
    with connection.cursor() as cursor:
        found = connection.introspection.get_table_list(cursor)
    connection.close()
    return [(info.name, info.type) for info in found]


def _restore_postgresql(*, dump: Path, alias: str, wipe: bool, work_dir: Path) -> None:
    """Load the dump in ONE transaction, together with the wipe that --force asks for.

    pg_restore turns the archive into SQL first (its exit status checked), then psql runs
    the wipe and that SQL with --single-transaction: an error anywhere rolls everything
    back, and the database is as it was.
    """
    connection = connections[alias]
    env = _pg_environment(connection.settings_dict)
    quote = connection.ops.quote_name
    drops = [
        f"DROP {'VIEW' if kind == 'v' else 'TABLE'} IF EXISTS {quote(name)} CASCADE;\n"
        for name, kind in (_postgresql_tables(alias) if wipe else [])
    ]
    wipe_sql = work_dir / "wipe.sql"
    wipe_sql.write_text("".join(drops) or "SELECT 1;\n", encoding="utf-8")
    script = work_dir / "restore.sql"
    _run(
        ["pg_restore", "--no-owner", "--no-privileges", f"--file={script}", str(dump)],
        env=env,
        what="pg_restore",
    )
    _run(
        [
            "psql",
            "--no-psqlrc",
            "--quiet",
            "--set=ON_ERROR_STOP=1",
            "--single-transaction",
            f"--file={wipe_sql}",
            f"--file={script}",
        ],
        env=env,
        what="Loading the database (rolled back, the database is unchanged)",
    )


def _restore_sqlite(*, dump: Path, alias: str, wipe: bool, work_dir: Path) -> None:
    """Copy the saved database over the target with the online backup API, in one step.

    The whole copy is one write transaction of the target: it lands completely or not
    at all.
    """
    connections[alias].close()
    target_path = _sqlite_path(connections[alias].settings_dict)
    source = sqlite3.connect(f"{dump.resolve().as_uri()}?mode=ro", uri=True)
    try:
        target_path.parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(target_path)
        try:
            source.backup(target)
        finally:
            target.close()
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(f"Restoring into {target_path} failed, nothing changed: {exc}") from exc
    finally:
        source.close()


RESTORERS = {"postgresql": _restore_postgresql, "sqlite": _restore_sqlite}


def database_tables(*, alias: str = "default") -> list[str]:
    """The tables in the target database (none means it is empty and may be restored into)."""
    connection = connections[alias]
    if connection.vendor == "sqlite":
        path = _sqlite_path(connection.settings_dict)
        if not path.exists():
            return []
        connection.close()
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return _sqlite_tables(db)
        finally:
            db.close()
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    connection.close()
    return tables


def _restored_counts(*, alias: str, tables: list[str]) -> dict[str, int]:
    connection = connections[alias]
    connection.close()
    with connection.cursor() as cursor:
        return _count_rows(cursor, tables, connection.ops.quote_name)


def _pending_migrations(alias: str) -> int:
    executor = MigrationExecutor(connections[alias])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


@_reports_errors
def restore_backup(
    *,
    archive: Path,
    force: bool = False,
    dry_run: bool = False,
    alias: str = "default",
    progress: Progress = _quiet,
) -> RestoreReport:
    """Restore `archive` into an empty database and an empty MEDIA_ROOT or media bucket.

    Refuses a database that has tables, or a MEDIA_ROOT (bucket) that has files (objects),
    unless `force` (then the database's tables are dropped in the same transaction that
    loads the archive, and media files of the same name are replaced). With `dry_run`,
    everything is checked and nothing changed.
    """
    archive = Path(archive)
    vendor = connections[alias].vendor
    if vendor not in RESTORERS:
        raise BackupError(f"Restores support PostgreSQL and SQLite, not {vendor}.")
    bucket = mediastore.in_bucket()
    media_root = Path(settings.MEDIA_ROOT)
    media_target = mediastore.describe() if bucket else str(media_root)
    with tempfile.TemporaryDirectory(prefix=".newsroom-restore-") as work:
        work_dir = Path(work)
        progress(f"Checking {archive}")
        root, manifest = _unpack(archive, work_dir / "archive")
        database = manifest["database"]
        if database.get("vendor") != vendor:
            raise BackupError(
                f"{archive} holds a {database.get('vendor')} database; this site runs on "
                f"{vendor}. Restore it onto {database.get('vendor')}."
            )
        name = connections[alias].settings_dict["NAME"]
        if (tables := database_tables(alias=alias)) and not force:
            raise BackupError(
                f"The database {name} is not empty ({len(tables)} tables); restore into an "
                "empty database, or add --force to replace everything in it."
            )
        if bucket and not force and next(mediastore.objects(), None) is not None:
            raise BackupError(
                f"The media bucket {media_target} already holds objects; restore into an "
                "empty bucket, or add --force to overwrite objects of the same name."
            )
        if (
            not bucket
            and not force
            and media_root.is_dir()
            and next(_media_files(media_root), None) is not None
        ):
            raise BackupError(
                f"MEDIA_ROOT {media_root} already holds files; restore into an empty folder, "
                "or add --force to overwrite files of the same name."
            )
        media = list(_media_files(root / MEDIA))
        headers = _media_headers(root)
        if dry_run:
            return RestoreReport(
                manifest=manifest,
                media_files=len(media),
                dry_run=True,
                pending_migrations=0,
                cache_cleared=False,
            )

        progress(f"Loading the database into {name}")
        RESTORERS[vendor](
            dump=root / database["file"], alias=alias, wipe=bool(tables), work_dir=work_dir
        )
        counts = _restored_counts(alias=alias, tables=list(manifest["tables"]))
        if counts != manifest["tables"]:
            wrong = next(t for t in counts if counts[t] != manifest["tables"][t])
            raise BackupError(
                f"The database was restored but differs from the archive: {wrong} has "
                f"{counts[wrong]} rows, the archive {manifest['tables'][wrong]}."
            )

        progress(f"Putting {len(media)} media files into {media_target}")
        moved = 0
        try:
            for path in media:
                name = path.relative_to(root / MEDIA).as_posix()
                if bucket:
                    mediastore.upload(path, name, headers.get(name))
                else:
                    destination = media_root / name
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(path, destination)
                moved += 1
        except (OSError, BotoCoreError, ClientError) as exc:
            raise BackupError(
                f"The database was restored, but only {moved} of {len(media)} media files "
                f"reached {media_target} ({exc}); fix that and run restore again with --force."
            ) from exc
    return RestoreReport(
        manifest=manifest,
        media_files=moved,
        dry_run=False,
        pending_migrations=_pending_migrations(alias),
        cache_cleared=_clear_cache(),
    )


def _media_headers(root: Path) -> dict[str, dict[str, str]]:
    """The saved headers of a bucket's objects, by media name (none for a MEDIA_ROOT backup)."""
    path = root / MEDIA_OBJECTS
    if not path.is_file():
        return {}
    try:
        headers = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{MEDIA_OBJECTS} in the archive is broken: {exc}.") from exc
    return headers if isinstance(headers, dict) else {}


def _clear_cache() -> bool:
    """Drop cached fragments of whatever the database held before; False if unreachable."""
    try:
        caches["default"].clear()
    except Exception:  # any cache backend's failure: the restore itself stands
        return False
    return True
