"""Story image renditions: made once when the image is uploaded, only looked up afterwards.

A reader's request never decodes an original: the public pages and the admin preview
ask for an existing rendition and show no picture when there is none.
"""

import mimetypes

from easy_thumbnails.alias import aliases
from easy_thumbnails.files import generate_all_aliases, get_thumbnailer


def renditions_make(*, image) -> None:
    """Every size of settings.THUMBNAIL_ALIASES for this (already validated) image."""
    generate_all_aliases(image, include_global=True)


def _existing_rendition(image, alias: str):
    thumbnailer = get_thumbnailer(image)
    options = aliases.get(alias, target=thumbnailer.alias_target)
    if not options:
        raise KeyError(alias)
    return thumbnailer.get_thumbnail(dict(options, ALIAS=alias), generate=False)


def rendition_url(image, alias: str) -> str:
    """The URL of an existing rendition, or "" when it was never made."""
    thumbnail = _existing_rendition(image, alias)
    return thumbnail.url if thumbnail else ""


def rendition_file(image, alias: str) -> dict | None:
    """An existing rendition's URL, size in bytes and media type (for feed enclosures)."""
    thumbnail = _existing_rendition(image, alias)
    if not thumbnail:
        return None
    media_type = mimetypes.guess_type(thumbnail.name)[0] or "image/jpeg"
    return {"url": thumbnail.url, "length": thumbnail.size, "mime_type": media_type}
