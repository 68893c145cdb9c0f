"""A staff member who forgot the password gets a new one by e-mail through Django's
own views, in the admin's look and in the language of the browser that asked."""

import re

import pytest
from django.conf import settings
from django.core import mail

from tests.factories import make_user
from tests.html_forms import read_form

from .test_logins import PASSWORD, browser, log_in, logged_in, page_text

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Жаңы-сырсөз-2026"
LINK = re.compile(r"https?://testserver(/admin/reset/[^/\s]+/[^/\s]+/)")


@pytest.fixture
def editor():
    return make_user("editor", role="Editor", email="editor@kabar.example.kg")


def ask_for_a_reset(client, email):
    """From the login page, follow its link and send the reset form."""
    login_page = client.get("/admin/login/")
    link = re.search(r'class="password-reset-link">\s*<a href="([^"]+)"', page_text(login_page))
    assert link, "no password reset link on the login page"
    form_page = client.get(link.group(1))
    assert form_page.status_code == 200
    action, fields = read_form(form_page, with_field="email")
    done = client.post(action, fields | {"email": email}, follow=True)
    assert done.status_code == 200
    return form_page, done


def set_new_password(client, message):
    confirm = client.get(LINK.search(message.body).group(1), follow=True)
    assert confirm.status_code == 200
    action, fields = read_form(confirm, with_field="new_password1")
    return client.post(
        action,
        fields | {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )


def test_the_whole_reset_journey_in_kyrgyz(editor):
    client = browser("ky")
    form_page, done = ask_for_a_reset(client, "editor@kabar.example.kg")
    assert '<html lang="ky"' in form_page.content.decode()
    assert "Төмөндө электрондук почтаңыздын дарегин териңиз" in page_text(form_page)
    assert "жаңы сырсөз коюу боюнча көрсөтмө жөнөттүк" in page_text(done)

    [message] = mail.outbox
    assert message.to == ["editor@kabar.example.kg"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject == "testserver: сырсөздү калыбына келтирүү"
    assert "Төмөнкү баракка өтүп, жаңы сырсөз тандаңыз:" in message.body
    assert "editor" in message.body

    complete = set_new_password(client, message)
    assert "Сырсөзүңүз коюлду. Эми кире аласыз." in page_text(complete)

    assert not logged_in(log_in(browser("ky"), "editor", PASSWORD))
    assert logged_in(log_in(browser("ky"), "editor", NEW_PASSWORD))


def test_a_russian_browser_gets_a_russian_mail(editor):
    ask_for_a_reset(browser("ru"), "editor@kabar.example.kg")
    [message] = mail.outbox
    assert message.subject == "Сброс пароля на testserver"
    assert "Пожалуйста, перейдите на эту страницу и введите новый пароль:" in message.body


def test_an_unknown_address_gets_the_same_answer_and_no_mail(editor):
    """Nobody learns from the page which addresses have an account."""
    _, done = ask_for_a_reset(browser("ky"), "stranger@example.kg")
    assert "жаңы сырсөз коюу боюнча көрсөтмө жөнөттүк" in page_text(done)
    assert mail.outbox == []


def test_a_weak_new_password_is_refused_with_a_reason_and_the_link_still_works(editor):
    client = browser("ky")
    ask_for_a_reset(client, "editor@kabar.example.kg")
    confirm = client.get(LINK.search(mail.outbox[0].body).group(1), follow=True)
    action, fields = read_form(confirm, with_field="new_password1")
    refused = client.post(action, fields | {"new_password1": "123", "new_password2": "123"})
    assert refused.status_code == 200
    assert 'class="errorlist' in refused.content.decode()
    editor.refresh_from_db()
    assert editor.check_password(PASSWORD)  # nothing changed yet

    # Corrected on the same page, as a person would.
    action, fields = read_form(refused, with_field="new_password1")
    new = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    complete = client.post(action, fields | new, follow=True)
    assert "Сырсөзүңүз коюлду" in page_text(complete)
    assert logged_in(log_in(browser("ky"), "editor", NEW_PASSWORD))


def test_a_used_link_is_refused(editor):
    client = browser("ky")
    ask_for_a_reset(client, "editor@kabar.example.kg")
    set_new_password(client, mail.outbox[0])
    again = browser("ky").get(LINK.search(mail.outbox[0].body).group(1), follow=True)
    assert "шилтемеси жараксыз" in page_text(again)


def test_a_reset_by_e_mail_lifts_the_lockout_of_the_account(editor):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(browser(address="203.0.113.66"), "editor", "wrong-password")
    assert log_in(browser(), "editor", PASSWORD).status_code == 429

    client = browser("ky")
    ask_for_a_reset(client, "editor@kabar.example.kg")
    set_new_password(client, mail.outbox[0])

    assert logged_in(log_in(browser(), "editor", NEW_PASSWORD))
