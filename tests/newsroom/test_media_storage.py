"""Media on S3-compatible object storage (MEDIA_STORAGE=s3), against a real S3 server.

moto's server (`moto[server]`, in the test extras) runs as a process of its own on a free
port with a bucket readable by everyone, as docs/media-storage.md sets one up. The site
runs as deployed: production settings from the environment, `deploy/serve.sh` (gunicorn),
its own SQLite database with the demo loaded. An editor uploads a photo through the story
form; the photo and every rendition land in the bucket, the public page links to them on
the media domain, and `manage.py backup` / `restore` carry the bucket's objects.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import uuid
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from PIL import Image

from articles.demo import reference_story
from articles.slugs import slug_from_title
from newsroom.mediastore import ORIGINALS_CACHE_CONTROL, RENDITIONS_CACHE_CONTROL
from tests.deploy import stack as stack_module
from tests.html_forms import rendered_form
from tests.own_services import free_port, wait_for_port

MANAGE = str(settings.BASE_DIR / "manage.py")
BUCKET = "newsroom-media"
REGION = "eu-central-1"
MOTO_KEY = "moto-test-key"
MOTO_SECRET = "moto-test-secret"  # noqa: S105 (moto accepts any credentials)


def moto_installed() -> bool:
    try:
        import moto.server  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory):
    """moto_server on a free port, a public-read bucket in it; a boto3 client for the test."""
    if not moto_installed():
        pytest.skip("needs moto's S3 server: pip install 'moto[server]' (the test extras have it)")
    import boto3

    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    process = stack_module.background(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], log
    )
    try:
        wait_for_port(port, timeout=60)
        endpoint = f"http://127.0.0.1:{port}"
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=MOTO_KEY,
            aws_secret_access_key=MOTO_SECRET,
        )
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(public_read_policy(BUCKET)))
        yield {"endpoint": endpoint, "client": client, "media_domain": f"{endpoint}/{BUCKET}"}
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)


def public_read_policy(bucket: str) -> dict:
    """The bucket policy of docs/media-storage.md: anyone may read, nobody may list."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PublicReadMedia",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }


def bucket_objects(client) -> dict[str, bytes]:
    keys = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        keys += [item["Key"] for item in page.get("Contents", [])]
    return {key: client.get_object(Bucket=BUCKET, Key=key)["Body"].read() for key in keys}


def empty_bucket(client) -> None:
    for key in bucket_objects(client):
        client.delete_object(Bucket=BUCKET, Key=key)


def site_environment(s3_server, workdir: Path, **extra: str) -> dict[str, str]:
    """A production host's environment with its media in the bucket."""
    return (
        stack_module.production_environment(
            DEBUG="0",
            SECRET_KEY="media-storage-tests-production-like-secret-key-0123456789-abcdef",
            DATABASE_URL=f"sqlite:///{workdir / 'site.sqlite3'}",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            STATIC_ROOT=str(workdir / "static"),
            # Nothing may land here: proof that uploads go to the bucket.
            MEDIA_ROOT=str(workdir / "media"),
            SECURE_SSL_REDIRECT="0",
            SESSION_COOKIE_SECURE="0",
            CSRF_COOKIE_SECURE="0",
            # The site's own cache: restore clears it, and Redis is shared with other runs.
            CACHE_URL="locmemcache://media-storage-tests",
            NEWSROOM_DEMO_PASSWORD=stack_module.DEMO_PASSWORD,
            WEB_CONCURRENCY="1",
            MEDIA_STORAGE="s3",
            AWS_STORAGE_BUCKET_NAME=BUCKET,
            AWS_S3_ENDPOINT_URL=s3_server["endpoint"],
            AWS_S3_REGION_NAME=REGION,
            AWS_S3_ADDRESSING_STYLE="path",
            AWS_ACCESS_KEY_ID=MOTO_KEY,
            AWS_SECRET_ACCESS_KEY=MOTO_SECRET,
            MEDIA_DOMAIN=s3_server["media_domain"],
        )
        | extra
    )


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [stack_module.python(), MANAGE, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def ok(result) -> str:
    assert result.returncode == 0, result.stderr + result.stdout
    return result.stdout


@contextmanager
def served(env: dict[str, str], log: Path):
    """deploy/serve.sh (checks, collectstatic, gunicorn) on a free port, as `make serve`."""
    port = free_port()
    env = env | {"HOST": "127.0.0.1", "PORT": str(port)}
    process = stack_module.background(["sh", "deploy/serve.sh"], log, env)
    try:
        stack_module.wait_for(f"http://127.0.0.1:{port}/healthz", process=process, log=log)
        yield stack_module.Stack.gunicorn_only(
            f"http://127.0.0.1:{port}", log, database_url=env["DATABASE_URL"], env=env
        )
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def site(s3_server):
    """The demo site served by gunicorn, its media in the bucket."""
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-s3-"))
    (workdir / "media").mkdir()
    env = site_environment(s3_server, workdir)
    try:
        ok(manage("migrate", "--noinput", "-v0", env=env))
        ok(manage("load_demo", "-v0", env=env))
        with served(env, workdir / "serve.log") as web:
            yield {"workdir": workdir, "env": env, "web": web}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def multipart(fields: dict, files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """A multipart/form-data body as a browser sends it, and its Content-Type."""
    boundary = f"----newsroom{uuid.uuid4().hex}"
    body = io.BytesIO()
    for name, values in fields.items():
        for value in values if isinstance(values, list) else [values]:
            body.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            )
            body.write(f"{value}\r\n".encode())
    for name, (filename, content, content_type) in files.items():
        body.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
        )
        body.write(content + b"\r\n")
    body.write(f"--{boundary}--\r\n".encode())
    return body.getvalue(), f"multipart/form-data; boundary={boundary}"


