"""Where uploaded media live: MEDIA_ROOT on disk (the default) or an S3-compatible bucket.

The settings build the S3 storage's options here (`s3_storages`), and the backup reads and
writes the bucket through the small functions below, so nothing else in the project needs
to know which kind of storage holds the pictures (docs/media-storage.md).
"""

import functools
import mimetypes
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

# Originals keep their name for good (a second upload of photo.jpg becomes photo_<x>.jpg),
# but a story may drop its image: 30 days, as nginx serves MEDIA_ROOT. A rendition's name
# holds its photo, focal point and width (articles/images.py), so it never changes
# meaning: a year, immutable.
ORIGINALS_CACHE_CONTROL = "public, max-age=2592000"
RENDITIONS_CACHE_CONTROL = "public, max-age=31536000, immutable"

# An object's Content-Type is guessed from its name when it is stored; a host without
# /etc/mime.types would not know the modern image formats, and a bucket serves what it is told.
mimetypes.add_type("image/webp", ".webp")
mimetypes.add_type("image/avif", ".avif")


def media_base_url(
    *, bucket: str, endpoint_url: str = "", region: str = "", media_domain: str = ""
) -> str:
    """The public address objects are linked under, without a trailing slash.

    MEDIA_DOMAIN wins (`media.example.kg`, https assumed, or a full `http://host/path`);
    without it, the bucket's own address: path style on a custom endpoint (which every
    S3-compatible server answers), the bucket's host name on AWS.
    """
    if media_domain:
        domain = media_domain.strip().rstrip("/")
        return domain if "://" in domain else f"https://{domain}"
    if endpoint_url:
        return f"{endpoint_url.rstrip('/')}/{bucket}"
    host = f"s3.{region}.amazonaws.com" if region else "s3.amazonaws.com"
    return f"https://{bucket}.{host}"


def s3_storages(
    *,
    bucket: str,
    endpoint_url: str = "",
    region: str = "",
    access_key: str = "",
    secret_key: str = "",
    media_domain: str = "",
    location: str = "",
    addressing_style: str = "",
    default_acl: str = "",
) -> tuple[dict[str, dict], str]:
    """django-storages options for the originals and the renditions, and the MEDIA_URL.

    Public media: URLs carry no signature (querystring_auth off) and are built from the
    public base address, so a page never asks the storage anything to link a picture.
    Read access for everyone comes from the bucket policy (or AWS_DEFAULT_ACL).
    """
    base = media_base_url(
        bucket=bucket, endpoint_url=endpoint_url, region=region, media_domain=media_domain
    )
    parts = urlsplit(base)
    location = location.strip("/")
    common = {
        "bucket_name": bucket,
        "location": location,
        "custom_domain": parts.netloc + parts.path,
        "url_protocol": f"{parts.scheme}:",
        "querystring_auth": False,
        "default_acl": default_acl or None,
    }
    if endpoint_url:
        common["endpoint_url"] = endpoint_url
    if region:
        common["region_name"] = region
    if access_key:
        common["access_key"] = access_key
    if secret_key:
        common["secret_key"] = secret_key
    if addressing_style:
        common["addressing_style"] = addressing_style
    # Never overwrite an original: two photos called photo.jpg stay two objects.
    options = common | {
        "file_overwrite": False,
        "object_parameters": {"CacheControl": ORIGINALS_CACHE_CONTROL},
    }
    media_url = f"{base}/{location}/" if location else f"{base}/"
    return options, media_url


@functools.cache
def _s3_storage_class():
    from storages.backends.s3 import S3Storage

    class MediaStorage(S3Storage):
        """The media bucket: renditions (under `renditions/`) are cached for good."""

        def get_object_parameters(self, name):
            params = super().get_object_parameters(name)
            if name.startswith(RENDITIONS_PREFIX):
                params["CacheControl"] = RENDITIONS_CACHE_CONTROL
            return params

    return MediaStorage


RENDITIONS_PREFIX = "renditions/"


def __getattr__(name):
    # Imported lazily: boto3 is loaded only by sites that keep their media in a bucket.
    if name == "MediaStorage":
        return _s3_storage_class()
    raise AttributeError(name)


# --- What the backup needs ------------------------------------------------------------------


def in_bucket() -> bool:
    """Whether uploads go to an S3 bucket (MEDIA_STORAGE=s3) rather than MEDIA_ROOT."""
    from django.conf import settings

    return getattr(settings, "MEDIA_STORAGE", "local") == "s3"


@dataclass(frozen=True)
class StoredObject:
    key: str  # the object's key in the bucket
    name: str  # the same without the storage's location prefix: the file's media name
    size: int


def _storage():
    from django.core.files.storage import default_storage

    return default_storage


def describe() -> str:
    """`s3://bucket/location` for messages."""
    storage = _storage()
    location = f"/{storage.location}" if storage.location else ""
    return f"s3://{storage.bucket_name}{location}"


def objects() -> Iterator[StoredObject]:
    """Every object under the storage's location, in key order."""
    storage = _storage()
    prefix = f"{storage.location}/" if storage.location else ""
    for summary in storage.bucket.objects.filter(Prefix=prefix):
        if summary.key.endswith("/"):
            continue  # a "folder" placeholder some tools create
        yield StoredObject(key=summary.key, name=summary.key[len(prefix) :], size=summary.size)


def download(stored: StoredObject, target: Path) -> dict[str, str]:
    """Copy an object into `target`; its headers worth keeping (type, caching)."""
    storage = _storage()
    target.parent.mkdir(parents=True, exist_ok=True)
    obj = storage.bucket.Object(stored.key)
    obj.download_file(str(target))
    headers = {"ContentType": obj.content_type, "CacheControl": obj.cache_control}
    return {key: value for key, value in headers.items() if value}


def upload(source: Path, name: str, headers: dict[str, str] | None = None) -> None:
    """Put a file back under its media `name`, with its saved headers (or the defaults)."""
    storage = _storage()
    key = storage._normalize_name(name)
    extra = dict(storage.get_object_parameters(name))
    if storage.default_acl:
        extra.setdefault("ACL", storage.default_acl)
    if not headers:
        content_type, _encoding = mimetypes.guess_type(name)
        headers = {"ContentType": content_type or "application/octet-stream"}
    extra |= headers
    storage.bucket.upload_file(str(source), key, ExtraArgs=extra)
