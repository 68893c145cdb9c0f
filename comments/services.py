"""Posting reader comments, the protections around it, and moderation.

Every change of a comment's status goes through `comments_moderate()` (or
`comments_delete()`), which also refreshes `Article.comment_count` in the same
transaction, so the count beside a story never drifts from what readers see.
"""

import ipaddress
import logging
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from articles.models import Article
from newsroom.pagecache import purge

from .models import Comment, StopWord
from .text import fold, stop_word_pattern

logger = logging.getLogger(__name__)

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
        candidate = forwarded[-proxies]
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            # Our proxy writes an address; anything else is a misconfiguration or a forgery.
            logger.warning("X-Forwarded-For entry is not an address: %r", candidate[:100])
    return request.META.get("REMOTE_ADDR", "")


def count_links(text: str) -> int:
    return len(LINK_RE.findall(text))


def matching_stop_word(text: str) -> str | None:
    """The first stop word found in `text`, however it was disguised (see comments.text)."""
    folded = fold(text)
    for word in StopWord.objects.values_list("word", flat=True):
        pattern = stop_word_pattern(word)
        if pattern is not None and pattern.search(folded):
            return word
    return None


@dataclass(frozen=True)
class FormToken:
    age: float  # seconds since the form was shown
    nonce: str  # what makes it single-use: stored with the comment it sent


def form_token(*, issued_at: float | None = None) -> str:
    """A signed note of when the form was shown, for the minimum fill time, and a
    random mark that lets the form send one comment only."""
    started = time.time() if issued_at is None else issued_at
    return signing.dumps(
        {"started": started, "nonce": secrets.token_urlsafe(12)}, salt=FORM_TOKEN_SALT
    )


def form_token_read(token: str) -> FormToken | None:
    """The token's age and mark; None when it is forged, too old or of an older kind."""
    try:
        payload = signing.loads(token, salt=FORM_TOKEN_SALT, max_age=FORM_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    started, nonce = payload.get("started"), payload.get("nonce")
    if not isinstance(started, int | float) or not isinstance(nonce, str) or not nonce:
        return None
    return FormToken(age=time.time() - started, nonce=nonce)


def form_token_used(*, nonce: str) -> bool:
    return Comment.objects.filter(form_nonce=nonce).exists()


class FormAlreadyUsed(Exception):
    """Another request stored a comment from the same form first."""


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
    form_nonce: str | None = None,
) -> Comment:
    """Store a reader's comment for moderation; stop words send it straight to spam.

    Raises FormAlreadyUsed when a comment from the same form (`form_nonce`) exists.
    """
    if parent is not None and parent.parent_id:
        # One level of replies: answering a reply joins the thread of its parent.
        parent = Comment(pk=parent.parent_id)
    status = (
        Comment.Status.SPAM if matching_stop_word(f"{name}\n{text}") else Comment.Status.PENDING
    )
    try:
        with transaction.atomic():
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
                form_nonce=form_nonce,
            )
    except IntegrityError as exc:
        if form_nonce and form_token_used(nonce=form_nonce):
            raise FormAlreadyUsed from exc
        raise


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
    article_ids = set(article_ids)
    Article.objects.filter(pk__in=article_ids).update(comment_count=Coalesce(Subquery(visible), 0))
    # The stories' pages, and every card showing their counts, are fetched anew.
    purge(f"story-{pk}" for pk in article_ids)


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
