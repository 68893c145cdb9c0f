"""The editorial workflow: draft -> submitted -> published (now or scheduled) -> unpublished.

Every step checks the acting user's permissions here, on the server, so a
forged admin request or a stray call is refused the same way as a button that
was never shown.
"""

from datetime import datetime

import reversion
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Article

PUBLISH_PERMISSION = "articles.publish_article"
EDIT_ANY_PERMISSION = "articles.edit_any_article"


def can_edit(*, article: Article, user: AbstractBaseUser) -> bool:
    """Editors edit every story; a journalist only the ones they created or sign,
    and only until an editor publishes or schedules it (corrections are the
    editors' job)."""
    if not user.is_active or not user.has_perm("articles.change_article"):
        return False
    if user.has_perm(EDIT_ANY_PERMISSION) or article.pk is None:
        return True
    if article.status == Article.Status.PUBLISHED:
        return False
    return Article.objects.accessible_to(user).filter(pk=article.pk).exists()


def can_publish(*, user: AbstractBaseUser) -> bool:
    return user.is_active and user.has_perm(PUBLISH_PERMISSION)


def _save(article: Article, fields: list[str], *, user: AbstractBaseUser, comment: str) -> Article:
    # Each step is a revision, so the history says who did it and an open form
    # knows whom it is stale against; inside an admin save it joins that revision.
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment)
        # Each save moves the optimistic lock on, so a form opened before it is stale.
        article.version += 1
        article.save(update_fields=[*fields, "version", "updated_at"])
    return article


def submit_for_review(*, article: Article, user: AbstractBaseUser) -> Article:
    if not can_edit(article=article, user=user):
        raise PermissionDenied
    if article.status not in (Article.Status.DRAFT, Article.Status.UNPUBLISHED):
        raise ValidationError(_("Only a draft can be submitted for review."), code="not_draft")
    article.status = Article.Status.SUBMITTED
    return _save(article, ["status"], user=user, comment=_("Submitted for review."))


def return_to_author(*, article: Article, user: AbstractBaseUser, note: str) -> Article:
    """Send a story back to its journalist as a draft, with the editor's note."""
    if not (can_publish(user=user) and can_edit(article=article, user=user)):
        raise PermissionDenied
    note = (note or "").strip()
    if not note:
        raise ValidationError(
            _("Write a note so the journalist knows what to change."), code="note_required"
        )
    if article.is_live:
        raise ValidationError(
            _("A published story cannot be sent back; unpublish it first."), code="published"
        )
    article.status = Article.Status.DRAFT
    article.review_note = note
    return _save(
        article,
        ["status", "review_note"],
        user=user,
        comment=_("Returned to the author: %(note)s") % {"note": note},
    )


def publish(*, article: Article, user: AbstractBaseUser, at: datetime | None = None) -> Article:
    """Publish now, or at the future time `at` (the story then goes live by itself).

    A story that has already been live keeps its first publication time: a
    correction or a republication never moves it up the front page.
    """
    if not (can_publish(user=user) and can_edit(article=article, user=user)):
        raise PermissionDenied
    if not article.languages:
        raise ValidationError(
            _("Write a title and a text in at least one language before publishing."),
            code="empty",
        )
    now = timezone.now()
    first_published = article.published_at is not None and article.published_at <= now
    if not first_published:
        article.published_at = at or now
    article.status = Article.Status.PUBLISHED
    article.review_note = ""
    comment = _("Published.") if article.is_live else _("Scheduled.")
    return _save(article, ["status", "published_at", "review_note"], user=user, comment=comment)


def unpublish(*, article: Article, user: AbstractBaseUser) -> Article:
    """Take a story off the site; its publication time is kept for a later republication."""
    if not (can_publish(user=user) and can_edit(article=article, user=user)):
        raise PermissionDenied
    article.status = Article.Status.UNPUBLISHED
    return _save(article, ["status"], user=user, comment=_("Unpublished."))
