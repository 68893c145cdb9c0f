"""Sane ranges for one unit of a currency in soms.

A value outside its range is far more likely a broken feed (a shifted decimal comma, a
nominal applied twice) than news, so the import refuses it and the admin warns about it.
"""

from decimal import Decimal

# Wide enough for years of ordinary movement, narrow enough to catch a factor of ten.
RANGES: dict[str, tuple[Decimal, Decimal]] = {
    "USD": (Decimal("30"), Decimal("300")),
    "EUR": (Decimal("30"), Decimal("350")),
    "GBP": (Decimal("35"), Decimal("400")),
    "CHF": (Decimal("30"), Decimal("350")),
    "CNY": (Decimal("3"), Decimal("50")),
    "RUB": (Decimal("0.2"), Decimal("5")),
    "KZT": (Decimal("0.03"), Decimal("1.5")),
    "UZS": (Decimal("0.001"), Decimal("0.1")),
    "TJS": (Decimal("1"), Decimal("50")),
    "JPY": (Decimal("0.1"), Decimal("5")),
    "TRY": (Decimal("0.5"), Decimal("60")),
}
# Any other currency: from a fraction of a tyiyn to more than the dearest currency today.
DEFAULT_RANGE = (Decimal("0.00001"), Decimal("2000"))


def plausible_range(code: str) -> tuple[Decimal, Decimal]:
    return RANGES.get(code, DEFAULT_RANGE)


def is_plausible(*, code: str, value: Decimal) -> bool:
    low, high = plausible_range(code)
    return low <= value <= high
