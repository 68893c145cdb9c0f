"""Dates on readers' pages, formatted as Django formats them, faster.

Every story card shows its time (`press_datetime`), forty of them on the home page, and
`django.utils.formats.date_format` costs tens of microseconds each: it looks the format
up, parses it, and reads each month name through a lazy translation. Here a format is
parsed once per language and format, and the month names are read once per language;
the date is then put together from those parts. Only the format characters our
formats use are done here (day, month, year, hour and minute, as numbers or names);
any other format goes to Django as before. tests/newsroom/test_dates.py checks that the
result is Django's for every day of a year, in every language and format.
"""

import functools

from django.utils import dateformat, formats, translation
from django.utils.dates import MONTHS, MONTHS_ALT

# What each format character of ours shows, from the date and the language's names.
_PARTS = {
    "d": lambda value, names: "%02d" % value.day,
    "j": lambda value, names: str(value.day),
    "m": lambda value, names: "%02d" % value.month,
    "n": lambda value, names: str(value.month),
    "Y": lambda value, names: "%04d" % value.year,
    "y": lambda value, names: "%02d" % (value.year % 100),
    "H": lambda value, names: "%02d" % value.hour,
    "G": lambda value, names: str(value.hour),
    "i": lambda value, names: "%02d" % value.minute,
    "F": lambda value, names: names["F"][value.month],
    "E": lambda value, names: names["E"][value.month],
}
_TIME_CHARACTERS = frozenset("HGi")


def date_format(value, format_name: str, language: str | None = None) -> str:
    """`django.utils.formats.date_format(value, format_name)` in `language` (by default
    the active one): `format_name` is one of the language's formats ("DATETIME_FORMAT")
    or a format."""
    language = language or translation.get_language()
    compiled = _compiled(format_name, language)
    if compiled is None or (compiled.shows_time and not hasattr(value, "hour")):
        with translation.override(language):
            return formats.date_format(value, format_name)
    names = compiled.names
    return "".join(part if type(part) is str else part(value, names) for part in compiled.parts)


class _Format:
    __slots__ = ("names", "parts", "shows_time")

    def __init__(self, parts, names, shows_time):
        self.parts, self.names, self.shows_time = parts, names, shows_time


@functools.lru_cache(maxsize=128)
def _compiled(format_name: str, language: str | None) -> _Format | None:
    """The format's pieces (literal text, or what a format character shows) and the
    language's month names; None for a format with characters not done here."""
    pattern = formats.get_format(format_name, language)
    parts, shows_time = [], False
    for index, piece in enumerate(dateformat.re_formatchars.split(str(pattern))):
        if index % 2:
            if piece not in _PARTS:
                return None
            parts.append(_PARTS[piece])
            shows_time = shows_time or piece in _TIME_CHARACTERS
        elif piece:
            parts.append(dateformat.re_escaped.sub(r"\1", piece))
    with translation.override(language):
        names = {
            "F": [""] + [str(MONTHS[month]) for month in range(1, 13)],
            "E": [""] + [str(MONTHS_ALT[month]) for month in range(1, 13)],
        }
    return _Format(tuple(parts), names, shows_time)
