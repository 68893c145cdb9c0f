"""Story image renditions: made once when the image is uploaded, only looked up afterwards.

A reader's request never decodes an original: the public pages and the admin preview
ask for an existing rendition and show no picture when there is none.
"""

from easy_thumbnails.alias import aliases
from easy_thumbnails.files import generate_all_aliases, get_thumbnailer


def renditions_make(*, image) -> None:
    """Every size of settings.THUMBNAIL_ALIASES for this (already validated) image."""
    generate_all_aliases(image, include_global=True)


def rendition_url(image, alias: str) -> str:
    """The URL of an existing rendition, or "" when it was never made."""
    thumbnailer = get_thumbnailer(image)
    options = aliases.get(alias, target=thumbnailer.alias_target)
    if not options:
        raise KeyError(alias)
    thumbnail = thumbnailer.get_thumbnail(dict(options, ALIAS=alias), generate=False)
    return thumbnail.url if thumbnail else ""
