"""`manage.py backup` and `manage.py restore`, run as an operator runs them: as processes.

The round trips build a site, back it up, restore the archive into a new, empty database
with another MEDIA_ROOT, and compare every table row by row and every media file byte by
byte. The refusals prove that a restore never lands on data it would destroy, and that a
damaged archive is refused before anything changes.
"""

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from datetime import date
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import translation
from psycopg import sql

from articles.images import renditions_make
from articles.models import Article, Tag
from articles.workflow import publish, submit_for_review
from comments.services import comment_approve, comment_create
from rates.services import import_rates
from tests.articles.admin_client import png_upload
from tests.factories import make_article, make_rubric, make_user

MANAGE = str(settings.BASE_DIR / "manage.py")
DAILY_FEED = settings.BASE_DIR / "tests" / "fixtures" / "nbkr" / "daily-2026-07-03.xml"


def manage(*args: str, database_url: str, media_root: Path, **env: str):
    """Run manage.py like a production host: settings from the environment only."""
    relaxed = {"SECRET_KEY", "DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE"}
    relaxed |= {"CSRF_COOKIE_SECURE", "STATIC_MANIFEST", "DATABASE_URL", "MEDIA_ROOT"}
    clean = {k: v for k, v in os.environ.items() if k not in relaxed}
    clean |= {
        "NEWSROOM_ENV_FILE": os.devnull,
        "SECRET_KEY": "backup-tests-production-like-secret-key-0123456789-abcdefghijklmn",
        "ALLOWED_HOSTS": "news.example.kg",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
        # restore clears the cache: never the one the test run shares (Redis in CI)
        "CACHE_URL": "locmemcache://backup-tests",
        "NEWSROOM_DEMO_PASSWORD": "demo-password-for-backup-tests",
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, MANAGE, *args],
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def ok(result) -> str:
    assert result.returncode == 0, result.stderr + result.stdout
    return result.stdout


def one_line_error(result) -> str:
    """A failed command's whole stderr: one line, no traceback."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def only_archive(folder: Path) -> Path:
    archives = list(folder.glob("newsroom-backup-*.tar.gz"))
    assert len(archives) == 1, archives
    return archives[0]


def media_tree(root: Path) -> dict[str, str]:
    """Every file under `root` and the SHA-256 of its bytes."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def sqlite_rows(path: Path) -> dict[str, list[tuple]]:
    """Every table of a SQLite database with all its rows, in a stable order."""
    db = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            table: sorted(db.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)  # noqa: S608
            for table in tables
        }
    finally:
        db.close()


# --- SQLite (the development default): runs on a bare machine -------------------------------


@pytest.fixture(scope="module")
def sqlite_site(tmp_path_factory):
    """The demo site on a SQLite file (made by the project's own load_demo), and its backup."""
    root = tmp_path_factory.mktemp("sqlite-site")
    site = {
        "db": root / "source.sqlite3",
        "media": root / "source-media",
        "backups": root / "backups",
    }
    env = {"database_url": sqlite_url(site["db"]), "media_root": site["media"]}
    ok(manage("migrate", "--noinput", "-v0", **env))
    ok(manage("load_demo", "-v0", **env))
    site["backup_output"] = ok(manage("backup", "--output-dir", str(site["backups"]), **env))
    site["archive"] = only_archive(site["backups"])
    return site


def test_sqlite_round_trip_restores_every_row_and_media_file(sqlite_site, tmp_path):
    """The demo site comes back identical on a new host: every table, row by row, and
    every image, byte by byte."""
    source_rows = sqlite_rows(sqlite_site["db"])
    for table in ("articles_article", "comments_comment", "rates_rate", "auth_user"):
        assert source_rows[table], f"the demo left {table} empty: the proof would be vacuous"
    assert len(media_tree(sqlite_site["media"])) >= 40
    assert "Backup written:" in sqlite_site["backup_output"]
    assert "42 stories" in sqlite_site["backup_output"]

    target_db, target_media = tmp_path / "new-host.sqlite3", tmp_path / "new-host-media"
    output = ok(
        manage(
            "restore",
            str(sqlite_site["archive"]),
            database_url=sqlite_url(target_db),
            media_root=target_media,
        )
    )

    assert "Restored" in output and "42 stories" in output
    assert sqlite_rows(target_db) == source_rows
    assert media_tree(target_media) == media_tree(sqlite_site["media"])


