from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _


def validate_image_size(file):
    limit = settings.NEWSROOM_MAX_IMAGE_BYTES
    if file.size > limit:
        raise ValidationError(
            _("The image is too large (%(size)s). The limit is %(limit)s."),
            code="image_too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
        )
