"""Shared helpers for the comments tests."""

import time

from django.urls import reverse
from django.utils import translation

from comments.services import form_token


def old_token(seconds_ago: float = 60) -> str:
    """A form token as if the form had been shown `seconds_ago`."""
    return form_token(issued_at=time.time() - seconds_ago)


def post_url(article, language="ky") -> str:
    with translation.override(language):
        return reverse("comments:post", kwargs={"article_id": article.pk})


def story_url(article, language="ky") -> str:
    with translation.override(language):
        return article.get_absolute_url()


def post_comment(client, article, language="ky", ip="203.0.113.5", headers=None, **data):
    form = {
        "name": "Асель",
        "email": "",
        "text": "Жакшы макала.",
        "started": old_token(),
        "website": "",
    } | data
    return client.post(post_url(article, language), form, REMOTE_ADDR=ip, headers=headers)
