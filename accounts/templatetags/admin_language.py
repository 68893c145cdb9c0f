import re

from django import template
from django.utils.translation import gettext

register = template.Library()

# modeltranslation names a field's language by its code: "title [ky]".
LANGUAGE_CODE_SUFFIX = re.compile(r"\s*\[(ky|ru)\]$")


@register.filter
def language_in_words(label):
    """ "title [ky]" as "title (in Kyrgyz)", in the admin's language."""
    words = {"ky": gettext("in Kyrgyz"), "ru": gettext("in Russian")}
    label = str(label)
    return LANGUAGE_CODE_SUFFIX.sub(lambda match: f" ({words[match.group(1)]})", label)
