"""The admin speaks Kyrgyz: Django's gaps and third-party strings are filled in newsroom/locale."""

import re
from pathlib import Path

import django
import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from reversion.models import Version

from accounts.models import Profile
from articles.models import Article
from tests.articles.admin_client import change_url, form_data
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)
DJANGO_DIR = Path(django.__file__).parent
COMPLETION = BASE_DIR / "newsroom" / "locale" / "ky" / "LC_MESSAGES"

# English a Kyrgyz journalist saw on Django 5.2's admin before the completion.
ENGLISH = [
    "Skip to main content",
    "Toggle theme",
    "Save and continue editing",
    "Log out",
    "Breadcrumbs",
    "Sidebar",
    "Show counts",
    "Hide counts",
    "Select all objects on this page",
    "Select this object for an action",
    "Change password",
    "View site",
    "Recover deleted",
    "Choose a date from the list below",
    "This object doesn't have a change history",
]


def _admin_pages(client, user):
    story = make_article(status=Article.Status.DRAFT, created_by=user, authors=[user])
    client.force_login(user)
    client.post(change_url(story), form_data(client.get(change_url(story)), title_ky="Жаңы"))
    pages = {
        "index": reverse("admin:index"),
        "changelist": reverse("admin:articles_article_changelist"),
        "add": reverse("admin:articles_article_add"),
        "change": change_url(story),
        "history": reverse("admin:articles_article_history", args=[story.pk]),
        "password": reverse("admin:password_change"),
    }
    return {name: client.get(url) for name, url in pages.items()}


@pytest.mark.parametrize("role", ["Journalist", "Editor"])
def test_a_kyrgyz_user_sees_no_english_admin_furniture(client, role):
    for name, response in _admin_pages(client, make_user(role=role)).items():
        html = response.content.decode()
        assert response.status_code == 200, name
        assert '<html lang="ky"' in html, name
        leftovers = [text for text in ENGLISH if text in html]
        assert leftovers == [], f"{name}: {leftovers}"
    assert "Негизги мазмунга өтүү" in html
    assert "Теманы алмаштыруу" in html


def test_the_editors_admin_pages_are_kyrgyz_too(client):
    editor = make_user(role="Editor")
    story = make_article(status=Article.Status.DRAFT, authors=[editor])
    client.force_login(editor)
    for title in ("Биринчи", "Экинчи"):
        client.post(change_url(story), form_data(client.get(change_url(story)), title_ky=title))
    first, second = Version.objects.get_for_object(story).order_by("pk")
    urls = [
        reverse("admin:articles_article_translations"),
        reverse("admin:articles_article_recoverlist"),
        reverse("admin:articles_article_compare", args=[story.pk])
        + f"?version_id1={first.pk}&version_id2={second.pk}",
        reverse("admin:articles_article_revision", args=[story.pk, first.pk]),
    ]
    for url in urls:
        html = client.get(url).content.decode()
        assert [text for text in ENGLISH if text in html] == [], url
        assert "Go back to history list" not in html
        assert "Revert to this version" not in html
        assert "Translation status" not in html


def test_russian_is_what_a_user_who_chose_russian_gets(client):
    """The public site's cookie says Kyrgyz; the user's own choice for the admin wins."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ky"
    journalist = make_user(role="Journalist")
    Profile.objects.create(user=journalist, admin_language="ru")
    html = _admin_pages(client, journalist)["change"].content.decode()
    assert '<html lang="ru"' in html
    assert "Сохранить и продолжить редактирование" in html
    assert "Сохранить и отправить на проверку" in html
    assert "Save and continue editing" not in html


def test_the_admin_javascript_catalog_is_kyrgyz(client):
    client.force_login(make_user(role="Journalist"))
    script = client.get(reverse("admin:jsi18n")).content.decode()
    for kyrgyz in ["Жекшемби", "Бардык %s тандоо", "Шилтемени түзөтүү", "Таблица кыстаруу"]:
        assert kyrgyz.encode("unicode_escape").decode() in script or kyrgyz in script


def _untranslated_in_django(relative):
    """Msgids of a Django 5.2 catalog that its Kyrgyz version lacks or leaves empty."""
    english = polib.pofile(str(DJANGO_DIR / relative.format(lang="en")))
    kyrgyz = polib.pofile(str(DJANGO_DIR / relative.format(lang="ky")))
    done = {(e.msgctxt, e.msgid) for e in kyrgyz if e.translated()}
    return [(e.msgctxt, e.msgid) for e in english if (e.msgctxt, e.msgid) not in done]


@pytest.mark.parametrize(
    ("relative", "domain"),
    [
        ("contrib/admin/locale/{lang}/LC_MESSAGES/django.po", "django"),
        ("contrib/admin/locale/{lang}/LC_MESSAGES/djangojs.po", "djangojs"),
        ("conf/locale/{lang}/LC_MESSAGES/django.po", "django"),
        ("contrib/auth/locale/{lang}/LC_MESSAGES/django.po", "django"),
        ("contrib/contenttypes/locale/{lang}/LC_MESSAGES/django.po", "django"),
        ("contrib/postgres/locale/{lang}/LC_MESSAGES/django.po", "django"),
    ],
)
def test_every_string_django_leaves_untranslated_in_kyrgyz_is_completed(relative, domain):
    ours = polib.pofile(str(COMPLETION / f"{domain}.po"))
    translated = {(e.msgctxt, e.msgid) for e in ours if e.translated() and not e.obsolete}
    missing = [key for key in _untranslated_in_django(relative) if key not in translated]
    assert missing == []
    assert not [e for e in ours if "fuzzy" in e.flags or e.obsolete]


def test_the_completion_is_loaded_at_run_time():
    with translation.override("ky"):
        assert gettext("Skip to main content") == "Негизги мазмунга өтүү"
        assert gettext("Toggle theme (current theme: dark)").startswith("Теманы")
        assert gettext("Recover deleted %(name)s") % {"name": "x"} != "Recover deleted x"


def test_make_messages_compiles_the_completion_catalogs():
    recipe = next(
        line
        for line in (BASE_DIR / "Makefile").read_text().splitlines()
        if "save_as_mofile" in line
    )
    globs = re.findall(r"'([^']*locale)'", recipe)
    compiled = {p for g in globs for p in BASE_DIR.glob(g + "/*/LC_MESSAGES/*.po")}
    assert COMPLETION / "django.po" in compiled
    assert COMPLETION / "djangojs.po" in compiled


def test_the_login_page_is_kyrgyz(client):
    html = client.get(reverse("admin:login")).content.decode()
    assert [text for text in ENGLISH if text in html] == []
    assert "Негизги мазмунга өтүү" in html
