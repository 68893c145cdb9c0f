"""The demo loader gives the widget and the charts a month of weekday rates, once."""

from datetime import date
from decimal import Decimal

import pytest

from rates.demo import load_demo_rates
from rates.models import Currency, Rate

pytestmark = pytest.mark.django_db

FRIDAY = date(2026, 7, 3)


def test_demo_creates_a_month_of_weekday_rates_once():
    created = load_demo_rates(today=FRIDAY)
    # 30 days back from Friday 3 July hold 22 weekdays, for 9 currencies.
    assert created == 22 * 9 == Rate.objects.count()
    assert not Rate.objects.filter(date__week_day__in=[1, 7]).exists()
    assert load_demo_rates(today=FRIDAY) == 0
    assert Rate.objects.count() == created


def test_demo_currencies_and_their_order():
    load_demo_rates(today=FRIDAY, days=3)
    assert list(Currency.objects.shown().values_list("code", flat=True)) == [
        "USD",
        "EUR",
        "RUB",
        "KZT",
        "CNY",
    ]
    hidden = Currency.objects.filter(is_shown=False)
    assert set(hidden.values_list("code", flat=True)) == {"GBP", "CHF", "TRY", "UZS"}
    assert all(currency.name_ky and currency.name_ru for currency in hidden)


def test_demo_values_stay_close_to_the_real_sample():
    load_demo_rates(today=FRIDAY)
    values = Rate.objects.filter(currency__code="USD").values_list("value", flat=True)
    assert all(Decimal("87") < value < Decimal("87.9") for value in values)
    assert len(set(values)) > 10


def test_demo_leaves_real_rates_alone():
    load_demo_rates(today=FRIDAY, days=1)
    Rate.objects.filter(currency__code="USD").update(value=Decimal("90"), is_manual=True)
    load_demo_rates(today=FRIDAY, days=1)
    assert Rate.objects.get(currency__code="USD").value == Decimal("90")
