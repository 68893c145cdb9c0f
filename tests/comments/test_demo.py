"""Demo comments: approved threads and pending ones, loaded once."""

import pytest

from comments.demo import load_demo_comments
from comments.models import Comment
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_demo_comments_are_idempotent_and_counted():
    articles = [make_article() for _ in range(5)]
    created = load_demo_comments(articles=articles)
    assert created == Comment.objects.count() > 0
    assert Comment.objects.approved().exists()
    assert Comment.objects.pending().exists()
    assert Comment.objects.filter(parent__isnull=False).exists()
    assert set(Comment.objects.values_list("language", flat=True)) == {"ky", "ru"}
    assert load_demo_comments(articles=articles) == 0
    articles[0].refresh_from_db()
    assert articles[0].comment_count == Comment.objects.visible().for_article(articles[0]).count()
    assert articles[0].comment_count > 0
