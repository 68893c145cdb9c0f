"""A rubric's address is its own in each language, so its page and feed always answer."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from articles.models import Rubric
from tests.articles.admin_client import page_form
from tests.factories import make_article, make_rubric

pytestmark = pytest.mark.django_db


def test_two_rubrics_cannot_share_a_slug_in_one_language():
    make_rubric(slug_ky="sayasat", slug_ru="politika")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_rubric(slug_ky="sayasat", slug_ru="drugoe")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_rubric(slug_ky="bashka", slug_ru="politika")


def test_the_same_slug_in_two_languages_is_fine():
    rubric = make_rubric(slug_ky="sport", slug_ru="sport")
    assert Rubric.objects.get(slug_ky="sport") == rubric


def test_the_admin_names_a_taken_slug_in_kyrgyz_and_keeps_the_input(client, editor):
    make_rubric(name_ky="Саясат", slug_ky="sayasat", slug_ru="politika")
    client.force_login(editor)
    add = reverse("admin:articles_rubric_add")
    action, data = page_form(
        client.get(add),
        form_id="rubric_form",
        name_ky="Экинчи саясат",
        name_ru="Вторая политика",
        slug_ky="sayasat",
        slug_ru="vtoraya",
        position="3",
    )
    response = client.post(action, data)
    assert response.status_code == 200
    html = response.content.decode()
    with translation.override("ky"):
        assert gettext("Another rubric already has this address (slug).") in html
    assert "Экинчи саясат" in html
    assert Rubric.objects.count() == 1


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_rubric_page_and_feed_answer_for_each_language(client, language):
    rubric = make_rubric(slug_ky="sayasat", slug_ru="politika")
    make_article(rubric=rubric)
    slug = {"ky": "sayasat", "ru": "politika"}[language]
    assert client.get(f"/{language}/rubric/{slug}/").status_code == 200
    assert client.get(f"/{language}/rss/{slug}/").status_code == 200
    other = {"ky": "politika", "ru": "sayasat"}[language]
    assert client.get(f"/{language}/rubric/{other}/").status_code == 404