def test_the_archive_holds_a_manifest_and_checksums_anyone_can_verify(sqlite_site, tmp_path):
    """The archive explains itself: one folder, a manifest with versions and counts, and
    SHA256SUMS in `sha256sum -c` format covering the dump and every media file."""
    archive = sqlite_site["archive"]
    assert archive.name.startswith("newsroom-backup-20") and archive.name.endswith("Z.tar.gz")
    assert archive.stat().st_mode & 0o777 == 0o600  # password hashes, readers' e-mails
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path, filter="data")
    (folder,) = tmp_path.iterdir()
    assert folder.name == archive.name.removesuffix(".tar.gz")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["format"] == 1
    assert manifest["database"]["vendor"] == "sqlite"
    assert manifest["versions"]["django"].startswith("5.2")
    assert manifest["summary"]["stories"] == 42
    assert manifest["media"]["files"] == len(media_tree(sqlite_site["media"]))
    check = subprocess.run(  # noqa: S603
        ["sha256sum", "--check", "--quiet", "SHA256SUMS"],  # noqa: S607
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    listed = (folder / "SHA256SUMS").read_text().splitlines()
    assert len(listed) == 1 + manifest["media"]["files"]


def test_restore_refuses_a_database_that_has_data(sqlite_site, tmp_path):
    """Restoring over a live database is refused in one line, and nothing changes."""
    before = sqlite_site["db"].read_bytes()
    result = manage(
        "restore",
        str(sqlite_site["archive"]),
        database_url=sqlite_url(sqlite_site["db"]),
        media_root=tmp_path / "media",
    )

    message = one_line_error(result)
    assert "is not empty" in message and "--force" in message
    assert sqlite_site["db"].read_bytes() == before
    assert not (tmp_path / "media").exists()


def test_restore_refuses_a_media_folder_that_has_files(sqlite_site, tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    (media / "keep-me.jpg").write_bytes(b"an editor's photo")

    result = manage(
        "restore",
        str(sqlite_site["archive"]),
        database_url=sqlite_url(tmp_path / "empty.sqlite3"),
        media_root=media,
    )

    assert "already holds files" in one_line_error(result)
    assert not (tmp_path / "empty.sqlite3").exists()
    assert media_tree(media) == {"keep-me.jpg": hashlib.sha256(b"an editor's photo").hexdigest()}


def test_force_replaces_a_database_that_has_data(sqlite_site, tmp_path):
    """--force is the operator's explicit way over the refusal: the archive wins entirely."""
    target = tmp_path / "old.sqlite3"
    env = {"database_url": sqlite_url(target), "media_root": tmp_path / "media"}
    ok(manage("migrate", "--noinput", "-v0", **env))

    ok(manage("restore", str(sqlite_site["archive"]), "--force", **env))

    assert sqlite_rows(target) == sqlite_rows(sqlite_site["db"])


def test_dry_run_checks_everything_and_changes_nothing(sqlite_site, tmp_path):
    target = tmp_path / "new.sqlite3"
    output = ok(
        manage(
            "restore",
            str(sqlite_site["archive"]),
            "--dry-run",
            database_url=sqlite_url(target),
            media_root=tmp_path / "media",
        )
    )

    assert "nothing changed" in output and "42 stories" in output
    assert not target.exists()
    assert not (tmp_path / "media").exists()


def truncated(archive: Path, into: Path) -> Path:
    damaged = into / "truncated.tar.gz"
    data = archive.read_bytes()
    damaged.write_bytes(data[: len(data) // 2])
    return damaged


def tampered(archive: Path, into: Path) -> Path:
    """The same archive, well-formed, with one image's bytes changed (a silent corruption)."""
    damaged = into / "tampered.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        changed = False
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else None
            if data is not None and "/media/" in member.name and not changed:
                data = data[:-1] + bytes([data[-1] ^ 0xFF])
                changed = True
            target.addfile(member, io.BytesIO(data) if data is not None else None)
    assert changed
    return damaged


def not_an_archive(archive: Path, into: Path) -> Path:
    damaged = into / "notes.tar.gz"
    damaged.write_text("this is not a backup\n")
    return damaged


def empty_tar(archive: Path, into: Path) -> Path:
    damaged = into / "empty.tar.gz"
    with tarfile.open(damaged, "w:gz"):
        pass
    return damaged


def foreign_manifest(archive: Path, into: Path) -> Path:
    """Some other tool's archive that happens to have a manifest.json."""
    damaged = into / "foreign.tar.gz"
    manifest = json.dumps({"format": 1, "name": "something else"}).encode()
    with tarfile.open(damaged, "w:gz") as tar:
        info = tarfile.TarInfo("other/manifest.json")
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
    return damaged


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (truncated, "is not a readable Newsroom backup"),
        (tampered, "checksum mismatch for media/"),
        (not_an_archive, "is not a readable Newsroom backup"),
        (empty_tar, "is not a readable Newsroom backup (no manifest.json"),
        (foreign_manifest, "manifest.json lacks the database"),
    ],
)
def test_a_damaged_archive_is_refused_before_anything_changes(sqlite_site, tmp_path, damage, says):
    damaged = damage(sqlite_site["archive"], tmp_path)
    target = tmp_path / "new.sqlite3"

    result = manage(
        "restore", str(damaged), database_url=sqlite_url(target), media_root=tmp_path / "media"
    )

    assert says in one_line_error(result)
    assert not target.exists()
    assert not (tmp_path / "media").exists()


def test_a_missing_archive_is_one_line(tmp_path):
    result = manage(
        "restore",
        str(tmp_path / "nowhere.tar.gz"),
        database_url=sqlite_url(tmp_path / "new.sqlite3"),
        media_root=tmp_path / "media",
    )

    assert "does not exist" in one_line_error(result)


def test_backup_into_an_unusable_folder_fails_in_one_line_and_leaves_nothing(sqlite_site, tmp_path):
    """A folder that cannot be made (a file is in the way) is named in the error."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the backup folder should be")

    result = manage(
        "backup",
        "--output-dir",
        str(blocker / "backups"),
        database_url=sqlite_url(sqlite_site["db"]),
        media_root=sqlite_site["media"],
    )

    assert "Cannot create the backup folder" in one_line_error(result)
    assert blocker.read_text() == "a file where the backup folder should be"


def test_backup_of_an_unreachable_database_is_one_line(tmp_path):
    """No server on that port: the backup says so in one line and leaves no archive."""
    unreachable = "postgres://newsroom@127.0.0.1:9/newsroom"
    backup = manage(
        "backup",
        "--output-dir",
        str(tmp_path / "backups"),
        database_url=unreachable,
        media_root=tmp_path / "media",
    )
    assert "The database failed" in one_line_error(backup)
    assert list((tmp_path / "backups").iterdir()) == []


def test_backup_goes_to_newsroom_backup_dir_by_default(sqlite_site, tmp_path):
    output = ok(
        manage(
            "backup",
            database_url=sqlite_url(sqlite_site["db"]),
            media_root=sqlite_site["media"],
            NEWSROOM_BACKUP_DIR=str(tmp_path / "nightly"),
        )
    )

    archive = only_archive(tmp_path / "nightly")
    assert f"Backup written: {archive}" in output
    assert [path.name for path in (tmp_path / "nightly").iterdir()] == [archive.name]


def test_keep_deletes_only_our_oldest_archives(sqlite_site, tmp_path):
    """`--keep N` leaves the newest N archives and never touches other files."""
    backups = tmp_path / "backups"
    backups.mkdir()
    old = [backups / f"newsroom-backup-2026-01-0{day}T010000Z.tar.gz" for day in (1, 2, 3)]
    for path in old:
        path.write_bytes(b"an older archive")
    unrelated = backups / "notes.txt"
    unrelated.write_text("keep me")

    ok(
        manage(
            "backup",
            "--output-dir",
            str(backups),
            "--keep",
            "2",
            database_url=sqlite_url(sqlite_site["db"]),
            media_root=sqlite_site["media"],
        )
    )

    kept = sorted(path.name for path in backups.glob("newsroom-backup-*"))
    assert len(kept) == 2
    assert kept[0] == old[2].name
    assert unrelated.read_text() == "keep me"


# --- PostgreSQL (production and CI) ----------------------------------------------------------


def _connect(dbname: str):
    params = connection.settings_dict
    kwargs = {"host": params["HOST"], "port": params["PORT"], "user": params["USER"]}
    kwargs["password"] = params["PASSWORD"]
    return psycopg.connect(dbname=dbname, autocommit=True, **{k: v for k, v in kwargs.items() if v})


def postgres_url(dbname: str) -> str:
    params = connection.settings_dict
    user = quote(params["USER"] or "", safe="")
    password = f":{quote(params['PASSWORD'], safe='')}" if params["PASSWORD"] else ""
    host = params["HOST"] or "localhost"
    port = f":{params['PORT']}" if params["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{dbname}"


@pytest.fixture
def empty_postgres_database():
    """A new, empty database on the same server, dropped at the end."""
    name = f"newsroom_restore_{uuid.uuid4().hex[:12]}"
    with _connect("postgres") as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with _connect("postgres") as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def postgres_rows(dbname: str) -> dict[str, list[tuple]]:
    """Every table of the public schema with all its rows, plus every sequence's position."""
    with _connect(dbname) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        rows = {
            table: sorted(
                db.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(table))).fetchall(),
                key=repr,
            )
            for table in tables
        }
        rows["(sequences)"] = db.execute(
            "SELECT sequencename, last_value FROM pg_sequences ORDER BY sequencename"
        ).fetchall()
        rows["(indexes)"] = db.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
            "ORDER BY indexname"
        ).fetchall()
    return rows


