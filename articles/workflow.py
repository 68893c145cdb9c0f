"""The editorial workflow of a story, in one table.

    state x action -> who may do it, and the state it leaves the story in

Everything that moves or shows a story asks this module and nothing else: the
admin's buttons, the story form's validation, the bulk actions, restore, recover
and the reader's preview. Each action checks permission itself (as Wagtail's
`wagtail/actions/` do), so a forged request meets the same refusal as a button
that was never shown, and every refusal is logged.

An action changes the story in memory (`apply`), the caller saves it once; the
standalone functions (`publish`, `unpublish`, ...) do both and record the step.
"""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import reversion
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, pgettext_lazy

from .models import LANGUAGE_CODES, Article, has_text

logger = logging.getLogger(__name__)

PUBLISH_PERMISSION = "articles.publish_article"
EDIT_ANY_PERMISSION = "articles.edit_any_article"
LIFT_EMBARGO_PERMISSION = "articles.lift_embargo"

Status = Article.Status


class State:
    """Where a story stands. `scheduled` and `live` are both stored as published."""

    NEW = "new"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SCHEDULED = "scheduled"
    LIVE = "live"
    UNPUBLISHED = "unpublished"
    DELETED = "deleted"


STATE_LABELS = {
    State.NEW: pgettext_lazy("story state", "new"),
    State.DRAFT: pgettext_lazy("story state", "draft"),
    State.SUBMITTED: pgettext_lazy("story state", "submitted for review"),
    State.SCHEDULED: pgettext_lazy("story state", "scheduled"),
    State.LIVE: pgettext_lazy("story state", "published"),
    State.UNPUBLISHED: pgettext_lazy("story state", "unpublished"),
    State.DELETED: pgettext_lazy("story state", "deleted"),
}


def state_of(article: Article | None) -> str:
    if article is None or article.pk is None:
        return State.NEW
    if article.status == Status.PUBLISHED:
        return State.LIVE if article.is_live else State.SCHEDULED
    return article.status


# Who: the roles, as the permissions the groups carry.


def is_editor(user: AbstractBaseUser) -> bool:
    return user.is_active and user.has_perm(PUBLISH_PERMISSION)


def _is_desk(user: AbstractBaseUser) -> bool:
    return user.is_active and user.has_perm("articles.change_article")


def _writes(user: AbstractBaseUser, article: Article | None) -> bool:
    """Editors write on any story; a journalist on a story they created or sign."""
    if not _is_desk(user):
        return False
    if user.has_perm(EDIT_ANY_PERMISSION) or article is None or article.pk is None:
        return True
    return Article.objects.accessible_to(user).filter(pk=article.pk).exists()


def _edits(user, article):
    # Once a story is published or scheduled, corrections are the editors' job.
    if state_of(article) in (State.LIVE, State.SCHEDULED):
        return _is_desk(user) and user.has_perm(EDIT_ANY_PERMISSION)
    return _writes(user, article)


def _publishes(user, article):
    return is_editor(user) and _writes(user, article)


def _lifts_embargo(user, article):
    return _publishes(user, article) and user.has_perm(LIFT_EMBARGO_PERMISSION)


def _recovers(user, article):
    return (
        is_editor(user)
        and user.has_perm(EDIT_ANY_PERMISSION)
        and user.has_perm("articles.add_article")
    )


# The table.


class Action:
    EDIT = "edit"
    SUBMIT = "submit"
    RETURN = "return"
    PUBLISH = "publish"
    SCHEDULE = "schedule"
    UNPUBLISH = "unpublish"
    RESTORE = "restore"
    RECOVER = "recover"
    PREVIEW = "preview"
    LIFT_EMBARGO = "lift_embargo"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    who: Callable[[AbstractBaseUser, Article | None], bool]
    # The stored status afterwards; None leaves it as it is.
    target: str | None


_NOT_LIVE = frozenset({State.NEW, State.DRAFT, State.SUBMITTED, State.SCHEDULED, State.UNPUBLISHED})
_EXISTING = frozenset(
    {State.DRAFT, State.SUBMITTED, State.SCHEDULED, State.LIVE, State.UNPUBLISHED}
)

