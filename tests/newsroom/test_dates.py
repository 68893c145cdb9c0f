"""Readers' dates (newsroom.dates) are Django's dates, character for character."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import formats, timezone, translation

from newsroom.dates import date_format

FORMATS = [
    "DATE_FORMAT",
    "DATETIME_FORMAT",
    "TIME_FORMAT",
    "MONTH_DAY_FORMAT",
    "YEAR_MONTH_FORMAT",
    "SHORT_DATE_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "d.m.Y",
    "Y-m-d",
    r"j \d\e F",
]


def moments():
    zone = timezone.get_default_timezone()
    day = date(2024, 1, 1)  # a leap year
    while day.year == 2024:
        for hours, minutes in [(0, 0), (9, 5), (23, 59)]:
            yield datetime.combine(day, time(hours, minutes), zone)
        day += timedelta(days=1)


@pytest.mark.parametrize("language", ["ky", "ru"])
@pytest.mark.parametrize("format_name", FORMATS)
def test_every_day_of_a_year_is_formatted_as_django_formats_it(language, format_name):
    with translation.override(language):
        for moment in moments():
            assert date_format(moment, format_name) == formats.date_format(moment, format_name)


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_dates_without_a_time_and_formats_it_does_not_know_go_to_django(language):
    with translation.override(language):
        day = date(2021, 5, 19)
        assert date_format(day, "DATE_FORMAT") == formats.date_format(day, "DATE_FORMAT")
        moment = datetime(2021, 5, 19, 14, 5, tzinfo=timezone.get_default_timezone())
        assert date_format(moment, "l, jS N") == formats.date_format(moment, "l, jS N")
    with translation.override("ky"):
        assert date_format(day, "DATE_FORMAT") == "19-май, 2021-ж."
    with translation.override("ru"):
        assert date_format(day, "DATE_FORMAT") == "19 мая 2021"