def photo() -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", (1600, 1000), (40, 110, 180))
    image.paste((220, 180, 40), (600, 300, 1000, 700))
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


class ImageSources(HTMLParser):
    """Every address a page's <img> and <source> elements load."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ("img", "source"):
            return
        attrs = dict(attrs)
        if attrs.get("src"):
            self.urls.append(attrs["src"])
        for candidate in (attrs.get("srcset") or "").split(","):
            if candidate.strip():
                self.urls.append(candidate.split()[0])


def image_urls(html: str) -> list[str]:
    parser = ImageSources()
    parser.feed(html)
    return parser.urls


def log_in_as_editor(web):
    browser = web.client()
    page = web.get("/admin/login/", opener=browser)
    action, fields = rendered_form(page.text, "login-form")
    fields |= {"username": "editor", "password": stack_module.DEMO_PASSWORD}
    response = web.request(
        "POST",
        action or "/admin/login/",
        data=urlencode(fields).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        opener=browser,
    )
    assert response.status == 302, response.text[:1000]
    return browser


def reference_story_pk(database: Path) -> tuple[int, str]:
    """The demo's reference story (published, without an image) and its public address."""
    slug = slug_from_title(reference_story()[0])
    db = sqlite3.connect(database)
    try:
        (pk,) = db.execute("SELECT id FROM articles_article WHERE slug = ?", (slug,)).fetchone()
    finally:
        db.close()
    with translation.override("ky"):
        return pk, reverse("articles:detail", kwargs={"slug": slug})


@pytest.fixture(scope="module")
def uploaded(site, s3_server):
    """An editor gives the reference story a photo through the story form."""
    web, client = site["web"], s3_server["client"]
    before = set(bucket_objects(client))
    browser = log_in_as_editor(web)
    pk, public_path = reference_story_pk(site["workdir"] / "site.sqlite3")
    change = f"/admin/articles/article/{pk}/change/"
    form_page = web.get(change, opener=browser)
    assert form_page.status == 200, form_page.text[:500]
    _action, fields = rendered_form(form_page.text, "article_form")
    content = photo()
    body, content_type = multipart(fields, {"image": ("bishkek.jpg", content, "image/jpeg")})
    response = web.request(
        "POST", change, data=body, headers={"Content-Type": content_type}, opener=browser
    )
    assert response.status == 302, response.text[:3000]
    objects = bucket_objects(client)
    new = {key: data for key, data in objects.items() if key not in before}
    return {
        "content": content,
        "new": new,
        "objects": objects,
        "public_path": public_path,
        "browser": browser,
    }


def test_the_photo_and_every_rendition_land_in_the_bucket(uploaded, site, s3_server):
    """The original, byte for byte, and one rendition per size at least; nothing on disk."""
    originals = [key for key, data in uploaded["new"].items() if data == uploaded["content"]]
    assert len(originals) == 1, sorted(uploaded["new"])
    original = originals[0]
    assert original.startswith("articles/") and original.endswith("bishkek.jpg")
    renditions = [key for key in uploaded["new"] if key != original]
    stem = original.rsplit("/", 1)[1].rsplit(".", 1)[0]
    # Every width in every format, and the admin's uncropped preview.
    assert any(key.endswith(".jpg") for key in renditions), renditions
    assert any(key.endswith(".webp") for key in renditions), renditions
    assert all(key.startswith("renditions/") and stem in key for key in renditions), renditions

    client = s3_server["client"]
    head = client.head_object(Bucket=BUCKET, Key=original)
    assert head["ContentType"] == "image/jpeg"
    assert head["CacheControl"] == ORIGINALS_CACHE_CONTROL
    for key in renditions:
        head = client.head_object(Bucket=BUCKET, Key=key)
        assert head["ContentType"].startswith("image/"), key
        assert head["CacheControl"] == RENDITIONS_CACHE_CONTROL, key
    assert not any((site["workdir"] / "media").iterdir()), "nothing is written to MEDIA_ROOT"


