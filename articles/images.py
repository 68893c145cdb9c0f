"""Photo renditions: made once when a photo is uploaded (or its focal point moves),
only looked up afterwards.

Every photo gets one 16:9 crop centred on its focal point, in several widths and in
each format the installed Pillow writes (AVIF when it can, WebP, and JPEG for every
other browser), plus an uncropped preview for the admin's focal point picker. What
was made is kept on the row as a small manifest (`renditions`), so a reader's page
builds its `<picture>` from the row alone: no file is looked for, none is decoded.

Files are read and written only through the image field's storage, so they live
wherever the media live (a local folder, an S3 bucket).
"""

import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageOps, IptcImagePlugin, features

RATIO = (16, 9)
PREVIEW_BOX = (480, 480)
FOCAL_CENTRE = 50.0


@dataclass(frozen=True)
class Format:
    name: str
    mime: str
    extension: str
    options: dict


def formats() -> list[Format]:
    """The formats written, best first: the browser takes the first it knows."""
    available = []
    if features.check("avif"):
        available.append(Format("AVIF", "image/avif", "avif", {"quality": 55, "speed": 9}))
    available.append(Format("WEBP", "image/webp", "webp", {"quality": 78, "method": 4}))
    available.append(
        Format("JPEG", "image/jpeg", "jpg", {"quality": 82, "optimize": True, "progressive": True})
    )
    return available


def crop_box(size: tuple[int, int], focal: tuple[float, float]) -> tuple[int, int, int, int]:
    """The largest 16:9 box of an image of `size` centred on `focal` (percent from
    the left and the top), moved inside the image where it would stick out."""
    width, height = size
    if width * RATIO[1] > height * RATIO[0]:
        box_width, box_height = round(height * RATIO[0] / RATIO[1]), height
    else:
        box_width, box_height = width, round(width * RATIO[1] / RATIO[0])
    left = round(focal[0] / 100 * width - box_width / 2)
    top = round(focal[1] / 100 * height - box_height / 2)
    left = min(max(left, 0), width - box_width)
    top = min(max(top, 0), height - box_height)
    return left, top, left + box_width, top + box_height


def rendition_widths(crop_width: int) -> list[int]:
    """The configured widths the crop is wide enough for (never an enlargement)."""
    widths = [w for w in settings.NEWSROOM_RENDITION_WIDTHS if w <= crop_width]
    return widths or [crop_width]


def _flattened(image: Image.Image) -> Image.Image:
    """Upright (as the camera's EXIF says) and in RGB, transparency on white."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def _encoded(image: Image.Image, fmt: Format) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt.name, **fmt.options)
    return buffer.getvalue()


def renditions_make(*, image, focal: tuple[float, float] = (FOCAL_CENTRE, FOCAL_CENTRE)) -> dict:
    """Write every rendition of the stored (already validated) `image` and return
    the manifest to keep on its row.

    File names carry the focal point, so a moved focal point gets new addresses and
    no browser or proxy keeps showing the old crop.
    """
    storage = image.storage
    with image.open("rb") as file:
        with Image.open(file) as original:
            picture = _flattened(original)
    width, height = picture.size
    digest = hashlib.sha1(  # noqa: S324 - a file name, not security
        f"{image.name}:{focal[0]:.2f}:{focal[1]:.2f}".encode()
    ).hexdigest()[:10]
    stem = image.name.rsplit(".", 1)[0]
    base = f"renditions/{stem}-{digest}"

    box = crop_box((width, height), focal)
    cropped = picture.crop(box)
    # A list, not an object: jsonb does not keep the order of keys, and the order
    # is the browser's preference.
    sources = []
    crop_width = box[2] - box[0]
    widths = rendition_widths(crop_width)
    for fmt in formats():
        files = []
        for target in widths:
            size = (target, round(target * RATIO[1] / RATIO[0]))
            resized = cropped.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
            name = storage.save(
                f"{base}-{target}.{fmt.extension}", ContentFile(_encoded(resized, fmt))
            )
            files.append([target, name])
        sources.append({"type": fmt.mime, "files": files})

    preview = picture.copy()
    preview.thumbnail(PREVIEW_BOX, Image.Resampling.LANCZOS)
    preview_name = storage.save(
        f"{base}-preview.jpg", ContentFile(_encoded(preview, formats()[-1]))
    )
    return {
        "image": image.name,
        "width": width,
        "height": height,
        "focal": [focal[0], focal[1]],
        "ratio": list(RATIO),
        "sources": sources,
        "preview": {"name": preview_name, "width": preview.width, "height": preview.height},
    }


def renditions_stale(*, obj, fields: tuple[str, str, str, str]) -> bool:
    """Whether `obj`'s renditions were made for another image or focal point (after a
    restore of an older version, say) or are missing."""
    image_field, x_field, y_field, manifest_field = fields
    image, manifest = getattr(obj, image_field), getattr(obj, manifest_field) or {}
    if not image:
        return bool(manifest)
    if manifest.get("image") != image.name or manifest.get("focal") != [
        getattr(obj, x_field),
        getattr(obj, y_field),
    ]:
        return True
    # A recovered deleted story: its renditions went with it (delete_renditions_with).
    # One file tells (they are made and deleted together); asked on editors' saves only.
    names = rendition_names(manifest)
    return not names or not image.storage.exists(names[0])


def renditions_refresh(*, obj, fields: tuple[str, str, str, str]) -> None:
    """Make the renditions of `obj`'s image for its focal point, keep the manifest on
    the row (saved, so the pages showing it are purged) and drop the old files.

    `fields` names the image, the focal point's two fields and the manifest field.
    Pillow's errors (a file that cannot be read) reach the caller.
    """
    image_field, x_field, y_field, manifest_field = fields
    image, old = getattr(obj, image_field), getattr(obj, manifest_field) or {}
    manifest = {}
    if image:
        manifest = renditions_make(
            image=image, focal=(getattr(obj, x_field), getattr(obj, y_field))
        )
    setattr(obj, manifest_field, manifest)
    obj.save(update_fields=[manifest_field])
    renditions_delete(storage=image.storage, manifest=old, keep=manifest)


def renditions_delete(*, storage, manifest: dict, keep: dict | None = None) -> None:
    """Remove the files of an old manifest that a new one (`keep`) does not use."""
    kept = set(rendition_names(keep or {}))
    for name in rendition_names(manifest or {}):
        if name not in kept:
            storage.delete(name)


def delete_renditions_with(sender, instance, **kwargs):
    """A deleted story or gallery photo takes its renditions along, once the deletion is
    committed (a rolled-back deletion keeps them). The upload itself stays, as Django
    leaves every FileField's file: backups and restores keep their originals."""
    manifest = getattr(instance, "image_renditions", None) or getattr(instance, "renditions", None)
    if instance.image and manifest:
        storage = instance.image.storage
        transaction.on_commit(lambda: renditions_delete(storage=storage, manifest=manifest))


