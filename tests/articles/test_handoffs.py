"""Hand-offs: the admin front page says what waits for whom, and the journalist hears
by e-mail when a story comes back or goes out. Preview stays with those who may edit."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from articles import workflow
from articles.models import Article
from tests.articles.admin_client import change_url, page_form
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db

Status = Article.Status
INDEX = reverse("admin:index")


def ky(message):
    with translation.override("ky"):
        return gettext(message)


def box(html, title):
    """The text of the front-page box headed `title`, up to the next box."""
    start = html.index(title)
    end = html.find('<div class="module', start)
    return html[start : end if end != -1 else None]


def test_a_journalist_sees_what_came_back_with_the_note_and_what_waits(
    client, journalist, other_journalist
):
    make_article(
        status=Status.DRAFT,
        created_by=journalist,
        title_ky="Кайтарылган макала",
        review_note="Цитатанын булагын жазыңыз.",
    )
    make_article(status=Status.SUBMITTED, created_by=journalist, title_ky="Күтүп жаткан")
    make_article(status=Status.SUBMITTED, authors=[journalist], title_ky="Кол коюлган")
    make_article(status=Status.SUBMITTED, created_by=other_journalist, title_ky="Бөтөн макала")
    make_article(status=Status.DRAFT, created_by=journalist, title_ky="Жөн долбоор")
    client.force_login(journalist)
    html = client.get(INDEX).content.decode()
    returned = box(html, ky("Returned to you"))
    assert "(1)" in returned
    assert "Кайтарылган макала" in returned and "Цитатанын булагын жазыңыз." in returned
    assert "Жөн долбоор" not in returned
    waiting = box(html, ky("Waiting for review"))
    assert "(2)" in waiting
    assert "Күтүп жаткан" in waiting and "Кол коюлган" in waiting
    assert "Бөтөн макала" not in html
    assert ky("Submitted, waiting for you") not in html


def test_the_story_list_says_a_draft_came_back(client, journalist):
    make_article(
        status=Status.DRAFT, created_by=journalist, title_ky="Кайтарылды", review_note="Оңдоңуз."
    )
    make_article(status=Status.DRAFT, created_by=journalist, title_ky="Жаңы долбоор")
    client.force_login(journalist)
    html = client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert html.count(ky("Returned with a note")) == 1
    assert ky("Draft") in html


def test_an_editor_sees_the_submitted_queue_and_the_schedule(client, editor):
    for n in range(3):
        make_article(status=Status.SUBMITTED, title_ky=f"Жөнөтүлгөн {n}")
    make_article(published_at=timezone.now() + timedelta(hours=3), title_ky="Эртеңки макала")
    make_article(title_ky="Жарыяланган макала")
    client.force_login(editor)
    html = client.get(INDEX).content.decode()
    submitted = box(html, ky("Submitted, waiting for you"))
    assert "(3)" in submitted and "Жөнөтүлгөн 2" in submitted
    scheduled = box(html, ky("Scheduled"))
    assert "(1)" in scheduled and "Эртеңки макала" in scheduled
    assert "Жарыяланган макала" not in html
    assert ky("Returned to you") not in html


def test_a_moderator_has_no_story_boxes(client, moderator):
    make_article(status=Status.SUBMITTED)
    client.force_login(moderator)
    html = client.get(INDEX).content.decode()
    assert "newsroom-handoff" not in html


# E-mail.


@pytest.fixture
def reporter():
    return make_user(
        "asel", role="Journalist", email="asel@kabar.example", first_name="Асел", last_name="Ч"
    )


def test_a_returned_story_emails_its_journalist_with_the_note(
    client, editor, reporter, django_capture_on_commit_callbacks
):
    story = make_article(status=Status.SUBMITTED, created_by=reporter, title_ky="Кабар")
    client.force_login(editor)
    action, data = page_form(client.get(change_url(story)), review_note="Датаны текшериңиз.")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(action, data | {"_return_to_author": "1"}).status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["asel@kabar.example"]
    assert "Датаны текшериңиз." in message.body
    assert ky("Your story was returned: %(title)s") % {"title": "Кабар"} in message.subject
    assert "Жылдыз Асанова" in message.body


def test_a_published_story_emails_its_journalist(
    editor, reporter, django_capture_on_commit_callbacks
):
    story = make_article(status=Status.SUBMITTED, authors=[reporter])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(article=story, user=editor)
    assert [m.to for m in mail.outbox] == [["asel@kabar.example"]]
    with translation.override("ru"):
        assert gettext("Your story is published: %(title)s").split(":")[0] in mail.outbox[0].subject


def test_the_setting_turns_the_emails_off(
    editor, reporter, settings, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_NOTIFY_AUTHORS = False
    story = make_article(status=Status.SUBMITTED, created_by=reporter)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.return_to_author(article=story, user=editor, note="Жок")
    assert mail.outbox == []


def test_a_refused_step_sends_nothing(client, editor, reporter, django_capture_on_commit_callbacks):
    story = make_article(status=Status.SUBMITTED, created_by=reporter)
    client.force_login(editor)
    action, data = page_form(client.get(change_url(story)), review_note="")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(action, data | {"_return_to_author": "1"}).status_code == 200
    assert mail.outbox == []


# Preview on the public site.


@pytest.mark.parametrize("state", ["draft", "scheduled"])
def test_only_those_who_may_edit_a_story_preview_it_on_the_site(
    client, editor, journalist, other_journalist, moderator, state
):
    if state == "draft":
        story = make_article(status=Status.DRAFT, created_by=journalist)
    else:
        story = make_article(published_at=timezone.now() + timedelta(days=2), created_by=editor)
    url = f"/ky/news/{story.slug_ky}/"
    anonymous = Client().get(url)
    assert anonymous.status_code == 404
    expected = {
        editor: 200,
        journalist: 200 if state == "draft" else 404,
        other_journalist: 404,
        moderator: 404,
    }
    for user, status in expected.items():
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == status, user.username
        if status == 404:
            assert response.content == anonymous.content
            assert story.title_ky not in response.content.decode()