TRANSITIONS: dict[str, Transition] = {
    Action.EDIT: Transition(_EXISTING | {State.NEW}, _edits, None),
    Action.SUBMIT: Transition(
        frozenset({State.NEW, State.DRAFT, State.UNPUBLISHED}), _edits, Status.SUBMITTED
    ),
    # Back to the journalist from anything not yet in front of readers.
    Action.RETURN: Transition(
        frozenset({State.SUBMITTED, State.SCHEDULED, State.UNPUBLISHED}), _publishes, Status.DRAFT
    ),
    # From a live story, "publish" saves a correction and keeps it published.
    Action.PUBLISH: Transition(_NOT_LIVE | {State.LIVE}, _publishes, Status.PUBLISHED),
    Action.SCHEDULE: Transition(_NOT_LIVE, _publishes, Status.PUBLISHED),
    Action.UNPUBLISH: Transition(
        frozenset({State.LIVE, State.SCHEDULED}), _publishes, Status.UNPUBLISHED
    ),
    # Brings back an earlier text; the story stays where it is in the workflow.
    Action.RESTORE: Transition(_EXISTING, _edits, None),
    Action.RECOVER: Transition(frozenset({State.DELETED}), _recovers, Status.DRAFT),
    # Readers see live stories; a story that is not live only those who may edit it.
    Action.PREVIEW: Transition(_EXISTING - {State.LIVE}, _edits, None),
    # Ending an embargo before its time: a senior editor's decision, on the record.
    # (An embargo is never in force on a live story: it is refused there.)
    Action.LIFT_EMBARGO: Transition(_EXISTING - {State.LIVE}, _lifts_embargo, None),
}

# The admin's submit buttons, in the order they are shown.
BUTTONS = {
    Action.SUBMIT: "_submit_for_review",
    Action.PUBLISH: "_publish",
    Action.SCHEDULE: "_schedule",
    Action.RETURN: "_return_to_author",
    Action.UNPUBLISH: "_unpublish",
}


def button_label(action: str, article: Article | None) -> str:
    if action == Action.PUBLISH and state_of(article) == State.LIVE:
        return gettext("Save and keep published")
    return {
        Action.SUBMIT: gettext("Save and submit for review"),
        Action.PUBLISH: gettext("Save and publish now"),
        Action.SCHEDULE: gettext("Save and schedule"),
        Action.RETURN: gettext("Save and return to the author"),
        Action.UNPUBLISH: gettext("Save and unpublish"),
    }[action]


def action_from_post(data) -> str:
    """The workflow action a posted story form asks for; a plain save is an edit."""
    for action, name in BUTTONS.items():
        if name in data:
            return action
    return Action.EDIT


# Asking the table.


def can(action: str, *, article: Article | None, user: AbstractBaseUser, state=None) -> bool:
    transition = TRANSITIONS[action]
    return (state or state_of(article)) in transition.sources and transition.who(user, article)


def may(action: str, *, article: Article | None, user: AbstractBaseUser) -> bool:
    """Whether the role allows `user` this action on this story, whatever its state."""
    return TRANSITIONS[action].who(user, article)


def available(*, article: Article | None, user: AbstractBaseUser) -> list[str]:
    """The buttons to show: every action the table allows now."""
    return [action for action in BUTTONS if can(action, article=article, user=user)]


def refuse(action: str, *, article: Article | None, user: AbstractBaseUser, reason: str) -> None:
    """Log a refused request: buttons are never shown for these, so it was forged or replayed."""
    logger.warning(
        "Refused story action %r on story %s by user %s: %s",
        action,
        getattr(article, "pk", None),
        getattr(user, "pk", None),
        reason,
    )


def authorize(action: str, *, article: Article | None, user: AbstractBaseUser) -> None:
    """PermissionDenied unless the role allows `user` this action on this story."""
    if not may(action, article=article, user=user):
        refuse(action, article=article, user=user, reason="role")
        raise PermissionDenied(gettext("You may not do this with this story."))


# The embargo the story has stored, when the caller does not bring a new one.
STORED = object()


