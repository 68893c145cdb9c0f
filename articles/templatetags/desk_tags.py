"""The editors' desk in the admin: the history in words and the hand-offs on the front page."""

from django import template
from django.contrib.auth.models import AnonymousUser

from articles import workflow
from articles.models import Article

register = template.Library()

DESK_LIST_LENGTH = 10


@register.filter
def story_history(change_message):
    """A revision comment or admin log message, worded in the reader's language."""
    return workflow.describe(change_message or "")


@register.inclusion_tag("admin/articles/includes/desk.html", takes_context=True)
def newsroom_desk(context):
    """What waits for the person at the desk: a journalist's returned and submitted
    stories, an editor's queue of submitted and scheduled ones."""
    request = context.get("request")
    user = getattr(request, "user", None) or AnonymousUser()
    if not user.is_active or not user.has_perm("articles.change_article"):
        return {"boxes": []}
    stories = Article.objects.select_related("rubric").order_by("-updated_at")
    if workflow.is_editor(user):
        boxes = [
            ("submitted", stories.submitted(), "?status__exact=submitted"),
            ("scheduled", stories.scheduled().order_by("published_at"), None),
        ]
    else:
        mine = stories.by_author(user)
        boxes = [
            ("returned", mine.returned(), None),
            ("waiting", mine.submitted(), "?status__exact=submitted"),
        ]
    return {
        "boxes": [
            {
                "kind": kind,
                "count": queryset.count(),
                "stories": list(queryset[:DESK_LIST_LENGTH]),
                "filter": query,
            }
            for kind, queryset, query in boxes
        ]
    }
