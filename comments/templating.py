"""What the public pages' templates (jinja2/) call for a story's comments."""

import functools

from django.contrib import messages
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.html import escape, urlize
from django.utils.safestring import mark_safe
from jinja2 import pass_context
from markupsafe import Markup

from comments.forms import CommentForm
from comments.models import Comment
from newsroom.prepared import PreparedQuery


@pass_context
def comments_block(context, article):
    """A story's approved comments with their replies, then the form: one query in all.

    `comments/comments_block.html` shows it.
    """
    request = context.get("request")
    # The count is of the comments readers see, kept with every moderation
    # (services.comment_counts_refresh): a story nobody has commented on, most of
    # them, asks the database nothing.
    comments = approved_threads(article) if article.comment_count else []
    form = form_html = None
    replying_to = None
    if article.comments_open:
        replying_to = _reply_target(request, comments)
        if replying_to is None:
            form_html = blank_form_html(context.environment, article.pk)
        else:
            # The story page is cached whole and shared: this reader's CSRF and
            # fill-time tokens are fetched by static/js/site.js when the form is used.
            form = CommentForm(article=article, initial={"parent": replying_to.pk, "started": ""})
    return {
        "comments": comments,
        "form": form,
        "form_html": form_html,
        "replying_to": replying_to,
        "messages": _comment_messages(request),
    }


FORM_TEMPLATE = "comments/includes/comment_form.html"
# A story id no story has, put where the story's own goes.
_PLACEHOLDER_ID = 2_147_480_001


def blank_form_html(environment, article_id: int):
    """The empty comment form of a story page (`FORM_TEMPLATE`, tokens left to the
    browser): the same HTML for every story but the story's number in its address."""
    before, after = _blank_form(environment, translation.get_language(), get_script_prefix())
    # The template's own escaped output, and a number.
    return Markup(f"{before}{int(article_id)}{after}")  # noqa: S704


@functools.lru_cache(maxsize=16)
def _blank_form(environment, language, script_prefix) -> tuple[str, str]:
    """Rendered once per language and process: nothing in it but the code and the
    catalogs, which do not change while the process runs. (The address is split at the
    placeholder, as newsroom.addresses splits a slug's.)"""

    class Placeholder:
        pk = _PLACEHOLDER_ID

    form = CommentForm(article=Placeholder, initial={"started": ""})
    html = environment.get_template(FORM_TEMPLATE).render(
        form=form, article=Placeholder, replying_to=None, deferred_tokens=True
    )
    before, found, after = html.partition(str(_PLACEHOLDER_ID))
    assert found and str(_PLACEHOLDER_ID) not in after, html  # noqa: S101
    return before, after


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