def validate(
    action: str,
    *,
    article: Article | None,
    user: AbstractBaseUser,
    languages: list[str] | None = None,
    note: str = "",
    at: datetime | None = None,
    embargo: datetime | None | object = STORED,
) -> None:
    """ValidationError, with localized messages keyed by field, if the action cannot
    run now. `languages` are the languages the story will have after the save,
    `embargo` the embargo it will have (the stored one unless given)."""
    state = state_of(article)
    if state not in TRANSITIONS[action].sources:
        refuse(action, article=article, user=user, reason=f"state {state}")
        raise ValidationError(
            gettext("This step is not possible now. The story is: %(state)s.")
            % {"state": STATE_LABELS[state]},
            code="not_available",
        )
    errors = {}
    if languages is None and article is not None:
        # From the fields, not has_<code>: those are derived only when saved.
        languages = [
            code
            for code in LANGUAGE_CODES
            if has_text(
                title=getattr(article, f"title_{code}", ""),
                body=getattr(article, f"body_{code}", ""),
            )
        ]
    if action in (Action.PUBLISH, Action.SCHEDULE) and not languages:
        errors["__all__"] = gettext(
            "Write a title and a text in at least one language before publishing."
        )
    before = article.embargo_until if article is not None else None
    if embargo is STORED:
        embargo = before
    at = schedule_time(action, at=at, embargo=embargo)
    if action == Action.SCHEDULE and (at is None or at <= timezone.now()):
        errors["publish_at"] = gettext("Choose a time in the future to schedule.")
    errors |= _embargo_errors(
        action, article=article, user=user, state=state, before=before, after=embargo, at=at
    )
    if action == Action.LIFT_EMBARGO and not (before and before > timezone.now()):
        errors["embargo_until"] = gettext("This story is not under embargo.")
    if action == Action.RETURN and not (note or "").strip():
        errors["review_note"] = gettext("Write a note so the journalist knows what to change.")
    if errors:
        raise ValidationError(errors)


def schedule_time(action: str, *, at: datetime | None, embargo: datetime | None):
    """The time a story is scheduled for: the one chosen, else (the editor set an
    embargo and pressed "Schedule" without a time) the embargo's end."""
    if action == Action.SCHEDULE and at is None and embargo and embargo > timezone.now():
        return embargo
    return at


def embargo_changed(before: datetime | None, after: datetime | None) -> bool:
    """Whether the embargo moved: the form's time has no seconds, so a stored time
    sent back as it was shown is not a change."""
    if before is None or after is None:
        return before is not after
    return abs(after - before) >= timedelta(minutes=1)


def _embargo_errors(action, *, article, user, state, before, after, at) -> dict:
    """What an embargo forbids: publishing before it ends, and setting one on a story
    readers already have. Only a senior editor may end one early."""
    now = timezone.now()
    errors = {}
    if embargo_changed(before, after):
        if after is not None and after <= now:
            errors["embargo_until"] = gettext(
                "The embargo must end in the future. Choose a later time or leave it empty."
            )
        elif after is not None and state == State.LIVE:
            errors["embargo_until"] = gettext(
                "Readers already see this story: an embargo can only be set before publication."
            )
        elif before is not None and before > now and (after is None or after < before):
            if not may(Action.LIFT_EMBARGO, article=article, user=user):
                refuse(Action.LIFT_EMBARGO, article=article, user=user, reason="role")
                errors["embargo_until"] = gettext(
                    "Only a senior editor may lift an embargo or shorten it."
                )
    if errors or after is None or after <= now:
        return errors
    until = _when(after.isoformat())
    if action == Action.PUBLISH and state != State.LIVE:
        errors["__all__"] = gettext(
            "This story is under embargo until %(time)s. Schedule it for that time or later."
        ) % {"time": until}
    elif action == Action.SCHEDULE and at is not None and at < after:
        errors["publish_at"] = gettext(
            "This story is under embargo until %(time)s. Schedule it for that time or later."
        ) % {"time": until}
    elif (
        action == Action.EDIT
        and state == State.SCHEDULED
        and article.published_at is not None
        and article.published_at < after
    ):
        errors["embargo_until"] = gettext(
            "The story is scheduled for %(time)s, before this embargo ends. Schedule it "
            "again for the embargo's end or later."
        ) % {"time": _when(article.published_at.isoformat())}
    return errors


def check(action: str, *, article: Article | None, user: AbstractBaseUser, **inputs) -> None:
    authorize(action, article=article, user=user)
    validate(action, article=article, user=user, **inputs)


# Doing it.


