"""The workflow as the admin shows and enforces it: buttons from the one table, one
save per step, clear refusals of forged or replayed requests, the history in words."""

import json
import logging
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from articles import workflow
from articles.models import Article
from tests.articles.admin_client import change_url, page_buttons, page_form
from tests.factories import make_article

pytestmark = pytest.mark.django_db

Status = Article.Status
SUBMIT, PUBLISH, SCHEDULE, RETURN, UNPUBLISH = WORKFLOW_BUTTONS = (
    "_submit_for_review",
    "_publish",
    "_schedule",
    "_return_to_author",
    "_unpublish",
)


def ky(message, **values):
    with translation.override("ky"):
        text = gettext(message)
    return text % values if values else text


def story_in(state, *, author):
    hour = timedelta(hours=1)
    return {
        "draft": lambda: make_article(status=Status.DRAFT, created_by=author),
        "submitted": lambda: make_article(status=Status.SUBMITTED, created_by=author),
        "scheduled": lambda: make_article(published_at=timezone.now() + hour, created_by=author),
        "live": lambda: make_article(created_by=author),
        "unpublished": lambda: make_article(status=Status.UNPUBLISHED, created_by=author),
    }[state]()


# What each role is offered, state by state (the rows of the table, as the page shows them).
EDITOR_BUTTONS = {
    "draft": {SUBMIT, PUBLISH, SCHEDULE},
    "submitted": {PUBLISH, SCHEDULE, RETURN},
    "scheduled": {PUBLISH, SCHEDULE, RETURN, UNPUBLISH},
    "live": {PUBLISH, UNPUBLISH},
    "unpublished": {SUBMIT, PUBLISH, SCHEDULE, RETURN},
}
JOURNALIST_BUTTONS = {
    "draft": {SUBMIT},
    "submitted": set(),
    "scheduled": set(),
    "live": set(),
    "unpublished": {SUBMIT},
}


@pytest.mark.parametrize("state", list(EDITOR_BUTTONS))
def test_the_change_page_offers_each_role_what_the_table_allows(client, editor, journalist, state):
    story = story_in(state, author=journalist)
    for user, expected in ((editor, EDITOR_BUTTONS), (journalist, JOURNALIST_BUTTONS)):
        client.force_login(user)
        offered = set(page_buttons(client.get(change_url(story)))) & set(WORKFLOW_BUTTONS)
        assert offered == expected[state], user.username


def test_save_and_publish_writes_the_story_once_and_moves_the_lock_by_one(client, editor):
    story = make_article(status=Status.SUBMITTED, authors=[editor])
    client.force_login(editor)
    action, data = page_form(client.get(change_url(story)), _publish="1")
    with CaptureQueriesContext(connection) as queries:
        assert client.post(action, data).status_code == 302
    updates = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("UPDATE") and '"articles_article"' in q["sql"].split("SET")[0]
    ]
    assert len(updates) == 1, updates
    story_before = story.version
    story.refresh_from_db()
    assert story.is_live
    assert story.version == story_before + 1


def test_opening_a_story_or_its_earlier_version_writes_nothing(client, editor):
    story = make_article(status=Status.DRAFT, authors=[editor])
    client.force_login(editor)
    client.post(*page_form(client.get(change_url(story)), title_ky="Экинчи"))
    version = story.version + 1
    with CaptureQueriesContext(connection) as queries:
        client.get(change_url(story))
    assert not [q for q in queries.captured_queries if q["sql"].startswith(("UPDATE", "INSERT"))]
    story.refresh_from_db()
    assert story.version == version


def test_publishing_a_story_without_text_is_refused_clearly(client, editor):
    story = make_article(status=Status.SUBMITTED, languages=(), title_ky="Аталыш гана")
    client.force_login(editor)
    response = client.post(*page_form(client.get(change_url(story)), _publish="1"))
    assert response.status_code == 200
    html = response.content.decode()
    assert ky("Write a title and a text in at least one language before publishing.") in html
    assert 'class="success"' not in html
    story.refresh_from_db()
    assert story.status == Status.SUBMITTED


def test_an_editor_returns_a_scheduled_story_and_it_leaves_the_schedule(client, editor):
    story = make_article(published_at=timezone.now() + timedelta(hours=5))
    client.force_login(editor)
    action, data = page_form(client.get(change_url(story)), review_note="Сүрөттү алмаштырыңыз.")
    assert client.post(action, data | {RETURN: "1"}).status_code == 302
    story.refresh_from_db()
    assert (story.status, story.review_note) == (Status.DRAFT, "Сүрөттү алмаштырыңыз.")
    assert story not in Article.objects.scheduled()


