from datetime import datetime
from zoneinfo import ZoneInfo

from django.template import Context, Template
from django.utils import translation

MAY_19 = datetime(2021, 5, 19, 14, 5, tzinfo=ZoneInfo("Asia/Bishkek"))


def render(language, template):
    with translation.override(language):
        return Template("{% load i18n %}" + template).render(Context({"d": MAY_19}))


def test_kyrgyz_dates_use_lower_case_months_everywhere():
    """Plain `date` filters (comments, admin) follow the press too, not only press_date."""
    assert render("ky", '{{ d|date:"DATE_FORMAT" }}') == "19-май, 2021-ж."
    assert render("ky", '{{ d|date:"DATETIME_FORMAT" }}') == "19-май, 2021-ж., 14:05"
    assert render("ky", '{{ d|date:"F" }}') == "май"


def test_russian_dates_in_press_style():
    assert render("ru", '{{ d|date:"DATE_FORMAT" }}') == "19 мая 2021"
