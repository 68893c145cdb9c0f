"""Demo rates, so the header widget and the charts have a month of history offline."""

import math
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from .currencies import new_currency_fields
from .models import Currency, Rate

# Per-unit values from the real NBKR daily file of 03.07.2026 (tests/fixtures/nbkr/) for the
# shown currencies; the hidden ones are plausible values of the same period.
BASE_VALUES = {
    "USD": Decimal("87.4500"),
    "EUR": Decimal("99.8679"),
    "RUB": Decimal("1.1239"),
    "KZT": Decimal("0.1842"),
    "CNY": Decimal("12.8835"),
    "GBP": Decimal("117.2100"),
    "CHF": Decimal("106.4300"),
    "TRY": Decimal("2.1873"),
    "UZS": Decimal("0.0069"),
}


def demo_value(*, code: str, day: date) -> Decimal:
    """A small, deterministic wobble (within about half a percent) around the base value."""
    index = list(BASE_VALUES).index(code)
    wobble = Decimal(str(round(0.005 * math.sin(day.toordinal() / 3 + index), 6)))
    return (BASE_VALUES[code] * (1 + wobble)).quantize(Decimal("0.0001"))


@transaction.atomic
def load_demo_rates(*, days: int = 30, today: date | None = None) -> int:
    """Create the demo currencies and weekday rates for the last `days` days; return how
    many rates were created. Existing rates (real imports included) are left alone, so
    running it again creates nothing.
    """
    today = today or timezone.localdate()
    created = 0
    for code in BASE_VALUES:
        currency, _ = Currency.objects.get_or_create(code=code, defaults=new_currency_fields(code))
        for offset in range(days):
            day = today - timedelta(days=offset)
            # Like the real feed: nothing new on Saturdays and Sundays.
            if day.weekday() >= 5:
                continue
            _rate, was_created = Rate.objects.get_or_create(
                currency=currency,
                date=day,
                defaults={
                    "value": demo_value(code=code, day=day),
                    "nominal": 1,
                    "source": Rate.Source.DAILY,
                },
            )
            created += was_created
    return created
