"""Bounded imports: a slow, stalling or flooding server, or a hostile number, ends in one line.

The stand-in for the bank trickles one byte at a time, sends endless data or lies about
its size; every case must end within the deadline (not per read), say why in one line
and leave the stored rates as they were.
"""

import time
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from rates import admin as rates_admin
from rates import services
from rates.management.commands.fetch_rates import Command
from rates.models import Currency, Rate
from rates.services import MAX_FEED_BYTES, RatesImportError, import_rates
from tests.factories import make_user

from .conftest import DAILY

pytestmark = pytest.mark.django_db

DEADLINE = 1.0
# Scheduling noise on a busy CI machine, never a second read timeout.
SLACK = 0.6


@pytest.fixture
def existing_rate():
    usd = Currency.objects.create(code="USD", name_ky="АКШ доллары", name_ru="Доллар США")
    return Rate.objects.create(currency=usd, date=date(2026, 7, 2), value=Decimal("87.3"))


def stored():
    return sorted(Rate.objects.values_list("currency__code", "date", "value"))


def timed_import(url, timeout=DEADLINE):
    started = time.monotonic()
    with pytest.raises(RatesImportError) as excinfo:
        import_rates(urls=[url], timeout=timeout)
    return str(excinfo.value), time.monotonic() - started


SLOW_SERVERS = {
    # One byte every 0.2 s: each read is quick, the download never ends.
    "trickled_body": {"body": DAILY.read_bytes(), "trickle_body": 0.2},
    "trickled_headers": {"body": DAILY.read_bytes(), "trickle_answer": 0.2},
    "stalled_after_some_bytes": {"body": DAILY.read_bytes(), "stall_before_body": 30},
}


@pytest.mark.parametrize("case", SLOW_SERVERS)
def test_a_slow_server_ends_at_the_deadline_for_the_whole_download(
    case, feed_server, existing_rate
):
    url = feed_server.serve("/XML/daily.xml", **SLOW_SERVERS[case])
    before = stored()
    message, elapsed = timed_import(url)
    assert message == f"{url} did not answer within 1 seconds"
    assert elapsed < DEADLINE + SLACK, f"{elapsed:.2f} s"
    assert stored() == before


def test_a_huge_declared_size_is_refused_before_reading(feed_server, existing_rate):
    url = feed_server.serve(
        "/XML/daily.xml", DAILY.read_bytes(), content_length=50_000_000, stall_before_body=30
    )
    message, elapsed = timed_import(url)
    assert message == f"{url} sent more than {MAX_FEED_BYTES} bytes; not the NBKR feed"
    assert elapsed < SLACK


def test_an_endless_answer_stops_at_the_size_cap(feed_server, existing_rate):
    url = feed_server.serve("/XML/daily.xml", DAILY.read_bytes()[:200], endless=True)
    before = stored()
    message, elapsed = timed_import(url, timeout=10)
    assert message == f"{url} sent more than {MAX_FEED_BYTES} bytes; not the NBKR feed"
    assert elapsed < 5
    assert stored() == before


HOSTILE_NUMBERS = [
    "1E+999999999",
    "1e3",
    "NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "-87,45",
    "+87,45",
    "87_45",
    "８７,４５",  # full-width digits
    "87,45,00",
    "0x57",
    "9" * 5000,
    "",
]


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
def test_a_malformed_number_is_one_line_from_the_command(
    value, tmp_path, existing_rate, capsys, monkeypatch
):
    """`fetch_rates` prints one line naming the value and exits 1; no traceback."""
    # run_from_argv closes connections when done; keep the test's transaction usable.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    feed = tmp_path / "daily.xml"
    feed.write_bytes(
        DAILY.read_bytes().replace(b"87,4500", value.encode("windows-1251", "xmlcharrefreplace"))
    )
    before = stored()
    with pytest.raises(SystemExit) as excinfo:
        Command().run_from_argv(["manage.py", "fetch_rates", "--file", str(feed)])
    assert excinfo.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("CommandError: ") and "USD Value" in err and "is not a" in err
    assert "Traceback" not in err and len(err) < 300
    assert stored() == before


@pytest.mark.parametrize("nominal", ["1E+999999999", "NaN", "0", "2,5"])
def test_a_malformed_nominal_is_one_line(nominal, tmp_path, existing_rate):
    feed = tmp_path / "daily.xml"
    feed.write_bytes(
        DAILY.read_bytes().replace(
            b"<Nominal>1</Nominal>", f"<Nominal>{nominal}</Nominal>".encode(), 1
        )
    )
    with pytest.raises(RatesImportError, match="USD Nominal") as excinfo:
        import_rates(files=[feed])
    assert "\n" not in str(excinfo.value)


def test_the_admins_fetch_now_holds_the_worker_a_few_seconds_at_most(
    client, feed_server, existing_rate, monkeypatch, caplog
):
    """Both of the bank's files trickle: the editor gets the error within the button's bound."""
    monkeypatch.setattr(rates_admin, "FETCH_NOW_TIMEOUT", 0.5)
    slow = {"body": DAILY.read_bytes(), "trickle_body": 0.1}
    monkeypatch.setattr(
        services,
        "DEFAULT_FEED_URLS",
        (feed_server.serve("/d.xml", **slow), feed_server.serve("/w.xml", **slow)),
    )
    client.force_login(make_user(role="Editor"))
    started = time.monotonic()
    with translation.override("ru"):  # the request's language must not outlive the test
        response = client.post("/admin/rates/rate/fetch/", follow=True, HTTP_ACCEPT_LANGUAGE="ru")
    elapsed = time.monotonic() - started
    html = response.content.decode()
    assert "Загрузить курсы из Нацбанка не удалось, сохранённые курсы не изменились." in html
    # The technical reason is for the operator's log, not the editor's page.
    assert "did not answer within 0.5 seconds" not in html
    assert any("did not answer within 0.5 seconds" in r.getMessage() for r in caplog.records)
    assert elapsed < 0.5 + SLACK
    assert stored() == [("USD", date(2026, 7, 2), Decimal("87.3"))]


def test_the_button_waits_a_few_seconds_per_file_at_most():
    assert rates_admin.FETCH_NOW_TIMEOUT * len(services.DEFAULT_FEED_URLS) <= 5
