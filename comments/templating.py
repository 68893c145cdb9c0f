"""What the public pages' templates (jinja2/) call for a story's comments."""

from django.contrib import messages
from django.utils.html import escape, urlize
from django.utils.safestring import mark_safe
from jinja2 import pass_context

from comments.forms import CommentForm
from comments.models import Comment
from newsroom.prepared import PreparedQuery


@pass_context
def comments_block(context, article):
    """A story's approved comments with their replies, then the form: one query in all.

    `comments/comments_block.html` shows it.
    """
    request = context.get("request")
    comments = approved_threads(article)
    form = None
    replying_to = None
    if article.comments_open:
        replying_to = _reply_target(request, comments)
        initial = {"parent": replying_to.pk} if replying_to else {}
        # The story page is cached whole and shared: this reader's CSRF and fill-time
        # tokens are fetched by static/js/site.js when the form is first used.
        form = CommentForm(article=article, initial=initial | {"started": ""})
    return {
        "comments": comments,
        "form": form,
        "replying_to": replying_to,
        "messages": _comment_messages(request),
    }


# Compiled once per process (newsroom.prepared).
approved_comments = PreparedQuery(
    Comment, lambda *, shape, article_id: Comment.objects.approved().filter(article_id=article_id)
)


def approved_threads(article):
    """The approved top-level comments, oldest first, each with its approved replies
    (`visible_replies`), read in one query: replies answer top-level comments."""
    threads = {}
    replies = []
    for comment in approved_comments(article_id=article.pk):
        if comment.parent_id is None:
            comment.visible_replies = []
            threads[comment.pk] = comment
        else:
            replies.append(comment)
    for reply in replies:
        if reply.parent_id in threads:
            threads[reply.parent_id].visible_replies.append(reply)
    return list(threads.values())


def _reply_target(request, comments):
    """The comment named by ?reply_to=, among those on the page; replies join their thread."""
    try:
        wanted = int(request.GET.get("reply_to", "")) if request else None
    except ValueError:
        return None
    for comment in comments:
        if comment.pk == wanted or any(reply.pk == wanted for reply in comment.visible_replies):
            return comment
    return None


def _comment_messages(request):
    if request is None or not hasattr(request, "_messages"):
        return []
    return [m for m in messages.get_messages(request) if "comment" in m.tags.split()]


def comment_text(comment):
    """A comment's plain text as HTML: escaped, line breaks kept.

    Links become clickable only when a moderator allowed it, and then carry
    rel="nofollow ugc" so the site lends them no weight.
    """
    if comment.allow_links:
        html = urlize(comment.text, nofollow=False, autoescape=True).replace(
            "<a href=", '<a rel="nofollow ugc noopener" href='
        )
    else:
        html = escape(comment.text)
    lines = html.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return mark_safe("<br>".join(lines))  # noqa: S308 - every part was escaped above


GLOBALS = {"comments_block": comments_block}
FILTERS = {"comment_text": comment_text}
