"""The admin's language is each staff member's own choice, kept with their account.

Public pages keep the language of their URL; reading /ru/ does not turn a Kyrgyz
editor's admin Russian, and choosing Russian for the admin does not touch /ky/.
"""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Profile
from tests.factories import make_article, make_user
from tests.html_forms import rendered_form

pytestmark = pytest.mark.django_db


def choose_admin_language(client, language, page="/admin/"):
    """Pick a language in the chooser of the admin's user tools and submit it."""
    action, data = rendered_form(client.get(page).content.decode(), "admin-language-form")
    return client.post(action, data | {"language": language})


@pytest.fixture
def editor(client):
    user = make_user(role="Editor", first_name="Айгүл")
    client.force_login(user)
    return user


def test_the_chooser_offers_each_language_in_its_own_name(client, editor):
    html = client.get(reverse("admin:index")).content.decode()
    assert 'id="admin-language-form"' in html
    assert '<option value="ky" lang="ky" selected>Кыргызча</option>' in html
    assert '<option value="ru" lang="ru">Русский</option>' in html
    assert "Админкадагы тил" in html


def test_choosing_russian_turns_the_whole_admin_russian_and_is_remembered(client, editor):
    response = choose_admin_language(
        client, "ru", page=reverse("admin:articles_article_changelist")
    )
    assert response.status_code == 302
    assert response.url == reverse("admin:articles_article_changelist")
    assert Profile.objects.get(user=editor).admin_language == "ru"
    html = client.get(response.url).content.decode()
    assert '<html lang="ru"' in html
    assert "Админка теперь на выбранном вами языке." in html
    # A new session (another computer) gets the same choice.
    client.logout()
    client.force_login(editor)
    assert '<html lang="ru"' in client.get(reverse("admin:index")).content.decode()


def test_reading_the_public_site_in_russian_does_not_change_the_admin(client, editor):
    story = make_article()
    choose_admin_language(client, "ky")
    assert client.get(f"/ru/news/{story.slug_ru}/").status_code == 200
    # What the page's script (static/js/site.js) does in a browser.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    html = client.get(reverse("admin:index")).content.decode()
    assert '<html lang="ky"' in html
    assert "Чыгуу" in html


def test_the_public_site_keeps_its_url_language_for_a_user_who_chose_russian(client, editor):
    story = make_article()
    choose_admin_language(client, "ru")
    html = client.get(f"/ky/news/{story.slug}/").content.decode()
    assert '<html lang="ky"' in html


def test_without_a_choice_the_admin_follows_the_browser_not_the_site_cookie(client, editor):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ky"
    html = client.get(reverse("admin:index"), headers={"accept-language": "ru-RU,ru;q=0.9"})
    assert '<html lang="ru"' in html.content.decode()
    html = client.get(reverse("admin:index"), headers={"accept-language": "en-US"})
    assert '<html lang="ky"' in html.content.decode()


def test_the_login_page_follows_the_browser(client):
    response = client.get(reverse("admin:login"), headers={"accept-language": "ru"})
    assert '<html lang="ru"' in response.content.decode()


def test_an_unknown_language_is_refused_with_a_message_and_nothing_is_stored(client, editor):
    response = choose_admin_language(client, "en")
    assert response.status_code == 302
    assert not Profile.objects.filter(user=editor).exists()
    html = client.get(response.url).content.decode()
    assert "Бул тил жеткиликтүү эмес." in html


def test_an_outside_address_to_go_back_to_is_ignored(client, editor):
    action, data = rendered_form(
        client.get(reverse("admin:index")).content.decode(), "admin-language-form"
    )
    response = client.post(action, data | {"language": "ru", "next": "https://evil.example/"})
    assert response.url == reverse("admin:index")


def test_a_reader_without_staff_rights_cannot_store_a_choice(client):
    reader = make_user()
    client.force_login(reader)
    response = client.post(reverse("accounts:admin_language"), {"language": "ru"})
    assert response.status_code == 302
    assert "/admin/login/" in response.url
    assert not Profile.objects.exists()


def test_the_chooser_only_answers_post(client, editor):
    assert client.get(reverse("accounts:admin_language")).status_code == 405
