"""Restore and recover, posted exactly as the rendered pages post them."""

import logging

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from reversion.models import Version

from articles.models import Article, Byline
from tests.articles.admin_client import change_url, page_buttons, page_form, png_upload
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db

Status = Article.Status
RESTORE_HELP = (
    "This is the text of the earlier version. Press “Save” to bring it back; the story "
    "stays where it is in the workflow (published, draft, …) unless you press a workflow button."
)


def ky(message):
    with translation.override("ky"):
        return gettext(message)


def save(client, article, **changes):
    """Save the story's change form as the browser would."""
    action, data = page_form(client.get(change_url(article)), **changes)
    response = client.post(action, data)
    assert response.status_code == 302, response.context and response.context["errors"]


def revision_url(article, version):
    return reverse("admin:articles_article_revision", args=[article.pk, version.pk])


def version_titled(article, title):
    return Version.objects.get_for_object(article).filter(serialized_data__contains=title).first()


@pytest.fixture
def edited_live_story(client, editor):
    """A live story an editor retitled twice; its counters moved meanwhile."""
    story = make_article(authors=[editor], title_ky="Туура аталыш")
    client.force_login(editor)
    save(client, story, title_ky="Туура аталыш", body_ky="<p>Туура текст.</p>")
    save(client, story, title_ky="Ката аталыш", body_ky="<p>Ката текст.</p>")
    Article.objects.filter(pk=story.pk).update(view_count=42, comment_count=3)
    story.refresh_from_db()
    return story


def test_editor_restores_an_earlier_text_and_the_story_stays_published(
    client, editor, edited_live_story
):
    story = edited_live_story
    published_at, version = story.published_at, story.version
    old = version_titled(story, "Туура аталыш")
    page = client.get(revision_url(story, old))
    assert "Туура аталыш" in page.content.decode()
    assert ky(RESTORE_HELP) in page.content.decode()
    action, data = page_form(page)
    assert data["lock_version"] == str(version), "the restore page carries the lock"

    response = client.post(action, data)

    assert response.status_code == 302
    story.refresh_from_db()
    assert (story.title_ky, story.body_ky) == ("Туура аталыш", "<p>Туура текст.</p>")
    assert (story.status, story.published_at) == (Status.PUBLISHED, published_at)
    assert (story.view_count, story.comment_count) == (42, 3)
    assert story.version == version + 1


def test_showing_an_earlier_version_changes_nothing(client, editor, edited_live_story):
    story = edited_live_story
    before = Article.objects.filter(pk=story.pk).values().get()
    client.get(revision_url(story, version_titled(story, "Туура аталыш")))
    assert Article.objects.filter(pk=story.pk).values().get() == before


def test_the_restore_is_in_the_history_and_the_admin_log_in_the_readers_language(
    client, editor, edited_live_story
):
    story = edited_live_story
    old = version_titled(story, "Туура аталыш")
    client.post(*page_form(client.get(revision_url(story, old))))
    entry = LogEntry.objects.filter(object_id=str(story.pk)).first()
    assert entry.user == editor
    with translation.override("ky"):
        assert gettext("Restored from the version of %(time)s.").split("%")[0] in (
            client.get(reverse("admin:articles_article_history", args=[story.pk])).content.decode()
        )


def test_a_journalist_cannot_restore_an_editors_story_by_forging_the_post(
    client, editor, edited_live_story, caplog
):
    story = edited_live_story
    old = version_titled(story, "Туура аталыш")
    intruder = Client()
    intruder.force_login(make_user(role="Journalist"))
    with caplog.at_level(logging.WARNING):
        response = intruder.post(revision_url(story, old), {"lock_version": story.version})
    assert response.status_code == 403
    story.refresh_from_db()
    assert (story.title_ky, story.status) == ("Ката аталыш", Status.PUBLISHED)
    assert story.is_live
    assert "Refused story action 'restore'" in caplog.text


def test_a_journalist_restores_an_earlier_text_of_their_own_draft(client, journalist):
    story = make_article(status=Status.DRAFT, created_by=journalist, title_ky="Биринчи")
    client.force_login(journalist)
    save(client, story, title_ky="Биринчи")
    save(client, story, title_ky="Экинчи")
    page = client.get(revision_url(story, version_titled(story, "Биринчи")))
    assert "_publish" not in page_buttons(page)
    assert client.post(*page_form(page)).status_code == 302
    story.refresh_from_db()
    assert (story.title_ky, story.status) == ("Биринчи", Status.DRAFT)


def test_an_unknown_version_is_refused_with_a_message(client, editor, edited_live_story, caplog):
    story = edited_live_story
    with caplog.at_level(logging.WARNING):
        response = client.post(
            reverse("admin:articles_article_revision", args=[story.pk, 999999]), {}, follow=True
        )
    assert ky("This story has no such saved version.") in response.content.decode()
    story.refresh_from_db()
    assert story.title_ky == "Ката аталыш"
    assert "unknown version" in caplog.text


