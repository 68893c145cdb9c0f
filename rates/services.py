"""Importing the National Bank's exchange rates: fetch, parse, validate, store.

Each step is a small keyword-only function, so the `fetch_rates` command, the admin button
and the tests can use them on their own. Any failure raises `RatesImportError` with a
one-line message before anything is written: stored rates are never lost or half-updated.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from http.client import HTTPException
from pathlib import Path
from urllib.error import HTTPError, URLError
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from django.db import transaction
from django.utils import timezone

from .currencies import new_currency_fields
from .download import DownloadTooLarge, download
from .models import Currency, Rate
from .plausibility import is_plausible, plausible_range

DAILY_URL = "https://www.nbkr.kg/XML/daily.xml"
WEEKLY_URL = "https://www.nbkr.kg/XML/weekly.xml"
DEFAULT_FEED_URLS = (DAILY_URL, WEEKLY_URL)
# A page request may trigger the admin import: never hang a worker for long on the bank.
DEFAULT_TIMEOUT = 5.0
# The real files are a few kilobytes; anything far bigger is not the feed.
MAX_FEED_BYTES = 1_000_000
# The bank publishes a day or a weekend ahead; a date further out is a broken feed.
MAX_DAYS_AHEAD = 7
PER_UNIT = Decimal("0.00000001")
# At most 12 digits before the decimal separator and 8 after: far beyond any real rate,
# and well inside Decimal's precision for dividing by the nominal.
NUMBER_RE = re.compile(r"[0-9]{1,12}(?:[.,][0-9]{1,8})?")


class RatesImportError(Exception):
    """The import failed and wrote nothing; str() is one line saying why."""

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))


@dataclass(frozen=True)
class FeedRate:
    """One currency's rate as published: `value` already converted to soms per ONE unit."""

    code: str
    date: date
    value: Decimal
    nominal: int
    source: str


@dataclass(frozen=True)
class Change:
    kind: str  # "created", "updated", "unchanged" or "kept_manual"
    rate: FeedRate
    old_value: Decimal | None = None


@dataclass
class ImportReport:
    dry_run: bool
    changes: list[Change] = field(default_factory=list)

    def _count(self, kind: str) -> int:
        return sum(1 for change in self.changes if change.kind == kind)

    @property
    def created(self) -> int:
        return self._count("created")

    @property
    def updated(self) -> int:
        return self._count("updated")

    @property
    def unchanged(self) -> int:
        return self._count("unchanged")

    @property
    def kept_manual(self) -> int:
        return self._count("kept_manual")

    @property
    def has_changes(self) -> bool:
        return bool(self.created or self.updated)