def test_the_public_page_links_the_renditions_on_the_media_domain(uploaded, site, s3_server):
    """Readers load the pictures straight from the media domain, and the CSP lets them.

    The story shows the new photo's rendition; the related stories' cards show theirs.
    """
    web = site["web"]
    page = web.get(uploaded["public_path"])
    assert page.status == 200, page.text[:500]
    media = [url for url in image_urls(page.text) if url.startswith(s3_server["media_domain"])]
    assert media, image_urls(page.text)
    prefix = s3_server["media_domain"] + "/"
    keys = [url.removeprefix(prefix) for url in media]
    assert any(key in uploaded["new"] for key in keys), (keys, sorted(uploaded["new"]))
    for url, key in zip(media, keys, strict=True):
        assert key in uploaded["objects"], url
        picture = web.get(url)
        assert picture.status == 200, url
        assert picture.header("content-type").startswith("image/")
        assert picture.body == uploaded["objects"][key]
    og_image = f'<meta property="og:image" content="{prefix}'
    assert og_image in page.text, "shared links show the picture from the media domain too"
    policy = page.header("content-security-policy")
    img_src = next(d for d in policy.split(";") if d.strip().startswith("img-src"))
    assert s3_server["endpoint"] in img_src.split(), policy


def test_the_admin_preview_shows_the_rendition_from_the_bucket(uploaded, site, s3_server):
    web = site["web"]
    pk, _path = reference_story_pk(site["workdir"] / "site.sqlite3")
    page = web.get(f"/admin/articles/article/{pk}/change/", opener=uploaded["browser"])
    prefix = s3_server["media_domain"] + "/"
    previews = [url for url in image_urls(page.text) if url.startswith(prefix)]
    assert previews, "the story form previews the image"
    assert any(url.removeprefix(prefix) in uploaded["new"] for url in previews), previews


def archive_members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {
            member.name.split("/", 1)[1]: tar.extractfile(member).read()
            for member in tar.getmembers()
            if member.isfile()
        }


def test_backup_holds_the_bucket_and_restore_brings_it_back(uploaded, site, s3_server):
    """Every object is in the archive with its checksum; an emptied bucket gets it all back,
    with the same bytes, type and caching, and a bucket that still has objects is refused.
    The restored site on a new host shows the uploaded photo from the bucket."""
    client, env, workdir = s3_server["client"], site["env"], site["workdir"]
    objects = bucket_objects(client)
    heads = {key: client.head_object(Bucket=BUCKET, Key=key) for key in objects}
    output = workdir / "backups"
    ok(manage("backup", "--output-dir", str(output), env=env))
    (archive,) = output.glob("newsroom-backup-*.tar.gz")

    members = archive_members(archive)
    media = {
        name.removeprefix("media/"): data
        for name, data in members.items()
        if name.startswith("media/")
    }
    assert media == objects
    sums = dict(
        reversed(line.split("  ", 1)) for line in members["SHA256SUMS"].decode().splitlines()
    )
    for key, data in objects.items():
        assert sums[f"media/{key}"] == hashlib.sha256(data).hexdigest()
    manifest = json.loads(members["manifest.json"])
    assert manifest["media"]["files"] == len(objects)
    assert manifest["media"]["source"] == f"s3://{BUCKET}"
    assert "media-objects.json" in sums

    # A new host: an empty database, and the same bucket, still full: refused, untouched.
    new_host = env | {"DATABASE_URL": f"sqlite:///{workdir / 'restored.sqlite3'}"}
    refused = manage("restore", str(archive), env=new_host)
    assert refused.returncode != 0
    assert "Traceback" not in refused.stderr, refused.stderr
    assert refused.stderr.strip().splitlines() == [
        f"CommandError: The media bucket s3://{BUCKET} already holds objects; restore into an "
        "empty bucket, or add --force to overwrite objects of the same name."
    ]
    assert not (workdir / "restored.sqlite3").exists() or not sqlite_tables(
        workdir / "restored.sqlite3"
    )

    empty_bucket(client)
    assert bucket_objects(client) == {}
    ok(manage("restore", str(archive), env=new_host))
    assert bucket_objects(client) == objects
    for key, head in heads.items():
        restored = client.head_object(Bucket=BUCKET, Key=key)
        assert restored["ContentType"] == head["ContentType"], key
        assert restored["CacheControl"] == head["CacheControl"], key
    assert "articles_article" in sqlite_tables(workdir / "restored.sqlite3")

    with served(new_host, workdir / "restored.log") as restored_site:
        page = restored_site.get(uploaded["public_path"])
        assert page.status == 200, page.text[:500]
        prefix = s3_server["media_domain"] + "/"
        shown = [url.removeprefix(prefix) for url in image_urls(page.text)]
        assert any(key in uploaded["new"] for key in shown), shown


