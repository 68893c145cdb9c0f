"""The header widget: latest rates on or before today, changes, language, cache, staleness."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template import engines
from django.utils import translation

from rates.models import Rate
from rates.services import import_rates

from .factories import make_currency, make_rate

pytestmark = pytest.mark.django_db

BISHKEK = ZoneInfo("Asia/Bishkek")
# Sunday 5 July 2026, noon in Bishkek.
SUNDAY = datetime(2026, 7, 5, 12, tzinfo=BISHKEK)


def render_widget(language: str) -> str:
    with translation.override(language):
        return engines["jinja2"].from_string('{% include "rates/widget.html" %}').render()


@pytest.fixture
def week_of_rates():
    """USD and EUR on Thursday and Friday, USD already set for Monday; RUB hidden."""
    usd, eur, rub = make_currency("USD"), make_currency("EUR"), make_currency("RUB")
    rub.is_shown = False
    rub.save()
    make_rate(usd, date(2026, 7, 2), "87.30")
    make_rate(usd, date(2026, 7, 3), "87.45")
    make_rate(usd, date(2026, 7, 6), "99.99")
    make_rate(eur, date(2026, 7, 2), "100.10")
    make_rate(eur, date(2026, 7, 3), "99.8679")
    make_rate(rub, date(2026, 7, 3), "1.1239")


@time_machine.travel(SUNDAY)
def test_weekend_shows_fridays_rates_and_their_change(week_of_rates):
    """On Sunday the latest rates on or before today are Friday's; Monday's is not yet due."""
    html = render_widget("ru")
    assert "87,45" in html and "99,87" in html
    assert "99,99" not in html
    assert "RUB" not in html
    assert '<time class="rates-widget__date" datetime="2026-07-03">на 03.07.2026</time>' in html
    assert 'class="rates-change rates-change--up"><span aria-hidden="true">▲</span> 0,15' in html
    assert 'rates-change--down"><span aria-hidden="true">▼</span> 0,23' in html
    assert "рост по сравнению с предыдущим курсом" in html
    assert html.index("USD") < html.index("EUR")
    assert 'href="/ru/rates/"' in html
    assert "Устарело" not in html


@time_machine.travel(SUNDAY)
def test_widget_in_kyrgyz_has_no_russian(week_of_rates):
    html = render_widget("ky")
    assert 'title="АКШ доллары"' in html
    assert "03.07.2026 карата" in html
    assert "Улуттук банктын курстары" in html
    assert "мурунку курска салыштырмалуу өстү" in html
    assert 'href="/ky/rates/"' in html
    for russian in ("Доллар США", "Курсы Нацбанка", "на 03.07.2026", "рост"):
        assert russian not in html


@time_machine.travel(SUNDAY)
def test_widget_in_russian_has_no_kyrgyz(week_of_rates):
    html = render_widget("ru")
    assert 'title="Доллар США"' in html
    assert "Курсы Нацбанка" in html
    for kyrgyz in ("АКШ доллары", "карата", "Улуттук"):
        assert kyrgyz not in html


@time_machine.travel(datetime(2026, 7, 11, 12, tzinfo=BISHKEK))
def test_rates_older_than_four_days_are_marked_outdated(week_of_rates):
    """Monday's rate is the latest; five days later the widget says it is outdated."""
    html = render_widget("ru")
    assert "99,99" in html
    assert "Устарело: новых курсов от Нацбанка нет." in html
    assert "rates-widget--outdated" in html


@time_machine.travel(datetime(2026, 7, 10, 12, tzinfo=BISHKEK))
def test_four_days_like_a_long_weekend_are_not_outdated(week_of_rates):
    assert "Устарело" not in render_widget("ru")


def test_no_rates_renders_an_empty_tidy_widget():
    html = render_widget("ky")
    assert "rates-widget--empty" in html
    assert "<ul" not in html and "<time" not in html
    assert 'href="/ky/rates/"' in html


@time_machine.travel(SUNDAY)
def test_cache_miss_costs_one_query_whatever_the_number_of_currencies(
    week_of_rates, django_assert_num_queries
):
    with django_assert_num_queries(1):
        render_widget("ru")
    for code in ("KZT", "CNY", "GBP", "CHF"):
        make_rate(make_currency(code, is_shown=True), date(2026, 7, 3), "10")
    with django_assert_num_queries(1):
        html = render_widget("ru")
    assert "CHF" in html


@time_machine.travel(SUNDAY)
def test_each_currency_shows_its_own_latest_rate_and_change_after_years_of_history():
    """Every currency's two latest rates on or before today, found per currency: a
    weekly one quoted last three weeks ago still shows, with its own change."""
    from datetime import timedelta

    usd, cny = make_currency("USD"), make_currency("CNY")
    start = date(2023, 7, 3)
    Rate.objects.bulk_create(
        Rate(currency=usd, date=start + timedelta(days=n), value=Decimal("80") + n / Decimal(100))
        for n in range(3 * 365)
    )
    make_rate(cny, date(2026, 6, 7), "12.10")
    make_rate(cny, date(2026, 6, 14), "12.25")
    make_rate(usd, date(2026, 7, 6), "99.99")  # Monday's: not yet due
    last_usd = Rate.objects.filter(currency=usd, date__lte=date(2026, 7, 5)).latest("date")
    html = render_widget("ru")
    usd_item, cny_item = html.split("USD</abbr>")[1], html.split("CNY</abbr>")[1]
    assert f"{last_usd.value:.2f}".replace(".", ",") in usd_item.split("</li>")[0]
    assert "99,99" not in html
    assert "12,25" in cny_item.split("</li>")[0] and "▲</span> 0,15" in cny_item


@time_machine.travel(SUNDAY)
def test_cache_hit_costs_no_query(week_of_rates, django_assert_num_queries):
    render_widget("ru")
    with django_assert_num_queries(0):
        html = render_widget("ru")
    assert "87,45" in html


@time_machine.travel(SUNDAY)
def test_cache_is_per_language(week_of_rates):
    render_widget("ky")
    assert "Доллар США" in render_widget("ru")


@time_machine.travel(SUNDAY)
def test_cache_is_dropped_when_rates_change(week_of_rates, daily_bytes, tmp_path):
    """An import, a hand edit, a deletion and a hidden currency each show at once."""
    assert "87,45" in render_widget("ru")
    newer = tmp_path / "daily.xml"
    newer.write_bytes(daily_bytes.replace(b"87,4500", b"87,9000"))
    import_rates(files=[newer])
    assert "87,90" in render_widget("ru")
    rate = Rate.objects.get(currency__code="USD", date=date(2026, 7, 3))
    rate.value = Decimal("88.12")
    rate.save()
    assert "88,12" in render_widget("ru")
    rate.delete()
    html = render_widget("ru")
    assert "88,12" not in html and "87,30" in html
    usd = rate.currency
    usd.is_shown = False
    usd.save()
    assert "USD" not in render_widget("ru")
