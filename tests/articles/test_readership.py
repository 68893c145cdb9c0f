"""Reads are buffered in Redis and written in batches; without Redis, at once."""

import pytest
from django.core.cache import cache

from articles import readership
from articles.models import Article
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def redis_or_skip():
    client = readership._redis()
    if client is None:
        pytest.skip("needs Redis as the cache: set CACHE_URL=rediscache://... (CI does)")
    return client


def test_reads_are_buffered_and_written_in_one_batch(django_assert_num_queries):
    redis_or_skip()
    first, second = make_article(), make_article()
    cache.set(readership.FLUSH_LOCK, 1, timeout=60)  # a flush happened moments ago
    with django_assert_num_queries(0):
        for _ in range(5):
            readership.record_read(article_id=first.pk)
        readership.record_read(article_id=second.pk)
    assert Article.objects.get(pk=first.pk).view_count == 0

    with django_assert_num_queries(1):
        assert readership.flush_reads() == 2
    assert Article.objects.get(pk=first.pk).view_count == 5
    assert Article.objects.get(pk=second.pk).view_count == 1
    assert readership.flush_reads() == 0  # nothing counted twice


def test_the_first_read_after_the_interval_writes_the_buffer():
    redis_or_skip()
    story = make_article()
    cache.set(readership.FLUSH_LOCK, 1, timeout=60)
    readership.record_read(article_id=story.pk)
    readership.record_read(article_id=story.pk)
    cache.delete(readership.FLUSH_LOCK)  # the interval has passed
    readership.record_read(article_id=story.pk)
    assert Article.objects.get(pk=story.pk).view_count == 3


def test_a_failed_write_keeps_the_reads_for_the_next_flush(monkeypatch):
    redis_or_skip()
    story = make_article()
    cache.set(readership.FLUSH_LOCK, 1, timeout=60)
    readership.record_read(article_id=story.pk)

    def broken(counts):
        raise RuntimeError("database went away")

    monkeypatch.setattr(readership, "_write", broken)
    with pytest.raises(RuntimeError):
        readership.flush_reads()
    monkeypatch.undo()
    assert readership.flush_reads() == 1
    assert Article.objects.get(pk=story.pk).view_count == 1


def test_without_redis_each_read_is_written_at_once(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    story = make_article()
    readership.record_read(article_id=story.pk)
    readership.record_read(article_id=story.pk)
    assert Article.objects.get(pk=story.pk).view_count == 2


def test_absurd_ids_are_ignored():
    readership.record_read(article_id=0)
    readership.record_read(article_id=2**70)
    assert readership.flush_reads() == 0
