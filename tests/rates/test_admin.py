"""Editors manage rates in the admin: hand corrections, history, an import on demand."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from rates import services
from rates.models import Rate
from tests.factories import make_user

from .factories import make_currency, make_rate

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/rates/rate/"
FETCH = "/admin/rates/rate/fetch/"


@pytest.fixture
def editor_client(client):
    client.force_login(make_user(role="Editor"))
    return client


@pytest.fixture
def usd_rate():
    return make_rate(make_currency("USD"), date(2026, 7, 3), "87.45")


def test_editor_group_has_the_rates_permissions():
    codenames = set(
        Group.objects.get(name="Editor")
        .permissions.filter(content_type__app_label="rates")
        .values_list("codename", flat=True)
    )
    assert codenames == {
        f"{action}_{model}"
        for action in ("add", "change", "delete", "view")
        for model in ("currency", "rate")
    }
    for role in ("Journalist", "Moderator"):
        assert not Group.objects.get(name=role).permissions.filter(content_type__app_label="rates")


def test_editor_sees_the_history_with_filters_and_the_fetch_button(editor_client, usd_rate):
    make_rate(usd_rate.currency, date(2026, 7, 2), "87.30")
    make_rate(make_currency("EUR"), date(2026, 7, 3), "99.87")
    response = editor_client.get(CHANGELIST, HTTP_ACCEPT_LANGUAGE="ru")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Загрузить из Нацбанка сейчас" in html
    assert f'action="{FETCH}"' in html
    assert "87,45" in html or "87.45" in html
    assert "?currency__id__exact=" in html  # filter by currency
    assert "date__year=2026" in html  # date hierarchy
    assert editor_client.get("/admin/rates/currency/").status_code == 200


def test_editor_corrects_a_rate_by_hand(editor_client, usd_rate):
    """A saved edit is marked manual, and the next import keeps it."""
    response = editor_client.post(
        f"/admin/rates/rate/{usd_rate.pk}/change/",
        {
            "currency": usd_rate.currency_id,
            "date": "2026-07-03",
            "value": "87.60",
            "nominal": "1",
        },
    )
    assert response.status_code == 302
    usd_rate.refresh_from_db()
    assert (usd_rate.value, usd_rate.is_manual, usd_rate.source) == (
        Decimal("87.6"),
        True,
        "manual",
    )
    services.import_rates(files=["tests/fixtures/nbkr/daily-2026-07-03.xml"])
    usd_rate.refresh_from_db()
    assert usd_rate.value == Decimal("87.6")


def test_an_implausible_hand_correction_is_refused(editor_client, usd_rate):
    response = editor_client.post(
        f"/admin/rates/rate/{usd_rate.pk}/change/",
        {"currency": usd_rate.currency_id, "date": "2026-07-03", "value": "8760", "nominal": "1"},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 200
    assert "USD не может стоить 8760" in response.content.decode()
    usd_rate.refresh_from_db()
    assert usd_rate.value == Decimal("87.45")


def test_editor_runs_an_import_and_sees_the_result(
    editor_client, feed_server, daily_bytes, weekly_bytes, monkeypatch
):
    monkeypatch.setattr(
        services,
        "DEFAULT_FEED_URLS",
        (feed_server.serve("/d.xml", daily_bytes), feed_server.serve("/w.xml", weekly_bytes)),
    )
    response = editor_client.post(FETCH, follow=True, HTTP_ACCEPT_LANGUAGE="ru")
    html = response.content.decode()
    assert "Загружено из Нацбанка: новых курсов: 43, обновлено: 0, без изменений: 0." in html
    assert Rate.objects.count() == 43


def test_a_failed_import_from_the_admin_says_so_in_the_editors_language_and_logs_why(
    editor_client, feed_server, usd_rate, monkeypatch, caplog
):
    monkeypatch.setattr(
        services, "DEFAULT_FEED_URLS", (feed_server.serve("/d.xml", b"", status=502),)
    )
    response = editor_client.post(FETCH, follow=True, HTTP_ACCEPT_LANGUAGE="ru")
    html = response.content.decode()
    assert "Загрузить курсы из Нацбанка не удалось, сохранённые курсы не изменились." in html
    assert "подробности в журнале сервера" in html
    # The English technical reason goes to the operator's log, not to the page.
    assert "HTTP 502" not in html
    assert any("HTTP 502" in record.getMessage() for record in caplog.records)
    assert list(Rate.objects.values_list("value", flat=True)) == [Decimal("87.45")]


def test_fetch_needs_a_post(editor_client):
    assert editor_client.get(FETCH).status_code == 405


@pytest.mark.parametrize("role", ["Journalist", "Moderator"])
def test_journalists_and_moderators_cannot_touch_rates(client, role, usd_rate, monkeypatch):
    monkeypatch.setattr(services, "DEFAULT_FEED_URLS", ("http://127.0.0.1:9/unused",))
    client.force_login(make_user(role=role))
    assert client.get(CHANGELIST).status_code == 403
    assert client.get("/admin/rates/currency/").status_code == 403
    assert client.get(f"/admin/rates/rate/{usd_rate.pk}/change/").status_code == 403
    assert client.post(FETCH).status_code == 403
    admin_index = client.get("/admin/")
    assert admin_index.status_code == 200
    assert "/admin/rates/" not in admin_index.content.decode()