def build_newsroom(client) -> dict:
    """A small newsroom made through the project's own code paths."""
    journalist = make_user("aibek", role="Journalist", first_name="Айбек")
    editor = make_user("jyldyz", role="Editor", first_name="Жылдыз")
    moderator = make_user("moderator", role="Moderator")
    rubric = make_rubric(name_ky="Саясат", name_ru="Политика")
    tags = [
        Tag.objects.create(name_ky="Шайлоо", name_ru="Выборы", slug="shailoo"),
        Tag.objects.create(name_ky="Бюджет", name_ru="Бюджет", slug="budget"),
    ]
    ky_story = make_article(
        languages=("ky",), status=Article.Status.DRAFT, rubric=rubric, authors=[journalist]
    )
    ky_story.tags.add(tags[0])
    submit_for_review(article=ky_story, user=journalist)
    publish(article=ky_story, user=editor)
    both = make_article(
        status=Article.Status.DRAFT, rubric=rubric, authors=[journalist, editor], tags=tags
    )
    both.image.save("photo.png", ContentFile(png_upload(size=(1200, 800)).read()))
    # Every rendition, made as an upload in the admin makes them (articles.images).
    both.image_renditions = renditions_make(image=both.image)
    both.save(update_fields=["image_renditions"])
    publish(article=both, user=editor)
    ru_story = make_article(languages=("ru",), rubric=rubric, tags=tags[1:])
    with translation.override("ru"):
        assert client.get(both.get_absolute_url()).status_code == 200
    comment = comment_create(
        article=both,
        language="ru",
        name="Читатель",
        email="r@example.kg",
        text="Спасибо!",
        ip="10.1.2.3",
    )
    comment_approve(comment=comment, user=moderator)
    comment_create(
        article=ky_story, language="ky", name="Окурман", email="", text="Рахмат", ip="10.1.2.4"
    )
    import_rates(files=[DAILY_FEED], today=date(2026, 7, 3))
    return {"stories": [ky_story, both, ru_story], "editor": editor}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_postgres_round_trip_restores_stories_images_comments_rates_users_and_revisions(
    client, settings, tmp_path, empty_postgres_database
):
    settings.MEDIA_ROOT = source_media = tmp_path / "source-media"
    built = build_newsroom(client)
    source = connection.settings_dict["NAME"]
    source_rows = postgres_rows(source)
    for table in (
        "articles_article",
        "articles_taggedarticle",
        "articles_byline",
        "comments_comment",
        "rates_rate",
        "auth_user",
        "auth_user_groups",
        "reversion_version",
    ):
        assert source_rows[table], f"{table} is empty: the proof would be vacuous"
    assert len(media_tree(source_media)) >= 4  # the photo and its renditions

    backups = tmp_path / "backups"
    output = ok(
        manage(
            "backup",
            "--output-dir",
            str(backups),
            database_url=postgres_url(source),
            media_root=source_media,
        )
    )
    assert "3 stories" in output and "2 comments" in output

    target_media = tmp_path / "new-host-media"
    output = ok(
        manage(
            "restore",
            str(only_archive(backups)),
            database_url=postgres_url(empty_postgres_database),
            media_root=target_media,
        )
    )

    assert "Restored" in output
    restored = postgres_rows(empty_postgres_database)
    for table in source_rows:
        assert restored.get(table) == source_rows[table], table
    assert set(restored) == set(source_rows)
    assert media_tree(target_media) == media_tree(source_media)
    # What an operator would check by hand: the editor can still log in with the same hash.
    editor_row = next(row for row in restored["auth_user"] if row[0] == built["editor"].pk)
    assert built["editor"].password in editor_row