def test_a_button_for_a_step_the_story_is_past_is_refused_and_logged(client, editor, caplog):
    """A forged "return" on a live story: the table has no such row."""
    story = make_article(title_ky="Жарыяланган")
    client.force_login(editor)
    action, data = page_form(client.get(change_url(story)), review_note="x", title_ky="Жаңы")
    with caplog.at_level(logging.WARNING, logger="articles.workflow"):
        response = client.post(action, data | {RETURN: "1"})
    assert response.status_code == 200
    with translation.override("ky"):
        expected = gettext("This step is not possible now. The story is: %(state)s.") % {
            "state": workflow.STATE_LABELS["live"]
        }
    assert expected in response.content.decode()
    story.refresh_from_db()
    assert (story.status, story.title_ky) == (Status.PUBLISHED, "Жарыяланган")
    assert "Refused story action 'return'" in caplog.text


def test_a_journalists_submit_replayed_after_an_editor_published_is_refused(
    client, editor, journalist
):
    story = make_article(status=Status.DRAFT, created_by=journalist, title_ky="Биринчи")
    client.force_login(journalist)
    action, data = page_form(client.get(change_url(story)), title_ky="Кайра жиберилди")
    workflow.publish(article=story, user=editor)
    response = client.post(action, data | {SUBMIT: "1"})
    assert response.status_code == 403
    story.refresh_from_db()
    assert (story.status, story.title_ky) == (Status.PUBLISHED, "Биринчи")


def test_a_step_on_a_story_deleted_meanwhile_is_refused_with_a_message(client, editor, caplog):
    story = make_article(status=Status.SUBMITTED)
    client.force_login(editor)
    action, data = page_form(client.get(change_url(story)))
    story.delete()
    with caplog.at_level(logging.WARNING, logger="articles.workflow"):
        response = client.post(action, data | {PUBLISH: "1"}, follow=True)
    assert response.status_code == 200
    assert ky("This story no longer exists.") in response.content.decode()
    assert not Article.objects.filter(title_ky=story.title_ky).exists()
    assert "missing" in caplog.text


def test_bulk_publish_publishes_what_it_may_and_names_what_it_may_not(client, editor):
    ready = make_article(status=Status.SUBMITTED)
    empty = make_article(status=Status.SUBMITTED, languages=(), title_ky="Бош макала")
    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish_selected", "_selected_action": [ready.pk, empty.pk], "index": "0"},
        follow=True,
    )
    html = response.content.decode()
    assert "Бош макала" in html
    assert ky("Write a title and a text in at least one language before publishing.") in html
    assert ready in Article.objects.published()
    assert empty not in Article.objects.published()


# The history, in words.


def test_each_step_is_in_the_admin_log_and_the_history_with_who_and_what(
    client, editor, journalist
):
    story = make_article(status=Status.DRAFT, created_by=journalist)
    writer, desk = Client(), Client()
    writer.force_login(journalist)
    desk.force_login(editor)
    writer.post(*page_form(writer.get(change_url(story)), **{SUBMIT: "1"}))
    desk.post(*page_form(desk.get(change_url(story)), review_note="Булак керек.", **{RETURN: "1"}))
    writer.post(*page_form(writer.get(change_url(story)), **{SUBMIT: "1"}))
    desk.post(*page_form(desk.get(change_url(story)), **{PUBLISH: "1"}))
    desk.post(*page_form(desk.get(change_url(story)), **{UNPUBLISH: "1"}))

    log = LogEntry.objects.filter(object_id=str(story.pk)).order_by("action_time")
    steps = [
        (entry.user.username, part["workflow"]["step"])
        for entry in log
        for part in json.loads(entry.change_message)
        if "workflow" in part
    ]
    assert steps == [
        ("aibek", "submit"),
        ("jyldyz", "return"),
        ("aibek", "submit"),
        ("jyldyz", "published"),
        ("jyldyz", "unpublish"),
    ]
    history = desk.get(reverse("admin:articles_article_history", args=[story.pk]))
    html = history.content.decode()
    for line in (
        ky("Submitted for review."),
        ky("Returned to the author: %(note)s", note="Булак керек."),
        ky("Published."),
        ky("Unpublished."),
    ):
        assert line in html


def test_a_history_line_is_worded_in_the_language_it_is_read_in(editor):
    story = make_article(status=Status.SUBMITTED)
    at = timezone.now() + timedelta(days=2)
    workflow.publish(article=story, user=editor, at=at)
    message = LogEntry.objects.get(object_id=str(story.pk)).change_message
    words = {}
    for code in ("ky", "ru"):
        with translation.override(code):
            words[code] = workflow.describe(message)
            assert words[code].startswith(gettext("Scheduled for %(time)s.").split("%")[0])
    assert words["ky"] != words["ru"]
