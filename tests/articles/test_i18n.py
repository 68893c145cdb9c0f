"""Each language's press style for dates, and error pages in the reader's language."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import engines
from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import server_error

from articles.views import HomeView

BISHKEK = ZoneInfo("Asia/Bishkek")


@pytest.mark.parametrize(
    ("language", "expected_date", "expected_datetime"),
    [
        ("ru", "19 мая 2021", "19 мая 2021, 09:05"),
        ("ky", "19-май, 2021-ж.", "19-май, 2021-ж., 09:05"),
    ],
)
def test_press_style_dates(language, expected_date, expected_datetime):
    template = engines["jinja2"].from_string(
        "{{ day|press_date }}|{{ moment|press_datetime }}|{{ day|date }}"
    )
    moment = datetime(2021, 5, 19, 9, 5, tzinfo=BISHKEK)
    with translation.override(language):
        rendered = template.render({"day": date(2021, 5, 19), "moment": moment})
    press_date, press_datetime, django_date = rendered.split("|")
    assert press_date == expected_date
    assert press_datetime == expected_datetime
    # The format files make Django's own `date` filter follow the house style too.
    assert django_date.lower() == expected_date


@pytest.mark.parametrize(
    ("language", "month_name"),
    [("ky", "1-январь, 2024-ж."), ("ky", "31-декабрь, 2024-ж."), ("ru", "1 января 2024")],
)
def test_month_names_in_press_style(language, month_name):
    day = date(2024, 1, 1) if month_name.startswith("1") else date(2024, 12, 31)
    template = engines["jinja2"].from_string("{{ day|press_date }}")
    with translation.override(language):
        assert template.render({"day": day}) == month_name


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading"), [("ky", "Барак табылган жок"), ("ru", "Страница не найдена")]
)
def test_404_page_is_in_the_readers_language(client, language, heading):
    response = client.get(f"/{language}/news/no-such-story/")
    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert heading in html
    assert 'class="rubric-menu"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading"), [("ky", "Ката кетти"), ("ru", "Что-то пошло не так")]
)
def test_500_page_is_in_the_readers_language(monkeypatch, language, heading):
    def broken(self, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(HomeView, "get_context_data", broken)
    response = Client(raise_request_exception=False).get(f"/{language}/")
    assert response.status_code == 500
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert heading in html


def test_500_page_renders_without_the_database():
    """The database may be the reason for the error: the page must not need it.

    No django_db mark: pytest-django fails the test on any database access.
    """
    with translation.override("ru"):
        response = server_error(RequestFactory().get("/ru/"))
    assert response.status_code == 500
    assert "Что-то пошло не так" in response.content.decode()
