"""Small factories for tests: plain functions with sensible defaults."""

import itertools
from datetime import timedelta

from django.contrib.auth.models import Group, User
from django.utils import timezone

from articles.models import Article, Byline, Place, Rubric

_seq = itertools.count(1)


def make_rubric(**kwargs) -> Rubric:
    n = next(_seq)
    defaults = {
        "name_ky": f"Рубрика {n}",
        "name_ru": f"Рубрика {n}",
        "slug_ky": f"rubrika-{n}",
        "slug_ru": f"rubrika-ru-{n}",
        "position": n,
    }
    return Rubric.objects.create(**(defaults | kwargs))


def make_place(**kwargs) -> Place:
    return Place.objects.create(**({"name_ky": "Бишкек", "name_ru": "Бишкек"} | kwargs))


def make_user(username=None, *, role=None, **kwargs) -> User:
    username = username or f"user{next(_seq)}"
    user = User.objects.create_user(
        username=username, password="pass-for-tests-1", is_staff=role is not None, **kwargs
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_article(*, languages=("ky", "ru"), status=Article.Status.PUBLISHED, **kwargs) -> Article:
    """A story; published an hour ago in both languages unless told otherwise."""
    n = next(_seq)
    fields = {
        "rubric": kwargs.pop("rubric", None) or make_rubric(),
        "status": status,
        "published_at": timezone.now() - timedelta(hours=1)
        if status in (Article.Status.PUBLISHED, Article.Status.UNPUBLISHED)
        else None,
    }
    if "ky" in languages:
        fields |= {
            "title_ky": f"Кыргызча макала {n}",
            "lead_ky": "Кыскача маалымат.",
            "body_ky": "<p>Макаланын тексти.</p>",
        }
    if "ru" in languages:
        fields |= {
            "title_ru": f"Русская статья {n}",
            "lead_ru": "Краткое содержание.",
            "body_ru": "<p>Текст статьи.</p>",
        }
    authors = kwargs.pop("authors", [])
    tags = kwargs.pop("tags", [])
    article = Article.objects.create(**(fields | kwargs))
    for position, author in enumerate(authors):
        Byline.objects.create(article=article, author=author, position=position)
    if tags:
        article.tags.add(*tags)
    return article