def rendition_names(manifest: dict) -> list[str]:
    """Every file a rendition manifest names: each format's widths, then the preview."""
    names = [name for source in manifest.get("sources", []) for _w, name in source["files"]]
    if manifest.get("preview"):
        names.append(manifest["preview"]["name"])
    return names


class Picture:
    """What a page needs to show a photo, from its manifest alone.

    `sources` are the `<source>` lines of a `<picture>` (best format first, the
    JPEG last as the `<img>`), each `srcset` listing every width.
    """

    def __init__(self, manifest: dict | None, storage, *, alt: str = ""):
        self.manifest = manifest or {}
        self.storage = storage
        self.alt = alt

    def __bool__(self):
        return bool(self._files("image/jpeg"))

    def _srcset(self, files):
        return ", ".join(f"{self.storage.url(name)} {width}w" for width, name in files)

    def _files(self, mime):
        for source in self.manifest.get("sources", []):
            if source["type"] == mime:
                return source["files"]
        return []

    @property
    def sources(self):
        return [
            {"type": source["type"], "srcset": self._srcset(source["files"])}
            for source in self.manifest.get("sources", [])
            if source["type"] != "image/jpeg"
        ]

    @property
    def jpeg_srcset(self):
        return self._srcset(self._files("image/jpeg"))

    @property
    def fallback(self):
        """The JPEG closest to 960 pixels wide: the `<img src>` and its size, for
        browsers that read no `srcset`."""
        files = self._files("image/jpeg")
        width, name = min(files, key=lambda item: (abs(item[0] - 960), -item[0]))
        return {
            "url": self.storage.url(name),
            "width": width,
            "height": round(width * RATIO[1] / RATIO[0]),
        }

    def fallback_file(self) -> dict | None:
        """The fallback JPEG's address, size in bytes and type, for feed enclosures
        (the size asks the storage: feeds are cached whole)."""
        files = self._files("image/jpeg")
        if not files:
            return None
        _width, name = min(files, key=lambda item: (abs(item[0] - 960), -item[0]))
        return {
            "url": self.storage.url(name),
            "length": self.storage.size(name),
            "mime": "image/jpeg",
        }

    @property
    def largest_jpeg_url(self):
        files = self._files("image/jpeg")
        return self.storage.url(max(files)[1]) if files else ""

    @property
    def preview(self):
        preview = self.manifest.get("preview")
        if not preview:
            return None
        return {**preview, "url": self.storage.url(preview["name"])}


# Where cameras and agencies keep a photo's caption and author.
IPTC_CAPTION, IPTC_BYLINE, IPTC_CREDIT = (2, 120), (2, 80), (2, 110)
EXIF_DESCRIPTION, EXIF_ARTIST, EXIF_COPYRIGHT = 0x010E, 0x013B, 0x8298


def photo_metadata(file) -> dict[str, str]:
    """The caption and the credit stored in an uploaded photo ("" when absent):
    IPTC first (what agencies fill in), then EXIF."""
    file.seek(0)
    try:
        with Image.open(file) as image:
            iptc = IptcImagePlugin.getiptcinfo(image) or {}
            exif = image.getexif()
    except (OSError, SyntaxError, ValueError):
        return {"caption": "", "credit": ""}
    finally:
        file.seek(0)
    caption = _text(iptc.get(IPTC_CAPTION)) or _text(exif.get(EXIF_DESCRIPTION))
    credit = (
        _text(iptc.get(IPTC_BYLINE))
        or _text(iptc.get(IPTC_CREDIT))
        or _text(exif.get(EXIF_ARTIST))
        or _text(exif.get(EXIF_COPYRIGHT))
    )
    return {"caption": caption[:300], "credit": credit[:150]}


def _text(value) -> str:
    """A metadata value as text: IPTC gives bytes (or a list of them), Pillow reads
    EXIF text as Latin-1 though cameras and editors write UTF-8."""
    if isinstance(value, list):
        value = b", ".join(value) if all(isinstance(v, bytes) for v in value) else value[0]
    if isinstance(value, str):
        try:
            value = value.encode("latin-1")
        except UnicodeEncodeError:
            return " ".join(value.split())
    if not isinstance(value, bytes):
        return ""
    for encoding in ("utf-8", "cp1251"):
        try:
            return " ".join(value.decode(encoding).replace("\x00", " ").split())
        except UnicodeDecodeError:
            continue
    return ""
