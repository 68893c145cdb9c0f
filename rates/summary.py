"""What readers see: each currency's latest rate on or before today and its change.

The header widget needs this on every page, so its version is cached per language (the
names are translated) and dropped whenever a rate or a currency changes (see signals.py).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from newsroom.prepared import PreparedQuery

from .models import Rate

# The bank skips weekends and holidays; a longer silence means the import is broken.
OUTDATED_AFTER_DAYS = 4
# A currency the bank has not quoted for this long before its newest rate of any
# currency is no longer quoted at all (a currency withdrawn or dropped from the feed):
# readers are not shown its last, stale rate. Weekly currencies stay well inside it.
DEFUNCT_AFTER_DAYS = 30
# The days of rates ranked for the latest two per currency, back from the newest rate:
# a quoted currency's latest is within DEFUNCT_AFTER_DAYS of it, and its previous one
# (a weekly currency's is a week older) well within this.
RANKED_DAYS = DEFUNCT_AFTER_DAYS + 31
WIDGET_CACHE_TIMEOUT = 60 * 60
WIDGET_CACHE_KEY = "rates:widget:{language}"


@dataclass(frozen=True)
class RateRow:
    code: str
    name: str
    date: date
    value: Decimal
    previous: Decimal | None
    is_shown: bool = False

    # Computed once per row: the widget on every page asks for them a dozen times.
    @cached_property
    def change(self) -> Decimal | None:
        return None if self.previous is None else self.value - self.previous

    @cached_property
    def size_of_change(self) -> Decimal | None:
        """How much it moved, without the sign: the arrow and its text say which way."""
        return None if self.change is None else abs(self.change)

    @cached_property
    def direction(self) -> str:
        if self.change is None or self.change == 0:
            return "same"
        return "up" if self.change > 0 else "down"

    @property
    def places(self) -> int:
        """Two decimals for most currencies, four for those worth less than a som."""
        return 2 if self.value >= 1 else 4

    @property
    def change_places(self) -> int:
        """Cheap currencies move by tyiyns: their changes need four decimals to show."""
        return 2 if self.value >= 10 else 4


@dataclass(frozen=True)
class RatesSummary:
    today: date
    rows: tuple[RateRow, ...]

    @property
    def date(self) -> date | None:
        """The effective date of the newest rate shown."""
        return max((row.date for row in self.rows), default=None)

    @property
    def current_rows(self) -> tuple[RateRow, ...]:
        """Every currency the bank still quotes (see DEFUNCT_AFTER_DAYS)."""
        if self.date is None:
            return ()
        since = self.date - timedelta(days=DEFUNCT_AFTER_DAYS)
        return tuple(row for row in self.rows if row.date >= since)

    @property
    def shown_rows(self) -> tuple[RateRow, ...]:
        """The header widget's currencies, in its order."""
        return tuple(row for row in self.current_rows if row.is_shown)

    @property
    def other_rows(self) -> tuple[RateRow, ...]:
        return tuple(row for row in self.current_rows if not row.is_shown)

    @property
    def is_outdated(self) -> bool:
        return self.date is not None and self.today - self.date > timedelta(
            days=OUTDATED_AFTER_DAYS
        )


def _latest_two_per_currency(*, shape, today):
    shown_only, within_days, language = shape
    rates = Rate.objects.latest_two_per_currency(on_or_before=today, within_days=within_days)
    if shown_only:
        rates = rates.of_shown_currencies()
    # Plain rows, the name in the page's language: no Rate and Currency per row.
    return rates.values_list(
        "currency_id",
        "recency",
        "date",
        "value",
        "currency__code",
        f"currency__name_{language}",
        "currency__is_shown",
        "currency__position",
    )


# Compiled once per process (newsroom.prepared): compiling its window function was a
# tenth of every page's time.
latest_two_per_currency = PreparedQuery(Rate, _latest_two_per_currency)


def rates_summary(*, today: date, shown_only: bool) -> RatesSummary:
    """One query, whatever the number of currencies."""
    language = translation.get_language()
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE  # no translation active (a command, say)
    rows = latest_two_per_currency(shape=(shown_only, RANKED_DAYS, language), today=today)
    latest, previous = {}, {}
    for currency_id, recency, *rest in rows:
        if recency == 1:
            latest[currency_id] = rest
        else:
            previous[currency_id] = rest[1]
    ordered = sorted(
        latest.items(),
        key=lambda item: (not item[1][4], item[1][5], item[1][2]),
    )
    return RatesSummary(
        today=today,
        rows=tuple(
            RateRow(
                code=code,
                name=name or "",
                date=day,
                value=value,
                previous=previous.get(currency_id),
                is_shown=is_shown,
            )
            for currency_id, (day, value, code, name, is_shown, _position) in ordered
        ),
    )


def widget_summary() -> RatesSummary:
    """The shown currencies for the header, from the cache when it is still today's."""
    today = timezone.localdate()
    key = WIDGET_CACHE_KEY.format(language=translation.get_language() or settings.LANGUAGE_CODE)
    summary = cache.get(key)
    if summary is None or summary.today != today:
        summary = rates_summary(today=today, shown_only=True)
        cache.set(key, summary, WIDGET_CACHE_TIMEOUT)
    return summary


def invalidate_widget_cache() -> None:
    cache.delete_many([WIDGET_CACHE_KEY.format(language=code) for code, _ in settings.LANGUAGES])
