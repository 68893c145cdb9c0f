"""Readers' decimals (newsroom.numbers) are Django's `floatformat`, character for
character, and the rates on a page are written with the language's decimal comma."""

import random
from decimal import Decimal

import pytest
from django.template import defaultfilters
from django.test import override_settings
from django.utils import translation

from newsroom.numbers import floatformat


def decimals():
    """Rates as the bank quotes them, their changes, and the awkward ones."""
    numbers = random.Random(12)
    yield from (
        Decimal(text)
        for text in [
            "0",
            "-0",
            "0.00",
            "1",
            "10",
            "87.45",
            "87.4500",
            "-0.004",
            "-0.005",
            "0.005",
            "0.125",
            "0.135",
            "2.5",
            "-2.5",
            "99.995",
            "99.994999",
            "1E+3",
            "1.5E-7",
            "-1234567.891",
            "0.000049",
            "123456789012345678901234567890.5",
        ]
    )
    for _ in range(3000):
        digits = numbers.randint(1, 12)
        yield Decimal(numbers.randint(-(10**digits), 10**digits)).scaleb(-numbers.randint(0, 9))


@pytest.mark.parametrize("language", ["ky", "ru"])
@pytest.mark.parametrize("places", [1, 2, 4, 6])
def test_a_decimal_is_formatted_as_djangos_floatformat_formats_it(language, places):
    with translation.override(language):
        for value in decimals():
            assert floatformat(value, places) == defaultfilters.floatformat(value, places), value


def test_a_rate_is_written_with_the_languages_decimal_comma_and_no_minus_zero():
    with translation.override("ru"):
        assert floatformat(Decimal("87.4450"), 2) == "87,45"  # half up, as the bank rounds
        assert floatformat(Decimal("-0.00004"), 4) == "0,0000"
    with translation.override("ky"):
        assert floatformat(Decimal("0.9"), 4) == "0,9000"


@pytest.mark.parametrize(
    ("value", "arg"), [(87.45, 2), (Decimal("87.45"), -1), (Decimal("1234.5"), "2g"), (None, 2)]
)
def test_what_it_does_not_format_itself_goes_to_djangos_filter(value, arg):
    with translation.override("ru"):
        assert floatformat(value, arg) == defaultfilters.floatformat(value, arg)


@override_settings(USE_THOUSAND_SEPARATOR=True)
def test_thousands_grouping_is_left_to_django():
    with translation.override("ru"):
        assert floatformat(Decimal("1234567.891"), 2) == "1\xa0234\xa0567,89"