def test_restoring_a_story_deleted_meanwhile_is_refused_with_a_message(
    client, editor, edited_live_story
):
    story = edited_live_story
    old = version_titled(story, "Туура аталыш")
    action, data = page_form(client.get(revision_url(story, old)))
    story.delete()
    response = client.post(action, data, follow=True)
    assert ky("This story no longer exists.") in response.content.decode()
    assert not Article.objects.filter(pk=story.pk).exists()


def test_a_restore_replayed_after_another_save_is_stale_and_changes_nothing(
    client, editor, edited_live_story, caplog
):
    story = edited_live_story
    old = version_titled(story, "Туура аталыш")
    action, data = page_form(client.get(revision_url(story, old)))
    other = Client()
    other.force_login(make_user(role="Editor"))
    save(other, story, title_ky="Үчүнчү аталыш")
    with caplog.at_level(logging.WARNING, logger="articles.forms"):
        response = client.post(action, data)
    assert response.status_code == 200
    assert "Refused a stale save" in caplog.text
    assert ky("Someone else saved this story while you were editing") in response.content.decode()
    story.refresh_from_db()
    assert story.title_ky == "Үчүнчү аталыш"


# Recover.


@pytest.fixture
def deleted_story(client, editor, journalist):
    story = make_article(
        status=Status.SUBMITTED,
        title_ky="Өчүрүлгөн макала",
        authors=[journalist],
        tags=["саясат"],
    )
    client.force_login(editor)
    save(client, story, image=png_upload())
    story.refresh_from_db()
    image = story.image.name
    delete = client.get(reverse("admin:articles_article_delete", args=[story.pk]))
    assert delete.status_code == 200
    assert client.post(delete.wsgi_request.path, {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=story.pk).exists()
    return story.pk, image


def test_editor_recovers_a_deleted_story_as_a_draft_with_tags_bylines_and_image(
    client, editor, journalist, deleted_story
):
    pk, image = deleted_story
    listing = client.get(reverse("admin:articles_article_recoverlist"))
    assert "Өчүрүлгөн макала" in listing.content.decode()
    version = Version.objects.get_deleted(Article).get()
    page = client.get(reverse("admin:articles_article_recover", args=[version.pk]))
    response = client.post(*page_form(page))
    assert response.status_code == 302, response.context and response.context["errors"]
    story = Article.objects.get(pk=pk)
    assert (story.title_ky, story.status, story.published_at) == (
        "Өчүрүлгөн макала",
        Status.DRAFT,
        None,
    )
    assert [b.author.user for b in Byline.objects.filter(article=story)] == [journalist]
    assert list(story.tags.names()) == ["саясат"]
    assert story.image.name == image
    assert ky("Recovered after deletion, as a draft.") in (
        client.get(reverse("admin:articles_article_history", args=[pk])).content.decode()
    )


def test_a_journalist_cannot_recover_a_deleted_story(deleted_story):
    pk, _image = deleted_story
    version = Version.objects.get_deleted(Article).get()
    journalist = Client()
    journalist.force_login(make_user(role="Journalist"))
    url = reverse("admin:articles_article_recover", args=[version.pk])
    assert journalist.get(url).status_code == 403
    assert journalist.post(url, {}).status_code == 403
    assert not Article.objects.filter(pk=pk).exists()


def test_recovering_a_version_that_is_not_a_deleted_story_is_refused(client, editor):
    story = make_article(status=Status.DRAFT, authors=[editor])
    client.force_login(editor)
    save(client, story)
    live_version = Version.objects.get_for_object(story).first()
    response = client.post(
        reverse("admin:articles_article_recover", args=[live_version.pk]), {}, follow=True
    )
    assert ky("This deleted story cannot be found; it may have been recovered already.") in (
        response.content.decode()
    )


def test_a_version_whose_old_address_now_belongs_to_another_story_is_refused_clearly(
    client, editor
):
    story = make_article(status=Status.DRAFT, authors=[editor], slug="eski-dare")
    client.force_login(editor)
    save(client, story, title_ky="Эски дарек")
    save(client, story, title_ky="Жаңы дарек", slug_ky="zhangy-dare")
    make_article(slug="eski-dare")
    old = version_titled(story, "Эски дарек")
    response = client.get(revision_url(story, old), follow=True)
    assert ky("This version cannot be brought back: it clashes with another story.") in (
        response.content.decode()
    )
    story.refresh_from_db()
    assert (story.title_ky, story.slug_ky) == ("Жаңы дарек", "zhangy-dare")
