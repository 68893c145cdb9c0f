"""Nothing is lost: revisions, restore, recovery of deleted stories, two editors at once."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from reversion.models import Version

from articles.models import Article, Byline
from tests.articles.admin_client import change_url, form_data
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db

Status = Article.Status


@pytest.fixture
def second_editor():
    return make_user("bakyt", role="Editor", first_name="Бакыт", last_name="Токтогулов")


def save(client, article, **changes):
    response = client.post(
        change_url(article), form_data(client.get(change_url(article)), **changes)
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    return response


def test_every_admin_save_is_kept_as_a_revision(client, editor):
    story = make_article(status=Status.DRAFT, authors=[editor])
    client.force_login(editor)
    save(client, story, title_ky="Биринчи")
    save(client, story, title_ky="Экинчи")
    versions = Version.objects.get_for_object(story)
    assert [v.field_dict["title_ky"] for v in versions] == ["Экинчи", "Биринчи"]
    assert all(v.revision.user == editor for v in versions)
    history = client.get(reverse("admin:articles_article_history", args=[story.pk]))
    assert history.status_code == 200
    assert "jyldyz" in history.content.decode()
    assert "Жылдыз Асанова" in history.content.decode()


def test_editor_compares_and_restores_an_earlier_revision(client, editor):
    story = make_article(status=Status.DRAFT, authors=[editor])
    client.force_login(editor)
    save(client, story, title_ky="Туура аталыш", body_ky="<p>Туура текст.</p>")
    save(client, story, title_ky="Ката аталыш", body_ky="<p>Ката текст.</p>")
    Article.objects.filter(pk=story.pk).update(view_count=42)
    old, new = (
        Version.objects.get_for_object(story).filter(serialized_data__contains=title).get()
        for title in ("Туура аталыш", "Ката аталыш")
    )
    compare = client.get(
        reverse("admin:articles_article_compare", args=[story.pk]),
        {"version_id1": old.pk, "version_id2": new.pk},
    )
    assert compare.status_code == 200
    assert "Ката текст." in compare.content.decode()

    revision_url = reverse("admin:articles_article_revision", args=[story.pk, old.pk])
    page = client.get(revision_url)
    assert "Туура аталыш" in page.content.decode()
    response = client.post(revision_url, form_data(page))
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.title_ky == "Туура аталыш"
    assert story.body_ky == "<p>Туура текст.</p>"
    assert story.view_count == 42, "a restore must not reset the counters"
    assert Version.objects.get_for_object(story).count() == 3


def test_journalist_cannot_compare_someone_elses_story():
    story = make_article(status=Status.DRAFT)
    from django.test import Client

    client = Client()
    client.force_login(make_user(role="Journalist"))
    response = client.get(
        reverse("admin:articles_article_compare", args=[story.pk]),
        {"version_id1": 1, "version_id2": 2},
    )
    assert response.status_code == 403


def test_a_deleted_story_is_recovered_with_its_bylines(client, editor):
    author = make_user(role="Journalist")
    story = make_article(status=Status.DRAFT, title_ky="Өчүрүлгөн макала", authors=[author])
    client.force_login(editor)
    save(client, story)
    delete_url = reverse("admin:articles_article_delete", args=[story.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=story.pk).exists()

    recover_list = client.get(reverse("admin:articles_article_recoverlist"))
    assert "Өчүрүлгөн макала" in recover_list.content.decode()
    version = Version.objects.get_deleted(Article).get()
    recover_url = reverse("admin:articles_article_recover", args=[version.pk])
    response = client.post(recover_url, form_data(client.get(recover_url)))
    assert response.status_code == 302
    recovered = Article.objects.get(pk=story.pk)
    assert recovered.title_ky == "Өчүрүлгөн макала"
    assert list(
        Byline.objects.filter(article=recovered).values_list("author__user", flat=True)
    ) == [author.pk]


def test_two_editors_at_once_the_later_save_is_refused_and_nothing_is_lost(
    client, editor, second_editor
):
    from django.test import Client

    story = make_article(status=Status.DRAFT, title_ky="Баштапкы", authors=[editor])
    first, second = Client(), Client()
    first.force_login(editor)
    second.force_login(second_editor)
    first_form = form_data(first.get(change_url(story)), title_ky="Биринчи редактордун тексти")
    second_form = form_data(second.get(change_url(story)), title_ky="Экинчи редактордун тексти")

    assert first.post(change_url(story), first_form).status_code == 302
    refused = second.post(change_url(story), second_form)

    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Экинчи редактордун тексти" in html, "the refused editor keeps what they typed"
    assert "Жылдыз Асанова" in html, "the message names who saved first"
    assert change_url(story) in html
    assert reverse("admin:articles_article_history", args=[story.pk]) in html
    with translation.override("ky"):
        assert gettext("Someone else saved this story while you were editing") in html
    story.refresh_from_db()
    assert story.title_ky == "Биринчи редактордун тексти"

    # Saving again on purpose replaces it; the first text stays in the history.
    again = form_data(refused)
    assert second.post(change_url(story), again).status_code == 302
    story.refresh_from_db()
    assert story.title_ky == "Экинчи редактордун тексти"
    kept = [v.field_dict["title_ky"] for v in Version.objects.get_for_object(story)]
    assert "Биринчи редактордун тексти" in kept


def test_a_workflow_step_elsewhere_also_makes_an_open_form_stale(client, editor, second_editor):
    from articles import workflow

    story = make_article(status=Status.SUBMITTED, authors=[editor])
    client.force_login(editor)
    stale = form_data(client.get(change_url(story)), title_ky="Эскирген форма")
    workflow.publish(article=story, user=second_editor)
    response = client.post(change_url(story), stale)
    assert response.status_code == 200
    assert response.context["adminform"].form.conflict["who"] == "Бакыт Токтогулов"
    story.refresh_from_db()
    assert story.title_ky != "Эскирген форма"
