"""The agency's dateline, in one place.

Kyrgyz:  ``Бишкек, 19.05.21. /Кабар/.``  (as on the agency's own pages)
Russian: ``Бишкек, 19 мая. /Кабар/.``
"""

from datetime import datetime

from django.conf import settings
from django.utils import dateformat, timezone, translation

# Date part of the dateline, per language, in Django's date-format syntax.
DATELINE_DATE_FORMATS = {
    "ky": "d.m.y",
    "ru": "j E",
}


def agency_name(language: str) -> str:
    names = settings.NEWSROOM_AGENCY_NAME
    return names.get(language) or names[settings.LANGUAGE_CODE]


def format_dateline(*, place: str, published_at: datetime, language: str) -> str:
    """`Place, date. /Agency/.` in the agency's style for `language`."""
    local = timezone.localtime(published_at)
    with translation.override(language):
        date = dateformat.format(local, DATELINE_DATE_FORMATS[language])
    head = f"{place}, {date}" if place else date
    return f"{head}. /{agency_name(language)}/."
