"""Parsing the real NBKR files: values per unit, nominals, effective dates, the encoding."""

from datetime import date
from decimal import Decimal

import pytest

from rates.services import RatesImportError, combine_feeds, parse_feed


def by_code(rates):
    return {rate.code: rate for rate in rates}


def test_daily_sample_values_and_date(daily_bytes):
    """The daily file gives five currencies, per unit, effective on its Date attribute."""
    rates = by_code(parse_feed(data=daily_bytes))
    assert list(rates) == ["USD", "EUR", "CNY", "KZT", "RUB"]
    assert rates["USD"].value == Decimal("87.45")
    assert rates["EUR"].value == Decimal("99.8679")
    assert rates["CNY"].value == Decimal("12.8835")
    assert rates["KZT"].value == Decimal("0.1842")
    assert rates["RUB"].value == Decimal("1.1239")
    assert {rate.date for rate in rates.values()} == {date(2026, 7, 3)}
    assert {rate.nominal for rate in rates.values()} == {1}
    assert {rate.source for rate in rates.values()} == {"daily"}


def test_weekly_sample_converts_nominals_to_one_unit(weekly_bytes):
    """Weekly rates quoted per 10 or 100 units are stored per one unit; ValidFor is skipped."""
    rates = by_code(parse_feed(data=weekly_bytes))
    assert len(rates) == 39
    assert rates["GBP"].value == Decimal("80.5518")
    assert rates["GBP"].nominal == 1
    assert rates["JPY"].nominal == 10
    assert rates["JPY"].value == Decimal("0.47578")
    assert rates["BYR"].nominal == 100
    assert rates["BYR"].value == Decimal("0.005231")
    assert rates["IRR"].value == Decimal("0.00398")
    assert {rate.date for rate in rates.values()} == {date(2013, 12, 14)}
    assert {rate.source for rate in rates.values()} == {"weekly"}


def test_windows_1251_declaration_is_honoured(daily_bytes):
    """The bytes are decoded as the XML declaration says, not as UTF-8."""
    assert daily_bytes.startswith(b'<?xml version="1.0" encoding="windows-1251"')
    # Cyrillic in windows-1251 is not valid UTF-8: only a parser that honours the
    # declaration reads this file.
    data = daily_bytes.replace(
        b'Name="Daily Exchange Rates"', 'Name="Курсы валют"'.encode("cp1251")
    )
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert [rate.value for rate in parse_feed(data=data)][:1] == [Decimal("87.45")]
    with pytest.raises(RatesImportError, match="not well-formed XML"):
        parse_feed(data=data.replace(b"windows-1251", b"utf-8"))
    with pytest.raises(RatesImportError, match="not well-formed XML"):
        parse_feed(data=data.replace(b"windows-1251", b"no-such-charset"))


def test_weekly_only_adds_currencies_missing_from_the_daily_file(daily_bytes, weekly_bytes):
    """CNY is in both files: the daily value wins; GBP comes from the weekly file."""
    rates = combine_feeds(feeds=[parse_feed(data=weekly_bytes), parse_feed(data=daily_bytes)])
    cny = [rate for rate in rates if rate.code == "CNY"]
    assert [(rate.source, rate.value) for rate in cny] == [("daily", Decimal("12.8835"))]
    assert "GBP" in {rate.code for rate in rates}
    assert len(rates) == 5 + 38


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"<!DOCTYPE html><html><body>Maintenance</body></html>", "HTML page"),
        (b'<?xml version="1.0"?><CurrencyRates Date="03.07.2026"><Currency', "well-formed"),
        (b'<?xml version="1.0"?><Rates Date="03.07.2026"/>', "expected <CurrencyRates>"),
        (b'<CurrencyRates Date="2026-07-03"/>', "bad Date"),
        (b'<CurrencyRates Date="03.07.2026"></CurrencyRates>', "no rates"),
        (
            b'<CurrencyRates Date="03.07.2026"><Currency ISOCode="USD"><Nominal>1</Nominal>'
            b"<Value>abc</Value></Currency></CurrencyRates>",
            "not a number",
        ),
        (
            b'<CurrencyRates Date="03.07.2026"><Currency ISOCode="USD"><Nominal>0</Nominal>'
            b"<Value>87,45</Value></Currency></CurrencyRates>",
            "not a positive number",
        ),
        (
            b'<!DOCTYPE x [<!ENTITY a "aaaa">]><CurrencyRates Date="03.07.2026"/>',
            "DTD or entities",
        ),
    ],
)
def test_broken_feeds_raise_one_clear_error(data, message):
    """Each broken input raises RatesImportError with a one-line message that says why."""
    with pytest.raises(RatesImportError, match=message) as excinfo:
        parse_feed(data=data, origin="daily.xml")
    assert "\n" not in str(excinfo.value)