def sqlite_tables(path: Path) -> list[str]:
    db = sqlite3.connect(path)
    try:
        return [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    finally:
        db.close()


def test_a_backup_of_an_unreachable_bucket_is_one_line(site, tmp_path):
    dead = f"http://127.0.0.1:{free_port()}"
    env = site["env"] | {"AWS_S3_ENDPOINT_URL": dead, "AWS_MAX_ATTEMPTS": "1"}
    result = manage("backup", "--output-dir", str(tmp_path), env=env)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("CommandError: The media bucket failed:"), line
    assert not list(tmp_path.glob("*.tar.gz"))


def run_settings(**env):
    """Import the settings of a bare production host with these variables."""
    clean = stack_module.production_environment(
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        DATABASE_URL="postgres://newsroom@db.example.kg:5432/newsroom",
        ALLOWED_HOSTS="news.example.kg",
    )
    return subprocess.run(  # noqa: S603
        [sys.executable, MANAGE, "check"],
        env={k: v for k, v in (clean | env).items() if v is not None},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_s3_media_without_a_bucket_refuses_to_start_in_one_line():
    result = run_settings(MEDIA_STORAGE="s3", AWS_STORAGE_BUCKET_NAME="")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "newsroom: Set the AWS_STORAGE_BUCKET_NAME environment variable (the media bucket), "
        "or MEDIA_STORAGE=local."
    ]


def test_an_unknown_media_storage_refuses_to_start_in_one_line():
    result = run_settings(MEDIA_STORAGE="ftp")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "newsroom: MEDIA_STORAGE must be local or s3, not 'ftp'."
    ]


def test_media_domain_and_bucket_addresses():
    """Public URLs: the media domain when set (https unless told), else the bucket's own."""
    from newsroom.mediastore import media_base_url, s3_storages

    assert media_base_url(bucket="b", media_domain="media.example.kg") == "https://media.example.kg"
    assert media_base_url(bucket="b", media_domain="http://cdn.test/x/") == "http://cdn.test/x"
    assert media_base_url(bucket="b", endpoint_url="https://s3.example.kg/") == (
        "https://s3.example.kg/b"
    )
    assert media_base_url(bucket="b", region="eu-central-1") == (
        "https://b.s3.eu-central-1.amazonaws.com"
    )
    options, media_url = s3_storages(bucket="b", media_domain="media.example.kg", location="kg")
    assert media_url == "https://media.example.kg/kg/"
    assert options["custom_domain"] == "media.example.kg"
    assert options["querystring_auth"] is False
    assert options["file_overwrite"] is False


def test_local_disk_stays_the_default():
    assert settings.MEDIA_STORAGE == "local"
    assert settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage")


def test_media_from_a_local_archive_are_uploaded_with_the_usual_headers(
    s3_server, settings, tmp_path
):
    """Moving a site's MEDIA_ROOT into a bucket: a file without saved headers gets its type
    from its name and the originals' caching, under the storage's key prefix."""
    from newsroom import mediastore

    bucket = "newsroom-moved"
    s3_server["client"].create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    options, _media_url = mediastore.s3_storages(
        bucket=bucket,
        endpoint_url=s3_server["endpoint"],
        region=REGION,
        access_key=MOTO_KEY,
        secret_key=MOTO_SECRET,
        addressing_style="path",
        location="kabar",
    )
    settings.MEDIA_STORAGE = "s3"
    settings.STORAGES = settings.STORAGES | {
        "default": {"BACKEND": "newsroom.mediastore.MediaStorage", "OPTIONS": options}
    }
    assert mediastore.in_bucket()
    assert mediastore.describe() == f"s3://{bucket}/kabar"
    source = tmp_path / "bishkek.webp"
    Image.new("RGB", (40, 30), (10, 20, 30)).save(source, format="WEBP")

    mediastore.upload(source, "articles/2026/11/bishkek.webp")

    head = s3_server["client"].head_object(Bucket=bucket, Key="kabar/articles/2026/11/bishkek.webp")
    assert head["ContentType"] == "image/webp"
    assert head["CacheControl"] == ORIGINALS_CACHE_CONTROL
    assert [(o.key, o.name) for o in mediastore.objects()] == [
        ("kabar/articles/2026/11/bishkek.webp", "articles/2026/11/bishkek.webp")
    ]
