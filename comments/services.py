"""Posting reader comments, the protections around it, and moderation.

Every change of a comment's status goes through `comments_moderate()` (or
`comments_delete()`), which also refreshes `Article.comment_count` in the same
transaction, so the count beside a story never drifts from what readers see.
"""

import re
import time
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from articles.models import Article

from .models import Comment, StopWord

# Limits, each overridable in settings for a busier or quieter site.
RATE_LIMIT = getattr(settings, "COMMENTS_RATE_LIMIT", 5)
RATE_WINDOW_SECONDS = getattr(settings, "COMMENTS_RATE_WINDOW_SECONDS", 10 * 60)
MAX_LINKS = getattr(settings, "COMMENTS_MAX_LINKS", 2)
MIN_FILL_SECONDS = getattr(settings, "COMMENTS_MIN_FILL_SECONDS", 3)
# A form left open longer than this is stale: the reader is asked to send it again.
FORM_MAX_AGE_SECONDS = getattr(settings, "COMMENTS_FORM_MAX_AGE_SECONDS", 24 * 60 * 60)

# A namespace for the signature, not a secret: the key is SECRET_KEY.
FORM_TOKEN_SALT = "comments.form-started"  # noqa: S105
LINK_RE = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)\S+"
    r"|\b[\w-]+\.(?:com|net|org|info|biz|ru|kg|kz|uz|xyz|top|site|online|io|me|ly)\b",
    re.IGNORECASE,
)


def address_hash(ip: str) -> str:
    """A salted SHA-256 of the reader's address: stable for rate limits, useless to identify.

    The salt comes from SECRET_KEY, so the hashes cannot be reversed by trying
    all four billion IPv4 addresses without it.
    """
    return salted_hmac("comments.address", ip or "", algorithm="sha256").hexdigest()


def client_address(request: HttpRequest) -> str:
    """The reader's address: REMOTE_ADDR, or the proxies' X-Forwarded-For entry.

    Only the entry our own proxies appended is trusted; anything further left
    could have been typed by the reader.
    """
    proxies = settings.NEWSROOM_PROXY_COUNT
    forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def count_links(text: str) -> int:
    return len(LINK_RE.findall(text))


def matching_stop_word(text: str) -> str | None:
    """The first stop word found in `text` as a whole word or phrase, in any case."""
    folded = StopWord.normalize(text)
    for word in StopWord.objects.values_list("word", flat=True):
        phrase = StopWord.normalize(word)
        if phrase and re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", folded):
            return word
    return None


def form_token() -> str:
    """A signed note of when the form was shown, for the minimum fill time."""
    return signing.dumps(time.time(), salt=FORM_TOKEN_SALT)


def form_token_age(token: str) -> float | None:
    """Seconds since `token` was issued; None when it is forged or too old."""
    try:
        started = signing.loads(token, salt=FORM_TOKEN_SALT, max_age=FORM_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    if not isinstance(started, int | float):
        return None
    return time.time() - started


def rate_limit_take(*, ip_hash: str) -> bool:
    """Count one comment from this address; False once it is over the limit.

    A fixed window kept in the cache: with Redis the counter is shared by every
    process, and `incr` is atomic, so parallel requests cannot slip through.
    While the cache is down the comments stored in the window are counted instead.
    """
    count = _cache_count(key=f"comments:rate:{ip_hash}")
    if count is None:
        since = timezone.now() - timedelta(seconds=RATE_WINDOW_SECONDS)
        count = Comment.objects.from_address(ip_hash).filter(created_at__gte=since).count() + 1
    return count <= RATE_LIMIT


def _cache_count(*, key: str) -> int | None:
    """Add one to the window's counter; None when the cache cannot count.

    A failing Redis answers None instead of raising (IGNORE_EXCEPTIONS, see
    docs/configuration.md), as every cache that ignores its errors does.
    """
    cache.add(key, 0, timeout=RATE_WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:
        # The window expired between add() and incr(): this is its first comment.
        cache.set(key, 1, timeout=RATE_WINDOW_SECONDS)
        return 1


def comment_create(
    *,
    article: Article,
    language: str,
    name: str,
    email: str,
    text: str,
    parent: Comment | None = None,
    ip: str,
    user_agent: str = "",
) -> Comment:
    """Store a reader's comment for moderation; stop words send it straight to spam."""
    if parent is not None and parent.parent_id:
        # One level of replies: answering a reply joins the thread of its parent.
        parent = Comment(pk=parent.parent_id)
    status = (
        Comment.Status.SPAM if matching_stop_word(f"{name}\n{text}") else Comment.Status.PENDING
    )
    return Comment.objects.create(
        article=article,
        parent=parent,
        language=language,
        name=name,
        email=email,
        text=text,
        status=status,
        many_links=count_links(text) > MAX_LINKS,
        ip_hash=address_hash(ip),
        user_agent=user_agent[:255],
    )


def _lock_articles(article_ids: Iterable[int]) -> list[int]:
    """Lock the stories' rows so concurrent moderations recount one after another."""
    return list(
        Article.objects.select_for_update()
        .filter(pk__in=set(article_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def comment_counts_refresh(*, article_ids: Iterable[int]) -> None:
    """Recount the visible comments of these stories in one UPDATE."""
    visible = (
        Comment.objects.visible()
        .filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Article.objects.filter(pk__in=set(article_ids)).update(
        comment_count=Coalesce(Subquery(visible), 0)
    )


@transaction.atomic
def comments_moderate(*, comments: QuerySet, status: str, user) -> int:
    """Give `comments` a new status, note who did it and when, and refresh the counts.

    Comments already in that status keep their original moderation record.
    Nothing is deleted: a rejected comment or spam keeps its text.
    Returns how many comments changed.
    """
    changing = comments.exclude(status=status)
    article_ids = _lock_articles(changing.values_list("article_id", flat=True))
    changed = Comment.objects.filter(pk__in=list(changing.values_list("pk", flat=True))).update(
        status=status, moderated_by=user, moderated_at=timezone.now()
    )
    comment_counts_refresh(article_ids=article_ids)
    return changed


def _moderate_one(comment: Comment, status: str, user) -> Comment:
    comments_moderate(comments=Comment.objects.filter(pk=comment.pk), status=status, user=user)
    comment.refresh_from_db()
    return comment


def comment_approve(*, comment: Comment, user) -> Comment:
    return _moderate_one(comment, Comment.Status.APPROVED, user)


def comment_reject(*, comment: Comment, user) -> Comment:
    return _moderate_one(comment, Comment.Status.REJECTED, user)


def comment_mark_spam(*, comment: Comment, user) -> Comment:
    return _moderate_one(comment, Comment.Status.SPAM, user)


@transaction.atomic
def comments_delete(*, comments: QuerySet) -> int:
    """Delete comments (their replies go with them) and refresh the counts."""
    article_ids = _lock_articles(comments.values_list("article_id", flat=True))
    deleted, _per_model = Comment.objects.filter(
        pk__in=list(comments.values_list("pk", flat=True))
    ).delete()
    comment_counts_refresh(article_ids=article_ids)
    return deleted