def fetch_feed(*, url: str, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """Download one feed file within `timeout` seconds in all (not per read) and
    MAX_FEED_BYTES, raising RatesImportError on any network or HTTP failure."""
    if not url.startswith(("http://", "https://")):
        raise RatesImportError(f"Not an http(s) URL: {url}")
    try:
        data, content_type = download(
            url,
            timeout=timeout,
            max_bytes=MAX_FEED_BYTES,
            headers={"User-Agent": "Newsroom rates import"},
        )
    except HTTPError as exc:
        raise RatesImportError(f"{url} answered HTTP {exc.code} {exc.reason}") from exc
    except URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise RatesImportError(f"{url} did not answer within {timeout:g} seconds") from exc
        raise RatesImportError(f"{url} is unreachable: {exc.reason}") from exc
    except TimeoutError as exc:
        raise RatesImportError(f"{url} did not answer within {timeout:g} seconds") from exc
    except DownloadTooLarge as exc:
        raise RatesImportError(
            f"{url} sent more than {MAX_FEED_BYTES} bytes; not the NBKR feed"
        ) from exc
    except (OSError, HTTPException, ValueError) as exc:
        raise RatesImportError(f"{url} is unreachable: {exc!r}") from exc
    if content_type == "text/html":
        raise RatesImportError(
            f"{url} is an HTML page (maintenance or error page?), not the XML rates feed"
        )
    return data


def read_feed_file(*, path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise RatesImportError(f"Cannot read {path}: {exc.strerror or exc}") from exc


def _looks_like_html(data: bytes) -> bool:
    head = data[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


def _parse_date(text: str | None, *, origin: str) -> date:
    try:
        return datetime.strptime((text or "").strip(), "%d.%m.%Y").date()
    except ValueError as exc:
        raise RatesImportError(
            f"{origin}: bad Date attribute {text!r}, expected dd.mm.yyyy"
        ) from exc


def _parse_positive_decimal(text: str | None, *, origin: str, what: str) -> Decimal:
    # The bank writes plain digits with a decimal comma: "87,4500". Anything else
    # (exponents like 1E+999999999, NaN, Infinity, signs, other digits) is refused
    # before Decimal sees it, so no arithmetic on it can overflow later.
    cleaned = (text or "").strip()
    if not NUMBER_RE.fullmatch(cleaned):
        raise RatesImportError(f"{origin}: {what} {_quote(text)} is not a number")
    number = Decimal(cleaned.replace(",", "."))
    if number <= 0:
        raise RatesImportError(f"{origin}: {what} {_quote(text)} is not a positive number")
    return number


def _quote(text: str | None, limit: int = 40) -> str:
    """`text` for a one-line message: quoted, and cut when a hostile feed made it long."""
    shown = repr(text)
    return shown if len(shown) <= limit else f"{shown[:limit]}…"


def parse_feed(*, data: bytes, origin: str = "feed") -> list[FeedRate]:
    """Parse a daily or weekly NBKR XML file (bytes: the parser honours its encoding)."""
    if not data.strip():
        raise RatesImportError(f"{origin} is empty")
    if _looks_like_html(data):
        raise RatesImportError(
            f"{origin} is an HTML page (maintenance or error page?), not the XML rates feed"
        )
    try:
        root = SafeET.fromstring(data)
    except DefusedXmlException as exc:
        raise RatesImportError(
            f"{origin} declares a DTD or entities, which the feed never does"
        ) from exc
    except (ParseError, LookupError, ValueError) as exc:
        raise RatesImportError(f"{origin} is not well-formed XML: {exc}") from exc
    if root.tag != "CurrencyRates":
        raise RatesImportError(f"{origin}: expected <CurrencyRates>, found <{root.tag}>")
    effective = _parse_date(root.get("Date"), origin=origin)
    is_weekly = (
        "weekly" in root.get("Name", "").lower() or root.find("Currency/ValidFor") is not None
    )
    source = Rate.Source.WEEKLY if is_weekly else Rate.Source.DAILY

    rates: list[FeedRate] = []
    for element in root.findall("Currency"):
        code = (element.get("ISOCode") or "").strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise RatesImportError(f"{origin}: bad ISOCode {element.get('ISOCode')!r}")
        nominal = _parse_positive_decimal(
            element.findtext("Nominal"), origin=origin, what=f"{code} Nominal"
        )
        if nominal != nominal.to_integral_value():
            raise RatesImportError(f"{origin}: {code} Nominal {nominal} is not a whole number")
        value = _parse_positive_decimal(
            element.findtext("Value"), origin=origin, what=f"{code} Value"
        )
        rates.append(
            FeedRate(
                code=code,
                date=effective,
                value=(value / nominal).quantize(PER_UNIT),
                nominal=int(nominal),
                source=source,
            )
        )
    if not rates:
        raise RatesImportError(f"{origin} contains no rates")
    if len({rate.code for rate in rates}) != len(rates):
        raise RatesImportError(f"{origin} lists a currency twice")
    return rates


def combine_feeds(*, feeds: Iterable[Sequence[FeedRate]]) -> list[FeedRate]:
    """Daily rates, plus weekly ones only for currencies that no daily file carries."""
    rates = [rate for feed in feeds for rate in feed]
    daily_codes = {rate.code for rate in rates if rate.source == Rate.Source.DAILY}
    unique: dict[tuple[str, date], FeedRate] = {}
    for rate in rates:
        if rate.source == Rate.Source.WEEKLY and rate.code in daily_codes:
            continue
        unique.setdefault((rate.code, rate.date), rate)
    return list(unique.values())


def validate_rates(*, rates: Iterable[FeedRate], today: date | None = None) -> None:
    """Refuse values outside each currency's sane range and dates far in the future."""
    today = today or timezone.localdate()
    for rate in rates:
        if not is_plausible(code=rate.code, value=rate.value):
            low, high = plausible_range(rate.code)
            raise RatesImportError(
                f"Implausible {rate.code} rate for {rate.date:%d.%m.%Y}: {rate.value.normalize()} "
                f"soms per unit (expected {low} to {high}); nothing was stored"
            )
        if rate.date > today + timedelta(days=MAX_DAYS_AHEAD):
            raise RatesImportError(
                f"Implausible date {rate.date:%d.%m.%Y} for {rate.code}: "
                f"more than {MAX_DAYS_AHEAD} days ahead; nothing was stored"
            )


def _plan(*, rates: Sequence[FeedRate], keep_manual: bool) -> list[Change]:
    existing = {
        (rate.currency.code, rate.date): rate
        for rate in Rate.objects.select_related("currency").filter(
            currency__code__in={rate.code for rate in rates},
            date__in={rate.date for rate in rates},
        )
    }
    changes = []
    for rate in rates:
        old = existing.get((rate.code, rate.date))
        if old is None:
            kind = "created"
        elif old.is_manual and keep_manual:
            kind = "kept_manual"
        elif old.value == rate.value and old.nominal == rate.nominal and not old.is_manual:
            kind = "unchanged"
        else:
            kind = "updated"
        changes.append(Change(kind=kind, rate=rate, old_value=old.value if old else None))
    return changes


def store_rates(
    *, rates: Sequence[FeedRate], dry_run: bool = False, keep_manual: bool = True
) -> ImportReport:
    """Create or update one Rate per currency and date, all or nothing.

    Running it again with the same rates changes nothing. A rate an editor corrected by
    hand is kept unless `keep_manual` is False.
    """
    with transaction.atomic():
        report = ImportReport(dry_run=dry_run, changes=_plan(rates=rates, keep_manual=keep_manual))
        if dry_run:
            return report
        now = timezone.now()
        currencies = {c.code: c for c in Currency.objects.filter(code__in={r.code for r in rates})}
        for change in report.changes:
            if change.kind not in ("created", "updated"):
                continue
            rate = change.rate
            currency = currencies.get(rate.code)
            if currency is None:
                currency = Currency.objects.create(code=rate.code, **new_currency_fields(rate.code))
                currencies[rate.code] = currency
            Rate.objects.update_or_create(
                currency=currency,
                date=rate.date,
                defaults={
                    "value": rate.value,
                    "nominal": rate.nominal,
                    "source": rate.source,
                    "is_manual": False,
                    "fetched_at": now,
                },
            )
    return report


def import_rates(
    *,
    urls: Sequence[str] = (),
    files: Sequence[str | Path] = (),
    dry_run: bool = False,
    keep_manual: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    today: date | None = None,
) -> ImportReport:
    """Fetch (or read), parse, validate and store; the bank's daily and weekly files by default.

    Every file is fetched and checked before the first write, so one bad file stores nothing.
    """
    if not urls and not files:
        urls = DEFAULT_FEED_URLS
    feeds = [parse_feed(data=fetch_feed(url=url, timeout=timeout), origin=url) for url in urls]
    feeds += [parse_feed(data=read_feed_file(path=path), origin=str(path)) for path in files]
    rates = combine_feeds(feeds=feeds)
    validate_rates(rates=rates, today=today)
    return store_rates(rates=rates, dry_run=dry_run, keep_manual=keep_manual)
