from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from articles import workflow
from articles.models import Article
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db

Status = Article.Status


def test_journalist_submits_own_draft_for_review(journalist):
    story = make_article(status=Status.DRAFT, created_by=journalist)
    workflow.submit_for_review(article=story, user=journalist)
    story.refresh_from_db()
    assert story.status == Status.SUBMITTED
    assert story.version == 2


def test_journalist_cannot_submit_someone_elses_story(journalist):
    story = make_article(status=Status.DRAFT, created_by=make_user(role="Journalist"))
    with pytest.raises(PermissionDenied):
        workflow.submit_for_review(article=story, user=journalist)
    story.refresh_from_db()
    assert story.status == Status.DRAFT


def test_a_bylined_journalist_may_submit_a_story_someone_else_created(journalist):
    story = make_article(status=Status.DRAFT, authors=[journalist])
    workflow.submit_for_review(article=story, user=journalist)
    assert story.status == Status.SUBMITTED


@pytest.mark.parametrize(
    "step",
    [
        lambda story, user: workflow.publish(article=story, user=user),
        lambda story, user: workflow.publish(
            article=story, user=user, at=timezone.now() + timedelta(hours=2)
        ),
        lambda story, user: workflow.unpublish(article=story, user=user),
        lambda story, user: workflow.return_to_author(article=story, user=user, note="Нет"),
    ],
    ids=["publish", "schedule", "unpublish", "return"],
)
def test_journalist_cannot_publish_schedule_unpublish_or_return(journalist, step):
    story = make_article(status=Status.SUBMITTED, created_by=journalist)
    with pytest.raises(PermissionDenied):
        step(story, journalist)
    story.refresh_from_db()
    assert story.status == Status.SUBMITTED
    assert story.published_at is None


def test_moderator_has_no_story_work():
    moderator = make_user(role="Moderator")
    story = make_article(status=Status.DRAFT, created_by=moderator)
    with pytest.raises(PermissionDenied):
        workflow.submit_for_review(article=story, user=moderator)


def test_editor_returns_story_with_a_note_and_it_becomes_a_draft_again(editor, journalist):
    story = make_article(status=Status.SUBMITTED, created_by=journalist)
    workflow.return_to_author(article=story, user=editor, note="Булакты тактаңыз 🙏")
    story.refresh_from_db()
    assert story.status == Status.DRAFT
    assert story.review_note == "Булакты тактаңыз 🙏"


def test_returning_without_a_note_is_refused(editor):
    story = make_article(status=Status.SUBMITTED)
    with pytest.raises(ValidationError):
        workflow.return_to_author(article=story, user=editor, note="   ")
    story.refresh_from_db()
    assert story.status == Status.SUBMITTED


def test_publish_now_sets_the_time_and_clears_the_note(editor):
    story = make_article(status=Status.SUBMITTED, review_note="old note")
    with time_machine.travel("2026-05-19 09:00:00+06:00", tick=False):
        workflow.publish(article=story, user=editor)
        assert story in Article.objects.published()
    story.refresh_from_db()
    assert story.status == Status.PUBLISHED
    assert story.published_at == datetime.fromisoformat("2026-05-19T09:00:00+06:00")
    assert story.review_note == ""
    # The sitemap's lastmod and the story's dateModified follow the step.
    assert story.updated_at == datetime.fromisoformat("2026-05-19T09:00:00+06:00")


def test_scheduled_story_is_published_with_a_future_time_and_goes_live_then(editor):
    story = make_article(status=Status.SUBMITTED)
    with time_machine.travel("2026-05-19 09:00:00+06:00", tick=False):
        at = timezone.now() + timedelta(hours=3)
        workflow.publish(article=story, user=editor, at=at)
        assert story.status == Status.PUBLISHED
        assert story in Article.objects.scheduled()
        assert story not in Article.objects.published()
    with time_machine.travel("2026-05-19 12:00:01+06:00", tick=False):
        assert story in Article.objects.published()


def test_republishing_keeps_the_first_publication_time(editor):
    first = timezone.now() - timedelta(days=3)
    story = make_article(status=Status.PUBLISHED, published_at=first)
    workflow.unpublish(article=story, user=editor)
    workflow.publish(article=story, user=editor)
    with pytest.raises(ValidationError):
        workflow.publish(article=story, user=editor, at=timezone.now() + timedelta(days=1))
    story.refresh_from_db()
    assert story.status == Status.PUBLISHED
    assert story.published_at == first


def test_rescheduling_a_story_that_never_went_live_moves_its_time(editor):
    story = make_article(status=Status.PUBLISHED, published_at=timezone.now() + timedelta(days=1))
    later = timezone.now() + timedelta(days=2)
    workflow.publish(article=story, user=editor, at=later)
    story.refresh_from_db()
    assert story.published_at == later


def test_unpublished_story_leaves_the_site(editor):
    story = make_article()
    workflow.unpublish(article=story, user=editor)
    assert story not in Article.objects.published()
    assert story.status == Status.UNPUBLISHED


def test_a_story_without_any_language_cannot_be_published(editor):
    story = make_article(status=Status.DRAFT, languages=())
    with pytest.raises(ValidationError):
        workflow.publish(article=story, user=editor)


def test_journalist_cannot_edit_own_story_once_published(journalist):
    story = make_article(created_by=journalist)
    assert workflow.may(workflow.Action.EDIT, article=story, user=journalist) is False
