"""The rates page: today's table, accessible month charts, and a converter that never 500s."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from rates.models import Rate

from .factories import make_currency, make_rate

pytestmark = pytest.mark.django_db

FRIDAY = datetime(2026, 7, 3, 12, tzinfo=ZoneInfo("Asia/Bishkek"))


@pytest.fixture
def month_of_rates():
    """A month of USD and EUR (shown), and one old weekly GBP rate (hidden)."""
    usd, eur = make_currency("USD"), make_currency("EUR")
    for offset in range(40):
        day = date(2026, 7, 3) - timedelta(days=offset)
        make_rate(usd, day, f"{87 + offset / 100:.2f}")
        make_rate(eur, day, f"{99 + offset / 100:.2f}")
    make_rate(make_currency("GBP"), date(2026, 6, 27), "117.21", source=Rate.Source.WEEKLY)


def get_page(client, language="ru", **params):
    with time_machine.travel(FRIDAY):
        response = client.get(f"/{language}/rates/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_page_urls_per_language():
    assert reverse("rates:page") == "/ky/rates/"
    with translation.override("ru"):
        assert reverse("rates:page") == "/ru/rates/"


def test_table_lists_every_currency_with_its_change(client, month_of_rates):
    html = get_page(client)
    assert "<title>Курсы валют Национального банка | " in html
    assert (
        '<th scope="row">USD</th><td>Доллар США</td><td class="rates-table__number">87,00' in html
    )
    assert 'rates-change--down"><span aria-hidden="true">▼</span> 0,01' in html
    assert '<th scope="row">GBP</th><td>Фунт стерлингов</td>' in html
    assert "117,21 <small>(27.06.2026)</small>" in html
    assert "Изменение" in html


def test_month_chart_is_accessible_svg_with_a_numbers_table(client, month_of_rates):
    """Shown currencies get a 30-day line chart with a title, a description and the numbers."""
    html = get_page(client)
    assert html.count('<svg class="rates-chart__svg" role="img"') == 2
    assert '<title id="chart-USD-title">Курс USD в сомах за последние 30 дней</title>' in html
    assert "С 87,29 (04.06.2026) до 87,00 (03.07.2026); минимум 87,00, максимум 87,29." in html
    assert html.count("<polyline") == 2
    usd_table = html[html.index('id="chart-USD-desc"') : html.index('id="chart-EUR-title"')]
    assert usd_table.count("<tr><td><time") == 30
    assert "<summary>Показать цифры</summary>" in usd_table
    assert 'points="6.0,6.0' in usd_table and "314.0,90.0" in usd_table
    assert "chart-GBP" not in html


def test_page_in_kyrgyz(client, month_of_rates):
    html = get_page(client, "ky")
    assert "АКШ доллары" in html and "Доллар США" not in html
    assert "03.07.2026 карата расмий курстары" in html


def test_page_query_count_does_not_grow_with_currencies(
    client, month_of_rates, django_assert_num_queries
):
    """Two queries for the page and one for the (uncached) header widget; the first
    page also builds the site's rubric menu and looks up the next scheduled story (for
    the page cache's lifetime), which later pages find cached."""
    with django_assert_num_queries(5):
        get_page(client)
    for code in ("KZT", "CNY", "RUB"):
        make_rate(make_currency(code), date(2026, 7, 3), "1.5")
    with django_assert_num_queries(3):
        html = get_page(client)
    assert "chart-RUB-title" in html


def test_page_without_rates(client):
    html = get_page(client)
    assert "Курсы от Нацбанка пока не получены." in html
    assert "<svg" not in html


@pytest.mark.parametrize(
    ("params", "result"),
    [
        ({"amount": "100", "currency": "USD", "direction": "to_som"}, "100 USD = 8700,00 сом"),
        (
            {"amount": "1000,5", "currency": "USD", "direction": "from_som"},
            "1000,5 сом = 11,5000 USD",
        ),
        ({"amount": "2.5", "currency": "EUR", "direction": "to_som"}, "2,5 EUR = 247,50 сом"),
    ],
)
def test_converter(client, month_of_rates, params, result):
    html = get_page(client, **params)
    assert f'<p class="rates-converter__result" role="status">{result}</p>' in html


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"amount": "abc", "currency": "USD", "direction": "to_som"}, "Введите число."),
        ({"amount": "-5", "currency": "USD", "direction": "to_som"}, "больше либо равно 0.01"),
        ({"amount": "1e999", "currency": "USD", "direction": "to_som"}, "меньше либо равно"),
        ({"amount": "NaN", "currency": "USD", "direction": "to_som"}, "Введите число."),
        ({"amount": "10", "currency": "XXX", "direction": "to_som"}, "Выберите корректный"),
        ({"amount": "10", "currency": "USD", "direction": "sideways"}, "Выберите корректный"),
        ({"amount": ""}, "Обязательное поле."),
        ({"amount": "1" * 40, "currency": "USD"}, "не более 16 цифр"),
    ],
)
def test_converter_junk_gets_a_localized_error_not_a_500(client, month_of_rates, params, error):
    html = get_page(client, **params)
    assert error in html
    assert "rates-converter__result" not in html


def test_converter_accepts_a_decimal_comma_and_spaces_in_kyrgyz(client, month_of_rates):
    html = get_page(client, "ky", amount="1 000,5", currency="USD", direction="to_som")
    assert "USD = 87043,50 сом</p>" in html


def test_converter_error_in_kyrgyz(client, month_of_rates):
    html = get_page(client, "ky", amount="abc", currency="USD", direction="to_som")
    assert "Сан киргизиңиз." in html


def test_no_converter_result_before_the_form_is_used(client, month_of_rates):
    html = get_page(client)
    assert "rates-converter__result" not in html and "errorlist" not in html


def test_widget_currencies_come_first_and_the_others_are_on_demand(client, month_of_rates):
    """The header's currencies in the open table; the rest inside a disclosure that
    works without script, its summary counting them in the reader's language."""
    make_rate(make_currency("KZT", is_shown=False), date(2026, 7, 3), "0.17")
    html = get_page(client)
    shown, _sep, others = html.partition('<details class="rates-more">')
    assert '<th scope="row">USD</th>' in shown and '<th scope="row">EUR</th>' in shown
    assert '<th scope="row">GBP</th>' not in shown
    assert "<summary>Ещё 2 валюты</summary>" in others
    assert '<th scope="row">GBP</th>' in others and '<th scope="row">KZT</th>' in others
    assert "<summary>Дагы 2 валюта</summary>" in get_page(client, "ky")


def test_a_currency_the_bank_stopped_quoting_is_not_shown(client, month_of_rates):
    """Defunct: no rate for more than 30 days before the newest rate of any currency.
    It is neither in the tables nor offered by the converter."""
    make_rate(make_currency("TRY"), date(2026, 5, 20), "2.71")
    html = get_page(client)
    assert "TRY" not in html
    html = get_page(client, amount="10", currency="TRY", direction="to_som")
    assert "Выберите корректный" in html
    # A weekly currency a week old is still quoted.
    assert '<th scope="row">GBP</th>' in html


def test_the_language_switch_keeps_the_rates_page(client, month_of_rates):
    html = get_page(client, "ru")
    assert 'href="/ky/rates/" lang="ky"' in html
    assert 'hreflang="ky" href="http://testserver/ky/rates/"' in html