def apply(
    action: str,
    *,
    article: Article,
    user: AbstractBaseUser,
    note: str = "",
    at: datetime | None = None,
) -> dict | None:
    """Check the action and make its change on `article`, unsaved.

    Returns the history entry describing the step (None for a plain edit).
    """
    check(action, article=article, user=user, note=note, at=at)
    transition = TRANSITIONS[action]
    if action == Action.EDIT:
        return None
    at = schedule_time(action, at=at, embargo=article.embargo_until)
    if action == Action.LIFT_EMBARGO:
        entry = step_entry(action, article=article, until=article.embargo_until.isoformat())
        article.embargo_until = None
        return entry
    if action in (Action.PUBLISH, Action.SCHEDULE):
        # A story that has been live keeps its first publication time: a
        # correction or a republication never moves it up the front page.
        now = timezone.now()
        if not (article.published_at is not None and article.published_at <= now):
            article.published_at = at if action == Action.SCHEDULE else now
        article.review_note = ""
    if action == Action.RETURN:
        article.review_note = note.strip()
    if action == Action.RECOVER:
        article.published_at = None
    if transition.target is not None:
        article.status = transition.target
    return step_entry(action, article=article, note=note)


def step_entry(action: str, *, article: Article, note: str = "", **extra) -> dict:
    """The history entry of a step, stored as data so it is worded when read,
    in the reader's language (see `describe`)."""
    step = action
    if action in (Action.PUBLISH, Action.SCHEDULE):
        step = "scheduled" if article.is_scheduled else "published"
    entry = {"step": step, **extra}
    if step == "scheduled":
        entry["at"] = article.published_at.isoformat()
    if action == Action.RETURN:
        entry["note"] = note.strip()
    return {"workflow": entry}


def _run(action: str, *, article: Article, user: AbstractBaseUser, **inputs) -> Article:
    with transaction.atomic():
        # Lock the row: two editors pressing at once act one after the other.
        current = Article.objects.select_for_update().filter(pk=article.pk).first()
        if current is None:
            refuse(action, article=article, user=user, reason="deleted")
            raise ValidationError(gettext("The story was deleted meanwhile."), code="deleted")
        article.refresh_from_db()
        entry = apply(action, article=article, user=user, **inputs)
        with reversion.create_revision():
            reversion.set_user(user)
            reversion.set_comment(json.dumps([entry]))
            # Each save moves the optimistic lock on, so a form opened before it is stale.
            article.version += 1
            article.save(
                update_fields=[
                    "status",
                    "published_at",
                    "embargo_until",
                    "review_note",
                    "version",
                    "updated_at",
                ]
            )
        LogEntry.objects.log_actions(
            user_id=user.pk,
            queryset=[article],
            action_flag=CHANGE,
            change_message=[entry],
            single_object=True,
        )
        notify_authors(article=article, user=user, entry=entry)
    return article


def submit_for_review(*, article: Article, user: AbstractBaseUser) -> Article:
    return _run(Action.SUBMIT, article=article, user=user)


def return_to_author(*, article: Article, user: AbstractBaseUser, note: str) -> Article:
    """Send a story back to its journalist as a draft, with the editor's note."""
    return _run(Action.RETURN, article=article, user=user, note=note)


def publish(*, article: Article, user: AbstractBaseUser, at: datetime | None = None) -> Article:
    """Publish now, or at the future time `at` (the story then goes live by itself)."""
    action = Action.SCHEDULE if at is not None else Action.PUBLISH
    return _run(action, article=article, user=user, at=at)


def lift_embargo(*, article: Article, user: AbstractBaseUser) -> Article:
    """End a story's embargo now; it may then be published. Recorded in its history."""
    return _run(Action.LIFT_EMBARGO, article=article, user=user)


def embargo_entry(*, before: datetime | None, after: datetime | None) -> dict | None:
    """The history entry of an embargo set, moved or lifted in the story form."""
    if not embargo_changed(before, after):
        return None
    now = timezone.now()
    if after is None or after <= now:
        if before is not None and before > now:
            return {"workflow": {"step": Action.LIFT_EMBARGO, "until": before.isoformat()}}
        return None
    return {"workflow": {"step": "embargo", "until": after.isoformat()}}


def unpublish(*, article: Article, user: AbstractBaseUser) -> Article:
    """Take a story off the site; its publication time is kept for a later republication."""
    return _run(Action.UNPUBLISH, article=article, user=user)


# Restore and recover go through the admin's form; these say what they keep.


def kept_on_restore(article: Article) -> dict:
    """What a restored version leaves as it is: where the story stands in the
    workflow, what readers did meanwhile, its lock and, once public, its URL."""
    kept = {
        name: getattr(article, name)
        for name in (
            "status",
            "published_at",
            "embargo_until",
            "review_note",
            "view_count",
            "comment_count",
        )
    }
    kept |= {"version": article.version, "created_by_id": article.created_by_id}
    for code in LANGUAGE_CODES:
        if article.slug_locked_in(code):
            kept[f"slug_{code}"] = getattr(article, f"slug_{code}")
    return kept


