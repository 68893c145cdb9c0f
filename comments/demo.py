"""Demo comments for `load_demo`: a few approved threads in both languages, a few waiting."""

from collections.abc import Sequence
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from articles.models import Article

from .models import Comment
from .services import address_hash, comment_counts_refresh

DEMO_ADDRESS = "192.0.2.1"  # TEST-NET-1: never a real reader

# (language, name, text, status, replies as (name, text, status))
THREADS = [
    (
        "ky",
        "Айгүл",
        "Жакшы макала, рахмат! Мындай жаңылыктар көбүрөөк болсо экен.",
        Comment.Status.APPROVED,
        [("Бакыт", "Макулмун, абдан пайдалуу маалымат.", Comment.Status.APPROVED)],
    ),
    (
        "ru",
        "Сергей",
        "Спасибо за оперативную новость.\nБудем следить за развитием событий.",
        Comment.Status.APPROVED,
        [("Алина", "Присоединяюсь, хорошо написано.", Comment.Status.APPROVED)],
    ),
    ("ky", "Нурлан", "Бул маселе боюнча расмий маалымат качан чыгат?", Comment.Status.PENDING, []),
    ("ru", "Гость", "А где можно прочитать полный текст документа?", Comment.Status.PENDING, []),
]


@transaction.atomic
def load_demo_comments(*, articles: Sequence[Article]) -> int:
    """Add the demo threads to the first stories of `articles`; returns how many were created.

    Idempotent: a story that already has comments is left alone.
    """
    created = 0
    now = timezone.now()
    touched = []
    for index, article in enumerate(articles):
        # A thread is only put on a story that has the thread's language.
        threads = [thread for thread in THREADS if article.has_language(thread[0])]
        if not threads or article.comments.exists():
            continue
        language, name, text, status, replies = threads[index % len(threads)]
        posted = now - timedelta(hours=3, minutes=index * 7)
        top = Comment.objects.create(
            article=article,
            language=language,
            name=name,
            text=text,
            status=status,
            ip_hash=address_hash(DEMO_ADDRESS),
            created_at=posted,
            moderated_at=posted + timedelta(minutes=30)
            if status != Comment.Status.PENDING
            else None,
        )
        created += 1
        for offset, (reply_name, reply_text, reply_status) in enumerate(replies, start=1):
            Comment.objects.create(
                article=article,
                parent=top,
                language=language,
                name=reply_name,
                text=reply_text,
                status=reply_status,
                ip_hash=address_hash(DEMO_ADDRESS),
                created_at=posted + timedelta(minutes=10 * offset),
                moderated_at=posted + timedelta(minutes=40),
            )
            created += 1
        touched.append(article.pk)
    comment_counts_refresh(article_ids=touched)
    return created