@pytest.mark.postgres
def test_postgres_backup_without_pg_dump_says_what_to_install(django_db_setup, tmp_path):
    """Without the client tools the backup fails in one line naming the package, and
    leaves no archive behind."""
    backups = tmp_path / "backups"
    result = manage(
        "backup",
        "--output-dir",
        str(backups),
        database_url=postgres_url(connection.settings_dict["NAME"]),
        media_root=tmp_path / "media",
        PATH=str(tmp_path),
    )

    message = one_line_error(result)
    assert "pg_dump was not found" in message and "postgresql-client" in message
    assert list(backups.iterdir()) == []


@pytest.fixture
def postgres_archive(django_db_setup, tmp_path):
    """A backup of the (migrated, otherwise empty) test database."""
    ok(
        manage(
            "backup",
            "--output-dir",
            str(tmp_path / "backups"),
            database_url=postgres_url(connection.settings_dict["NAME"]),
            media_root=tmp_path / "no-media",
        )
    )
    return only_archive(tmp_path / "backups")


@pytest.mark.postgres
def test_postgres_restore_refuses_a_database_with_tables(postgres_archive, tmp_path):
    """Restoring over a database that has tables is refused, and it stays as it was."""
    name = connection.settings_dict["NAME"]
    before = postgres_rows(name)

    result = manage(
        "restore",
        str(postgres_archive),
        database_url=postgres_url(name),
        media_root=tmp_path / "media",
    )

    message = one_line_error(result)
    assert f"The database {name} is not empty" in message and "--force" in message
    assert postgres_rows(name) == before


