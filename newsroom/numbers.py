"""Decimal numbers on readers' pages, formatted as Django's `floatformat` formats them,
faster.

The header's exchange rates are on every page: five rates and five changes, each
through `floatformat`, which turns the number into text and back, looks the language's
separators up through its format modules and then builds the text digit by digit (20 µs
a number, a tenth of the rates widget). Here a Decimal shown with a fixed number of
places is rounded as Django rounds it (half up) and printed once; anything else (a
float, places of -1 or "2g", thousands grouping switched on) goes to Django.
tests/newsroom/test_numbers.py checks the result against Django's filter.
"""

import functools
from decimal import ROUND_HALF_UP, Context, Decimal, getcontext

from django.conf import settings
from django.template import defaultfilters
from django.utils import formats, translation
from django.utils.safestring import SafeString


def floatformat(value, arg=-1, language=None):
    """Django's `floatformat` filter: `value` rounded to `arg` decimal places, in
    `language` (by default the active one)."""
    if (
        type(value) is not Decimal
        or type(arg) is not int
        or arg <= 0
        or not value.is_finite()
        or settings.USE_THOUSAND_SEPARATOR
    ):
        with translation.override(language or translation.get_language()):
            return defaultfilters.floatformat(value, arg)
    _sign, digits, exponent = value.as_tuple()
    # Enough precision for every digit kept (at least the precision Django's filter
    # rounds with, which gives the same result).
    precision = max(getcontext().prec, arg + len(digits) + abs(exponent) + 1)
    rounded = value.quantize(_STEPS[arg], ROUND_HALF_UP, _CONTEXTS[precision])
    text = f"{rounded:f}"
    if text[0] == "-" and not rounded:
        text = text[1:]  # no "-0,00"
    separator = _decimal_separator(language or translation.get_language())
    return SafeString(text.replace(".", separator))


class _Steps(dict):
    def __missing__(self, places):
        self[places] = step = Decimal(1).scaleb(-places)
        return step


class _Contexts(dict):
    def __missing__(self, precision):
        self[precision] = context = Context(prec=precision)
        return context


_STEPS, _CONTEXTS = _Steps(), _Contexts()


@functools.lru_cache(maxsize=16)
def _decimal_separator(language: str | None) -> str:
    return formats.get_format("DECIMAL_SEPARATOR", language, use_l10n=True)
