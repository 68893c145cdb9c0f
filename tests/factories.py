"""Small factories for tests: plain functions with sensible defaults."""

import itertools
from datetime import timedelta

from django.contrib.auth.models import Group, User
from django.utils import timezone

from articles.models import Article, Byline, Place, Rubric, Tag, TaggedArticle
from articles.search_document import kyrgyz_document
from authors.models import Author

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


def make_author(**kwargs) -> Author:
    """A contributor without an account unless `user` is given."""
    n = next(_seq)
    defaults = {"name_ky": f"Автор {n}", "name_ru": f"Автор {n}", "kind": Author.Kind.CORRESPONDENT}
    return Author.objects.create(**(defaults | kwargs))


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
        if isinstance(author, User):
            author = Author.objects.for_user(author)
        Byline.objects.create(article=article, author=author, position=position)
    if tags:
        article.tags.add(*tags)
    return article


def make_archive(*, size: int) -> dict:
    """`size` published stories with tags (bulk-made), plus one ordinary story.

    Used to pin query counts and by the page benchmark: a page's cost must not
    grow with the archive.
    """
    rubrics = [make_rubric(slug_ky=f"rubrika-{n}", slug_ru=f"rubrika-ru-{n}") for n in range(1, 6)]
    tags = [
        Tag.objects.create(
            name_ky=f"Тег {n}", name_ru=f"Тег {n}", slug_ky=f"teg-{n}", slug_ru=f"teg-ru-{n}"
        )
        for n in range(10)
    ]
    place = make_place()
    now = timezone.now()
    stories = Article.objects.bulk_create(
        Article(
            title_ky=f"Кабар {n}",
            title_ru=f"Новость {n}",
            lead_ky="Кыскача маалымат.",
            lead_ru="Краткое содержание.",
            body_ky="<p>Бюджет жана салык тууралуу текст.</p>",
            body_ru="<p>Текст о бюджете и налогах.</p>",
            # bulk_create skips save(), which stems the Kyrgyz text for search.
            search_ky=kyrgyz_document(
                title=f"Кабар {n}",
                lead="Кыскача маалымат.",
                body="<p>Бюджет жана салык тууралуу текст.</p>",
            ),
            has_ky=True,
            has_ru=n % 3 != 0,
            slug_ky=f"kabar-{n}",
            slug_ru=f"novost-{n}",
            rubric=rubrics[n % len(rubrics)],
            place=place,
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(minutes=30 * n + 1),
            is_urgent=n % 50 == 0,
            view_count=n % 97,
            comment_count=n % 7,
        )
        for n in range(size)
    )
    TaggedArticle.objects.bulk_create(
        TaggedArticle(content_object=story, tag=tags[(n + k) % len(tags)])
        for n, story in enumerate(stories)
        for k in range(3)
    )
    authors = [make_author(kind=Author.Kind.STAFF), make_author(kind=Author.Kind.AGENCY)]
    Byline.objects.bulk_create(
        Byline(article=story, author=authors[(n + k) % 2], position=k)
        for n, story in enumerate(stories)
        for k in range(1 + n % 2)
    )
    story = make_article(
        rubric=rubrics[0], place=place, tags=tags[:3], is_main=True, authors=authors
    )
    day = timezone.localdate(stories[min(100, size - 1)].published_at)
    return {"story": story, "rubric": rubrics[0], "day": day, "author": authors[0]}
