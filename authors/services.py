"""Signing stories."""

from django.contrib.auth.models import AbstractBaseUser

from articles.models import Article, Byline

from .models import Author


def sign_creator(*, article: Article, user: AbstractBaseUser) -> Byline:
    """Put `user`'s profile (made on demand) first among a new story's bylines.

    Co-authors picked in the same form keep their order after it; an editor who should
    not sign removes the byline afterwards like any other.
    """
    author = Author.objects.for_user(user)
    own = article.bylines.filter(author=author).first()
    if own is not None:
        return own
    others = list(article.bylines.order_by("position", "id"))
    for position, byline in enumerate(others, start=1):
        byline.position = position
    Byline.objects.bulk_update(others, ["position"])
    return Byline.objects.create(article=article, author=author, position=0)
