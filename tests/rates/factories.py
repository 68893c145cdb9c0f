"""Currencies and rates for the rates tests."""

from datetime import date
from decimal import Decimal

from rates.currencies import new_currency_fields
from rates.models import Currency, Rate


def make_currency(code: str, **kwargs) -> Currency:
    return Currency.objects.create(code=code, **(new_currency_fields(code) | kwargs))


def make_rate(currency: Currency, day: date, value: str, **kwargs) -> Rate:
    return Rate.objects.create(currency=currency, date=day, value=Decimal(value), **kwargs)
