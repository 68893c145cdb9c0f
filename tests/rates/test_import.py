"""The import against a local stand-in for the bank: storing, idempotence, every failure."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from rates import services
from rates.management.commands.fetch_rates import Command
from rates.models import Currency, Rate
from rates.services import RatesImportError, import_rates

from .conftest import DAILY, WEEKLY

pytestmark = pytest.mark.django_db

TIMEOUT = 0.3


def stored():
    return sorted(Rate.objects.values_list("currency__code", "date", "value", "is_manual"))


@pytest.fixture
def existing_rate():
    """A rate already stored, which no failed import may touch."""
    usd = Currency.objects.create(code="USD", name_ky="АКШ доллары", name_ru="Доллар США")
    return Rate.objects.create(currency=usd, date=date(2026, 7, 2), value=Decimal("87.3"))


def test_import_from_the_bank_urls_stores_daily_and_weekly(feed_server, daily_bytes, weekly_bytes):
    """The default run reads both files; CNY comes from the daily one, GBP from the weekly."""
    daily = feed_server.serve("/XML/daily.xml", daily_bytes)
    weekly = feed_server.serve("/XML/weekly.xml", weekly_bytes)
    report = import_rates(urls=[daily, weekly], timeout=TIMEOUT)
    assert (report.created, report.updated, report.unchanged) == (43, 0, 0)
    usd = Rate.objects.get(currency__code="USD")
    assert (usd.date, usd.value, usd.source) == (date(2026, 7, 3), Decimal("87.45"), "daily")
    jpy = Rate.objects.get(currency__code="JPY")
    assert (jpy.value, jpy.nominal, jpy.source) == (Decimal("0.47578"), 10, "weekly")
    assert Rate.objects.get(currency__code="CNY").value == Decimal("12.8835")
    assert Rate.objects.filter(currency__code="CNY").count() == 1


def test_new_currencies_get_names_and_the_default_widget_order():
    """On a fresh install USD, EUR, RUB, KZT, CNY are shown in that order, others hidden."""
    import_rates(files=[DAILY, WEEKLY])
    assert list(Currency.objects.shown().values_list("code", flat=True)) == [
        "USD",
        "EUR",
        "RUB",
        "KZT",
        "CNY",
    ]
    usd = Currency.objects.get(code="USD")
    assert (usd.name_ky, usd.name_ru) == ("АКШ доллары", "Доллар США")
    assert not Currency.objects.get(code="GBP").is_shown


def test_running_twice_changes_nothing():
    """A second run reports everything unchanged and leaves the stored rates as they were."""
    import_rates(files=[DAILY, WEEKLY])
    before = list(Rate.objects.values_list("id", "value", "fetched_at"))
    report = import_rates(files=[DAILY, WEEKLY])
    assert (report.created, report.updated, report.unchanged) == (0, 0, 43)
    assert list(Rate.objects.values_list("id", "value", "fetched_at")) == before


def test_a_changed_value_is_updated(daily_bytes, tmp_path):
    import_rates(files=[DAILY])
    corrected = tmp_path / "daily.xml"
    corrected.write_bytes(daily_bytes.replace(b"87,4500", b"87,5000"))
    report = import_rates(files=[corrected])
    assert (report.created, report.updated, report.unchanged) == (0, 1, 4)
    assert Rate.objects.get(currency__code="USD").value == Decimal("87.5")


def test_hand_corrections_survive_an_import_unless_asked():
    """An editor's correction is kept; --overwrite-manual replaces it with the bank's value."""
    import_rates(files=[DAILY])
    Rate.objects.filter(currency__code="USD").update(value=Decimal("88"), is_manual=True)
    report = import_rates(files=[DAILY])
    assert report.kept_manual == 1
    assert Rate.objects.get(currency__code="USD").value == Decimal("88")
    call_command("fetch_rates", file=[str(DAILY)], overwrite_manual=True, stdout=StringIO())
    usd = Rate.objects.get(currency__code="USD")
    assert (usd.value, usd.is_manual) == (Decimal("87.45"), False)


def test_command_dry_run_shows_changes_and_writes_nothing(existing_rate):
    out = StringIO()
    call_command("fetch_rates", file=[str(DAILY)], dry_run=True, stdout=out)
    assert "created USD 03.07.2026 87.45" in out.getvalue()
    assert "Dry run, nothing written: would be 5 created" in out.getvalue()
    assert Rate.objects.count() == 1
    assert Currency.objects.count() == 1


def test_command_reports_success_and_honours_verbosity():
    out = StringIO()
    call_command("fetch_rates", file=[str(DAILY)], stdout=out)
    assert "Rates 5 created, 0 updated, 0 unchanged" in out.getvalue()
    quiet = StringIO()
    call_command("fetch_rates", file=[str(DAILY)], verbosity=0, stdout=quiet)
    assert quiet.getvalue() == ""
    chatty = StringIO()
    call_command("fetch_rates", file=[str(DAILY)], verbosity=2, stdout=chatty)
    assert "unchanged USD 03.07.2026 87.45" in chatty.getvalue()


def test_command_defaults_to_the_bank_urls(feed_server, daily_bytes, weekly_bytes, monkeypatch):
    monkeypatch.setattr(
        services,
        "DEFAULT_FEED_URLS",
        (feed_server.serve("/d.xml", daily_bytes), feed_server.serve("/w.xml", weekly_bytes)),
    )
    call_command("fetch_rates", stdout=StringIO())
    assert Rate.objects.count() == 43


FAILURES = {
    "http_error": ({"body": b"oops", "status": 500, "content_type": "text/plain"}, "HTTP 500"),
    "not_found": ({"body": b"", "status": 404}, "HTTP 404"),
    "maintenance_page": (
        {
            "body": b"<!DOCTYPE html><html><head><title>Technical works</title></head></html>",
            "content_type": "text/html",
        },
        "HTML page",
    ),
    "malformed_xml": ({"body": DAILY.read_bytes()[:200]}, "not well-formed XML"),
    "implausible_value": (
        {"body": DAILY.read_bytes().replace(b"87,4500", b"8745,00")},
        "Implausible USD rate for 03.07.2026: 8745 soms per unit",
    ),
    "empty": ({"body": b""}, "is empty"),
    "timeout_before_answer": ({"stall_before_headers": 5}, "did not answer within 0.3 seconds"),
    "timeout_in_body": (
        {"body": DAILY.read_bytes(), "stall_before_body": 5},
        "did not answer within 0.3 seconds",
    ),
}


@pytest.mark.parametrize("case", FAILURES)
def test_every_failure_is_one_clear_error_and_stores_nothing(case, feed_server, existing_rate):
    """Whatever goes wrong at the bank, the error says why and stored rates stay as they were."""
    route, message = FAILURES[case]
    url = feed_server.serve("/XML/daily.xml", **route)
    before = stored()
    with pytest.raises(RatesImportError, match=message) as excinfo:
        import_rates(urls=[url], timeout=TIMEOUT)
    assert "\n" not in str(excinfo.value)
    assert stored() == before


def test_unreachable_site(closed_port_url, existing_rate):
    before = stored()
    with pytest.raises(RatesImportError, match="is unreachable"):
        import_rates(urls=[closed_port_url], timeout=TIMEOUT)
    assert stored() == before


def test_one_bad_file_stores_nothing_from_the_good_one(feed_server, daily_bytes, existing_rate):
    """All or nothing: a good daily file is not stored when the weekly one is broken."""
    daily = feed_server.serve("/daily.xml", daily_bytes)
    weekly = feed_server.serve("/weekly.xml", b"<html>Service unavailable</html>", status=503)
    before = stored()
    with pytest.raises(RatesImportError, match="HTTP 503"):
        import_rates(urls=[daily, weekly], timeout=TIMEOUT)
    assert stored() == before
    assert Currency.objects.count() == 1


def test_a_rate_far_in_the_future_is_refused(daily_bytes, tmp_path):
    future = tmp_path / "daily.xml"
    future.write_bytes(daily_bytes.replace(b'Date="03.07.2026"', b'Date="03.07.2031"'))
    with pytest.raises(RatesImportError, match="Implausible date 03.07.2031"):
        import_rates(files=[future])
    assert not Rate.objects.exists()


def test_command_failure_exits_non_zero_with_one_line(
    feed_server, existing_rate, capsys, monkeypatch
):
    """`manage.py fetch_rates` prints one error line and exits with status 1."""
    url = feed_server.serve("/XML/daily.xml", b"<html>down</html>", content_type="text/html")
    before = stored()
    # run_from_argv closes connections when done; keep the test's transaction usable.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    with pytest.raises(SystemExit) as excinfo:
        Command().run_from_argv(["manage.py", "fetch_rates", "--url", url, "--timeout", "0.3"])
    assert excinfo.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("CommandError: ") and "HTML page" in err
    assert stored() == before


def test_command_error_for_a_missing_file():
    with pytest.raises(CommandError, match="Cannot read /nonexistent/daily.xml"):
        call_command("fetch_rates", file=["/nonexistent/daily.xml"])