def recovered_state() -> dict:
    return {"status": TRANSITIONS[Action.RECOVER].target, "published_at": None, "review_note": ""}


# The history, in words.


def describe(change_message: str) -> str:
    """A LogEntry or revision comment, in the active language.

    Django's own JSON parts (changed fields) are worded by Django; our workflow
    parts here. Plain text (older entries) is shown as it was written.
    """
    if not change_message or change_message[0] != "[":
        return change_message or ""
    try:
        parts = json.loads(change_message)
    except json.JSONDecodeError:
        return change_message
    words = [_describe_step(part["workflow"]) for part in parts if "workflow" in part]
    django_parts = [part for part in parts if "workflow" not in part]
    if django_parts or not words:
        words.append(LogEntry(change_message=json.dumps(django_parts)).get_change_message())
    return " ".join(word for word in words if word)


def _when(value: str) -> str:
    moment = timezone.localtime(datetime.fromisoformat(value))
    return formats.date_format(moment, "DATETIME_FORMAT")


def _describe_step(entry: dict) -> str:
    step = entry.get("step")
    if step == Action.SUBMIT:
        return gettext("Submitted for review.")
    if step == Action.RETURN:
        return gettext("Returned to the author: %(note)s") % {"note": entry.get("note", "")}
    if step == "scheduled":
        return gettext("Scheduled for %(time)s.") % {"time": _when(entry["at"])}
    if step == "published":
        return gettext("Published.")
    if step == Action.UNPUBLISH:
        return gettext("Unpublished.")
    if step == Action.RESTORE:
        return gettext("Restored from the version of %(time)s.") % {"time": _when(entry["from"])}
    if step == Action.RECOVER:
        return gettext("Recovered after deletion, as a draft.")
    if step == "embargo":
        return gettext("Under embargo until %(time)s.") % {"time": _when(entry["until"])}
    if step == Action.LIFT_EMBARGO:
        return gettext("Embargo lifted early (it was to last until %(time)s).") % {
            "time": _when(entry["until"])
        }
    return ""


# Telling the journalist.


def authors_to_notify(*, article: Article, user: AbstractBaseUser) -> list[str]:
    people = {
        byline.author.user
        for byline in article.bylines.select_related("author__user")
        if byline.author.user is not None
    }
    if article.created_by is not None:
        people.add(article.created_by)
    return sorted(
        person.email for person in people if person.email and person.is_active and person != user
    )


def notify_authors(*, article: Article, user: AbstractBaseUser, entry: dict | None) -> None:
    """E-mail the story's journalists when it is returned or published (or scheduled),
    once the save is committed; NEWSROOM_NOTIFY_AUTHORS=0 turns this off."""
    step = (entry or {}).get("workflow", {}).get("step")
    if not settings.NEWSROOM_NOTIFY_AUTHORS or step not in (
        Action.RETURN,
        "published",
        "scheduled",
    ):
        return
    recipients = authors_to_notify(article=article, user=user)
    if not recipients:
        return
    message_parts, subjects = [], []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            subjects.append(_mail_subject(step, article))
            message_parts.append(_mail_body(step, article, entry["workflow"], user))
    subject = " / ".join(dict.fromkeys(subjects))
    body = "\n\n-----\n\n".join(message_parts)
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients, fail_silently=True))


def _mail_subject(step: str, article: Article) -> str:
    title = str(article)
    if step == Action.RETURN:
        return gettext("Your story was returned: %(title)s") % {"title": title}
    if step == "scheduled":
        return gettext("Your story is scheduled: %(title)s") % {"title": title}
    return gettext("Your story is published: %(title)s") % {"title": title}


def _mail_body(step: str, article: Article, entry: dict, user: AbstractBaseUser) -> str:
    who = user.get_full_name() or user.get_username()
    title = getattr(article, f"title_{translation.get_language()}", "") or str(article)
    if step == Action.RETURN:
        return gettext(
            "%(who)s returned your story “%(title)s” with this note:\n\n%(note)s\n\n"
            "Open it in the admin, change it and submit it again."
        ) % {"who": who, "title": title, "note": entry.get("note", "")}
    if step == "scheduled":
        return gettext("%(who)s scheduled your story “%(title)s” for %(time)s.") % {
            "who": who,
            "title": title,
            "time": _when(entry["at"]),
        }
    return gettext("%(who)s published your story “%(title)s”.") % {"who": who, "title": title}
