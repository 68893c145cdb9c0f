"""Wrong passwords are throttled per account and per address (django-axes, in the
database): the admin login page then says why, in the reader's language, and refuses
even the right password until the cool-off has passed or an admin unlocks it."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.factories import make_user
from tests.html_forms import read_form

pytestmark = pytest.mark.django_db

PASSWORD = "pass-for-tests-1"  # tests.factories.make_user
LOCKED_KY = "туура эмес сырсөз өтө көп жолу терилди"
LOCKED_RU = "Слишком много неверных паролей"


def browser(language="ky", address="203.0.113.7", **headers):
    """A client that, like a browser, needs the CSRF token of the page it posts from."""
    return Client(
        enforce_csrf_checks=True,
        HTTP_ACCEPT_LANGUAGE=language,
        REMOTE_ADDR=address,
        **headers,
    )


def log_in(client, username, password):
    """Open the admin login page, fill in its form and send it."""
    action, fields = read_form(client.get("/admin/login/?next=/admin/"), "login-form")
    assert "csrfmiddlewaretoken" in fields and fields["next"] == "/admin/"
    return client.post(action, fields | {"username": username, "password": password})


def logged_in(response):
    return response.status_code == 302 and response.url == "/admin/"


def page_text(response):
    return " ".join(response.content.decode().split())


@pytest.fixture
def editor():
    return make_user("editor", role="Editor")


def test_the_right_password_logs_in_through_the_rendered_form(editor):
    assert logged_in(log_in(browser(), "editor", PASSWORD))


def test_twenty_wrong_passwords_lock_the_account_until_the_cool_off_passes(editor):
    client = browser("ky")
    for _ in range(20):
        response = log_in(client, "editor", "wrong-password")
    assert response.status_code == 429

    refused = log_in(client, "editor", PASSWORD)

    assert refused.status_code == 429
    text = page_text(refused)
    assert LOCKED_KY in text
    assert f"{settings.AXES_COOLOFF_MINUTES} мүнөткө" in text
    # Still the admin's login page, in Kyrgyz, with the way out by e-mail.
    assert 'id="login-form"' in text and '<html lang="ky"' in text
    assert 'href="/admin/password_reset/"' in text

    later = timezone.now() + timedelta(minutes=settings.AXES_COOLOFF_MINUTES, seconds=5)
    with time_machine.travel(later):
        assert logged_in(log_in(browser("ky"), "editor", PASSWORD))


def test_the_lockout_is_explained_in_russian_to_a_russian_browser(editor):
    client = browser("ru")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "editor", "wrong-password")
    refused = log_in(client, "editor", PASSWORD)
    assert refused.status_code == 429
    assert LOCKED_RU in page_text(refused)
    assert f"на {settings.AXES_COOLOFF_MINUTES} минут" in page_text(refused)


def test_a_locked_account_is_refused_from_every_address(editor):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(browser(address="203.0.113.7"), "editor", "wrong-password")
    assert log_in(browser(address="198.51.100.20"), "editor", PASSWORD).status_code == 429


def test_an_address_guessing_many_accounts_is_locked_for_all_of_them(editor):
    make_user("journalist", role="Journalist")
    attacker = browser(address="203.0.113.66")
    for number in range(settings.AXES_FAILURE_LIMIT):
        log_in(attacker, f"guess-{number}", "wrong-password")
    assert log_in(attacker, "journalist", PASSWORD).status_code == 429
    # The accounts themselves are not locked: their owners log in from elsewhere.
    assert logged_in(log_in(browser(address="198.51.100.20"), "journalist", PASSWORD))


def test_an_admin_unlocks_an_account_with_the_management_command(editor):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(browser(), "editor", "wrong-password")
    assert log_in(browser(), "editor", PASSWORD).status_code == 429

    call_command("axes_reset_username", "editor", verbosity=0)

    assert logged_in(log_in(browser(), "editor", PASSWORD))


def test_an_admin_unlocks_an_account_in_the_admin(editor, django_user_model):
    django_user_model.objects.create_superuser("boss", "boss@example.kg", PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(browser(), "editor", "wrong-password")
    boss = browser(address="198.51.100.1")
    assert logged_in(log_in(boss, "boss", PASSWORD))
    attempts = boss.get("/admin/axes/accessattempt/?q=editor")
    assert "Кирүү бөгөттөрү" in page_text(attempts)  # the app, by its Kyrgyz name
    action, fields = read_form(attempts, "changelist-form")
    ids = [str(pk) for pk in attempts.context["cl"].result_list.values_list("pk", flat=True)]
    assert ids
    confirm = boss.post(action, fields | {"action": "delete_selected", "_selected_action": ids})
    action, fields = read_form(confirm, with_field="post")  # "Yes, I'm sure"
    assert boss.post(action, fields).status_code == 302

    assert logged_in(log_in(browser(), "editor", PASSWORD))


def test_without_a_proxy_a_forged_forwarded_address_does_not_escape_the_lock(editor, settings):
    settings.NEWSROOM_PROXY_COUNT = 0
    for number in range(settings.AXES_FAILURE_LIMIT):
        forged = browser(address="203.0.113.66", HTTP_X_FORWARDED_FOR=f"10.0.0.{number}")
        log_in(forged, f"guess-{number}", "wrong-password")
    fresh_forgery = browser(address="203.0.113.66", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert log_in(fresh_forgery, "editor", PASSWORD).status_code == 429


def test_behind_a_proxy_each_reader_address_is_counted_apart(editor, settings):
    """Behind nginx every request comes from the proxy's address; only the address
    the proxy appended to X-Forwarded-For tells readers apart."""
    settings.NEWSROOM_PROXY_COUNT = 1
    for number in range(settings.AXES_FAILURE_LIMIT):
        attacker = browser(address="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.66")
        log_in(attacker, f"guess-{number}", "wrong-password")
    attacker = browser(address="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.66")
    assert log_in(attacker, "editor", PASSWORD).status_code == 429
    # A forged entry on the left does not help the attacker either.
    forged = browser(address="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.66")
    assert log_in(forged, "editor", PASSWORD).status_code == 429
    colleague = browser(address="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert logged_in(log_in(colleague, "editor", PASSWORD))


def test_an_overlong_username_gets_the_form_message_not_an_error(editor):
    """Django's login form does not check the length; PostgreSQL would (a 500)."""
    response = log_in(browser("ru"), "x" * 300, "wrong-password")
    assert response.status_code == 200
    assert 'class="errornote"' in response.content.decode()