@pytest.mark.postgres
def test_postgres_force_restore_is_all_or_nothing(
    postgres_archive, tmp_path, empty_postgres_database
):
    """When the load fails halfway, --force's wipe is rolled back with it: the old data is
    still there, no table of the archive is, and the operator is told so."""
    with _connect(empty_postgres_database) as db:
        db.execute("CREATE TABLE important (note text)")
        db.execute("INSERT INTO important VALUES ('yesterday''s work')")
        # A type of the same name makes the archive's CREATE TABLE django_migrations fail.
        db.execute("CREATE TYPE django_migrations AS (x integer)")

    result = manage(
        "restore",
        str(postgres_archive),
        "--force",
        database_url=postgres_url(empty_postgres_database),
        media_root=tmp_path / "media",
    )

    message = one_line_error(result)
    assert "rolled back, the database is unchanged" in message
    rows = postgres_rows(empty_postgres_database)
    assert rows["important"] == [("yesterday's work",)]
    assert set(rows) == {"important", "(sequences)", "(indexes)"}
    assert not (tmp_path / "media").exists()


@pytest.mark.postgres
def test_postgres_refuses_an_archive_of_another_database_kind(
    sqlite_site, tmp_path, empty_postgres_database
):
    result = manage(
        "restore",
        str(sqlite_site["archive"]),
        database_url=postgres_url(empty_postgres_database),
        media_root=tmp_path / "media",
    )

    assert "holds a sqlite database; this site runs on postgresql" in one_line_error(result)
