from django import template

from comments.models import Comment

register = template.Library()


@register.inclusion_tag("comments/includes/pending_count.html", takes_context=True)
def pending_comments_count(context):
    """How many comments wait for moderation, for users allowed to moderate."""
    user = getattr(context.get("request"), "user", None) or context.get("user")
    if user is None or not user.has_perm("comments.change_comment"):
        return {"can_moderate": False}
    return {"can_moderate": True, "pending_count": Comment.objects.pending().count()}
