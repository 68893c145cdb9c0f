"""What Django's admin would write in English, and the newsroom says in the user's language."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import Profile
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(client):
    user = make_user(is_superuser=True, role="Editor")
    client.force_login(user)
    return user


def as_russian(user):
    Profile.objects.create(user=user, admin_language="ru")


def test_yes_no_icons_and_the_search_magnifier_are_described_in_kyrgyz(client, superuser):
    html = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert 'alt="Ооба"' in html
    assert 'alt="True"' not in html and 'alt="False"' not in html
    assert 'alt="Издөө"' in html
    assert 'alt="Search"' not in html


def test_roles_and_permissions_are_named_in_the_users_language(client, superuser):
    as_russian(superuser)
    editor = Group.objects.get(name="Editor")
    html = client.get(reverse("admin:auth_group_change", args=[editor.pk])).content.decode()
    assert "<title>Редактор |" in html
    assert "Может добавлять: материал" in html or "Может добавлять:" in html
    assert "Can add" not in html
    assert "Easy_Thumbnails" not in html
    html = client.get(reverse("admin:auth_group_changelist")).content.decode()
    assert ">Журналист</a>" in html and ">Journalist<" not in html


def test_a_refusal_in_the_admin_is_the_admins_page_in_the_users_language(client):
    journalist = make_user(role="Journalist")
    client.force_login(journalist)
    response = client.get(reverse("admin:articles_article_recoverlist"))
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="ky"' in html
    assert "<title>Кирүүгө уруксат жок |" in html
    assert 'id="user-tools"' in html
    assert "403 Forbidden" not in html
    as_russian(journalist)
    html = client.get(reverse("admin:articles_article_recoverlist")).content.decode()
    assert "Доступ запрещён" in html


def test_history_names_a_translated_field_with_its_language_in_words(client, superuser):
    from articles.models import Article
    from tests.articles.admin_client import change_url, form_data
    from tests.factories import make_article

    def history(story):
        return reverse("admin:articles_article_history", args=[story.pk])

    story = make_article(status=Article.Status.DRAFT, authors=[superuser])
    client.post(change_url(story), form_data(client.get(change_url(story)), title_ky="Жаңы"))
    html = client.get(history(story)).content.decode()
    assert "Аталышы (кыргызча) өзгөртүлдү." in html
    assert "[ky]" not in html
    # django-reversion keeps each line as written in its author's admin language.
    as_russian(superuser)
    story = make_article(status=Article.Status.DRAFT, authors=[superuser])
    client.post(change_url(story), form_data(client.get(change_url(story)), title_ky="Жаңы"))
    html = client.get(history(story)).content.decode()
    assert "Заголовок (на кыргызском)" in html
