"""What an uploaded story image must be, checked before anything decodes it in full."""

import warnings
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

# The formats browsers show everywhere, and the file name endings each may have.
IMAGE_EXTENSIONS = {"JPEG": ("jpg", "jpeg"), "PNG": ("png",), "WEBP": ("webp",)}


def validate_image_size(file):
    """Within NEWSROOM_MAX_IMAGE_BYTES. A file stored earlier is not checked again: with
    media in a bucket its size would cost a request to the storage on every save."""
    if getattr(file, "_committed", False):
        return
    limit = settings.NEWSROOM_MAX_IMAGE_BYTES
    if file.size > limit:
        raise ValidationError(
            _("The image is too large (%(size)s). The limit is %(limit)s."),
            code="image_too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
        )


def validate_image_content(file):
    """A real JPEG, PNG or WebP under its own extension, within the pixel limits, intact.

    The header is read first: a small file claiming 13300×13300 pixels (a
    decompression bomb) is refused before a single pixel is decoded. Only then is
    the image decoded, so a damaged file is refused here rather than breaking its
    renditions later. A file stored earlier is not checked again.
    """
    if getattr(file, "_committed", False):
        return
    extension = Path(file.name or "").suffix.lower().lstrip(".")
    file.seek(0)
    try:
        with warnings.catch_warnings():
            # Above the limit Pillow warns, above twice the limit it refuses: refuse both.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(file)
            width, height = image.size
            _check_format(image.format, extension)
            _check_pixels(width, height)
            image.draft(image.mode, (1, 1))  # JPEG: decode at 1/8 scale, enough to find damage
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels() from exc
    except UnidentifiedImageError as exc:
        raise ValidationError(
            _("This file is not an image. Upload a JPEG, PNG or WebP photo."), code="not_an_image"
        ) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("The image file is damaged and cannot be read. Save it again and upload the copy."),
            code="damaged_image",
        ) from exc
    finally:
        file.seek(0)


def _check_format(image_format, extension):
    if image_format not in IMAGE_EXTENSIONS:
        raise ValidationError(
            _("A %(format)s file cannot be uploaded. Upload a JPEG, PNG or WebP image."),
            code="image_format",
            params={"format": image_format or "?"},
        )
    if extension not in IMAGE_EXTENSIONS[image_format]:
        raise ValidationError(
            _(
                "The file is a %(format)s image, but its name ends in “.%(extension)s”. "
                "Rename it to end in “.%(expected)s” and upload it again."
            ),
            code="image_extension",
            params={
                "format": image_format,
                "extension": extension,
                "expected": IMAGE_EXTENSIONS[image_format][0],
            },
        )


def _check_pixels(width, height):
    side, pixels = settings.NEWSROOM_MAX_IMAGE_SIDE, settings.NEWSROOM_MAX_IMAGE_PIXELS
    if width > side or height > side or width * height > pixels:
        raise _too_many_pixels(width, height)


def _too_many_pixels(width=None, height=None):
    params = {
        "side": settings.NEWSROOM_MAX_IMAGE_SIDE,
        "megapixels": f"{settings.NEWSROOM_MAX_IMAGE_PIXELS / 1_000_000:g}",
    }
    if width is None:
        message = _(
            "The image has too many pixels. The limit is %(side)s pixels a side "
            "and %(megapixels)s megapixels in all."
        )
    else:
        message = _(
            "The image is %(width)s×%(height)s pixels. The limit is %(side)s pixels a side "
            "and %(megapixels)s megapixels in all."
        )
        params |= {"width": width, "height": height}
    return ValidationError(message, code="image_too_many_pixels", params=params)


def validate_focal_percent(value):
    """A focal point coordinate: percent of the image's width or height from its
    left or top edge, so anything outside 0–100 lies outside the image."""
    if value is not None and not 0 <= value <= 100:
        raise ValidationError(
            _(
                "The focal point must lie inside the image: give a number from 0 to 100 "
                "(percent of the width from the left, of the height from the top)."
            ),
            code="focal_outside",
        )
