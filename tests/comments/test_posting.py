"""Readers post comments; every kind of bad input gets a clear answer and changes nothing."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from articles.models import Article
from comments import services
from comments.models import Comment, StopWord
from tests.factories import make_article

from .helpers import old_token, post_comment, post_url, story_url

pytestmark = pytest.mark.django_db


def test_a_comment_is_stored_pending_and_the_reader_returns_to_the_story(client):
    """PRG: the comment waits for moderation; the story page says so in Kyrgyz, form empty."""
    article = make_article()
    response = post_comment(client, article, text="Биринчи пикир\nэкинчи сап", email="a@b.kg")

    assert response.status_code == 302
    assert response["Location"] == story_url(article) + "#comments"
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.language == "ky"
    assert comment.text == "Биринчи пикир\nэкинчи сап"
    assert comment.email == "a@b.kg"
    page = client.get(response["Location"]).content.decode()
    assert "Пикириңиз модератор текшергенден кийин көрүнөт" in page
    assert "Биринчи пикир" not in page  # not approved yet
    article.refresh_from_db()
    assert article.comment_count == 0


def test_russian_page_gets_a_russian_message(client):
    article = make_article()
    response = post_comment(client, article, "ru", text="Отличная статья")
    page = client.get(response["Location"]).content.decode()
    assert "Ваш комментарий появится после проверки модератором" in page
    assert Comment.objects.get().language == "ru"


def test_the_address_is_stored_only_as_a_salted_hash(client):
    article = make_article()
    post_comment(client, article, ip="198.51.100.7")
    comment = Comment.objects.get()
    assert "198.51.100.7" not in comment.ip_hash
    assert len(comment.ip_hash) == 64
    assert comment.ip_hash == services.address_hash("198.51.100.7")
    assert comment.ip_hash != services.address_hash("198.51.100.8")


@pytest.mark.parametrize(
    ("language", "message"),
    [("ky", "Сураныч, атыңызды жазыңыз."), ("ru", "Пожалуйста, укажите ваше имя.")],
)
def test_errors_sit_next_to_the_field_in_the_readers_language_and_keep_the_text(
    client, language, message
):
    article = make_article()
    response = post_comment(client, article, language, name="  ", text="Сактала турган текст")

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    # The message belongs to the name field, and the typed text is still in the form.
    assert 'id="id_name_errors"' in page
    assert 'aria-describedby="id_name_errors"' in page
    assert 'aria-invalid="true"' in page
    assert "Сактала турган текст</textarea>" in page
    assert not Comment.objects.exists()


def test_kyrgyz_form_page_never_shows_russian_labels(client):
    article = make_article()
    page = post_comment(client, article, "ky", text="").content.decode()
    assert "Сураныч, пикириңизди жазыңыз." in page
    assert "Пикир калтыруу" in page
    assert "Оставить комментарий" not in page


def test_too_long_text_and_name_are_refused_with_the_limit(client):
    article = make_article()
    page = post_comment(client, article, "ru", name="я" * 81, text="б" * 3001).content.decode()
    assert "не более 80 символов" in page
    assert "не более 3000 символов" in page
    assert not Comment.objects.exists()


def test_invalid_email_is_refused_but_empty_is_fine(client):
    article = make_article()
    page = post_comment(client, article, "ru", email="not-an-email").content.decode()
    assert "Укажите правильный адрес" in page
    assert not Comment.objects.exists()
    assert post_comment(client, article, "ru", email="").status_code == 302


def test_an_overlong_email_is_refused_not_crashed(client):
    article = make_article()
    response = post_comment(client, article, "ru", email="a" * 250 + "@example.kg")
    assert response.status_code == 200
    assert not Comment.objects.exists()


def test_out_of_range_numbers_are_answered_not_crashed(client):
    article = make_article()
    response = post_comment(client, article, "ru", parent="9" * 25, text="ответ")
    assert response.status_code == 200
    assert "ответ</textarea>" in response.content.decode()
    assert client.post(f"/ru/comments/post/{'9' * 25}/", {"text": "x"}).status_code == 404
    assert not Comment.objects.exists()


def test_honeypot_filled_is_refused(client):
    article = make_article()
    response = post_comment(client, article, website="http://spam.example")
    assert response.status_code == 200
    assert "Пикириңизди кабыл алуу мүмкүн болбоду" in response.content.decode()
    assert not Comment.objects.exists()


def test_honeypot_is_hidden_from_people_and_assistive_technology(client):
    article = make_article()
    page = client.get(story_url(article)).content.decode()
    assert '<div class="comment-form__hp" aria-hidden="true">' in page
    assert 'tabindex="-1"' in page
    assert 'autocomplete="off"' in page


def test_a_form_sent_too_fast_is_refused_politely_keeping_the_text(client):
    article = make_article()
    response = post_comment(client, article, started=old_token(1), text="Тез жазылган пикир")
    page = response.content.decode()
    assert "Абдан тез болду" in page
    assert "Тез жазылган пикир</textarea>" in page
    assert not Comment.objects.exists()


def test_a_missing_or_forged_timestamp_asks_to_send_again_with_a_fresh_form(client):
    article = make_article()
    response = post_comment(client, article, "ru", started="12345:forged")
    page = response.content.decode()
    assert "Форма устарела" in page
    assert 'name="started" value="12345:forged"' not in page
    assert not Comment.objects.exists()


def test_an_expired_form_is_refused(client, time_machine):
    article = make_article()
    token = old_token(0)
    time_machine.move_to(timezone.now() + timedelta(days=2))
    post_comment(client, article, started=token)
    assert not Comment.objects.exists()


def test_rate_limit_across_requests_and_clients(client):
    """Five comments per address in ten minutes; the sixth is refused, even from a new session."""
    article = make_article()
    for n in range(services.RATE_LIMIT):
        assert post_comment(client, article, text=f"Пикир {n}").status_code == 302
    other_client = Client()
    response = post_comment(other_client, article, "ru", text="Шестой")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Подождите несколько минут" in page
    assert "Шестой</textarea>" in page
    assert Comment.objects.count() == services.RATE_LIMIT
    # Another address is not affected.
    assert post_comment(other_client, article, ip="203.0.113.99").status_code == 302


def test_behind_a_proxy_the_limit_follows_the_forwarded_address(client, settings):
    """With one proxy, its X-Forwarded-For entry counts; a forged entry before it does not."""
    settings.NEWSROOM_PROXY_COUNT = 1
    article = make_article()
    for n in range(services.RATE_LIMIT):
        response = post_comment(
            client, article, ip="10.0.0.1", headers={"X-Forwarded-For": f"1.2.3.{n}, 203.0.113.5"}
        )
        assert response.status_code == 302
    blocked = post_comment(
        client, article, ip="10.0.0.1", headers={"X-Forwarded-For": "203.0.113.5"}
    )
    assert blocked.status_code == 429
    other = post_comment(client, article, ip="10.0.0.1", headers={"X-Forwarded-For": "203.0.113.6"})
    assert other.status_code == 302
    assert Comment.objects.first().ip_hash == services.address_hash("203.0.113.5")


def test_without_a_proxy_x_forwarded_for_is_ignored(client):
    article = make_article()
    post_comment(client, article, ip="203.0.113.5", headers={"X-Forwarded-For": "9.9.9.9"})
    assert Comment.objects.get().ip_hash == services.address_hash("203.0.113.5")


def test_rate_limit_window_passes(client, time_machine, settings):
    """The window's end is the cache's expiry; locmem follows the frozen clock (Redis its own)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    article = make_article()
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    for _n in range(services.RATE_LIMIT + 1):
        post_comment(client, article)
    assert Comment.objects.count() == services.RATE_LIMIT
    time_machine.move_to(start + timedelta(minutes=11), tick=False)
    assert post_comment(client, article).status_code == 302


def test_stop_words_mark_the_comment_as_spam(client):
    StopWord.objects.create(word="казино")
    StopWord.objects.create(word="быстрый заработок")
    article = make_article()
    post_comment(client, article, "ru", text="Лучшее КАЗИНО тут")
    post_comment(client, article, "ru", text="Быстрый   заработок без вложений")
    post_comment(client, article, "ru", text="Казань — красивый город")  # another word
    statuses = list(Comment.objects.order_by("id").values_list("status", flat=True))
    assert statuses == [Comment.Status.SPAM, Comment.Status.SPAM, Comment.Status.PENDING]


def test_many_links_are_held_and_flagged(client):
    article = make_article()
    post_comment(client, article, text="Карагыла https://a.example")
    post_comment(client, article, text="http://a.example www.b.example c.ru http://d.example")
    few, many = Comment.objects.order_by("id")
    assert few.status == many.status == Comment.Status.PENDING
    assert not few.many_links
    assert many.many_links


def test_a_reply_to_a_reply_joins_the_first_comment(client):
    article = make_article()
    top = Comment.objects.create(
        article=article, name="A", text="top", language="ky", status="approved"
    )
    reply = Comment.objects.create(
        article=article, parent=top, name="B", text="r", language="ky", status="approved"
    )
    post_comment(client, article, parent=str(reply.pk))
    assert Comment.objects.latest("id").parent == top


def test_replying_to_a_hidden_or_foreign_comment_is_refused(client):
    article = make_article()
    other = make_article()
    pending = Comment.objects.create(article=article, name="A", text="t", language="ky")
    foreign = Comment.objects.create(
        article=other, name="A", text="t", language="ky", status="approved"
    )
    for parent in [pending.pk, foreign.pk, "abc", "99999999"]:
        response = post_comment(client, article, "ru", parent=str(parent), text="ответ")
        assert response.status_code == 200
        assert "ответ</textarea>" in response.content.decode()
    assert Comment.objects.count() == 2


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "'; DROP TABLE comments_comment; --",
        "Robert'); DELETE FROM articles_article WHERE ('1'='1",
        '"><img src=x onerror=alert(1)>',
    ],
)
def test_hostile_text_is_stored_as_plain_text(client, text):
    article = make_article()
    assert post_comment(client, article, text=text).status_code == 302
    assert Comment.objects.get().text == text
    assert Article.objects.filter(pk=article.pk).exists()


def test_nul_bytes_and_binary_junk_get_a_clear_answer(client):
    article = make_article()
    response = post_comment(client, article, "ru", text="abc\x00def")
    assert response.status_code == 200
    assert "Текст содержит символы, которые нельзя сохранить" in response.content.decode()
    response = post_comment(client, article, "ru", text="\x01\x02\x03\x1b")
    assert response.status_code == 200
    assert "Пожалуйста, напишите комментарий." in response.content.decode()
    assert not Comment.objects.exists()


def test_invalid_utf8_never_breaks_the_site(client):
    article = make_article()
    body = b"name=%FF%FE&text=%C3%28%80%80&website=&started=" + old_token().encode()
    response = client.post(
        post_url(article),
        body,
        content_type="application/x-www-form-urlencoded",
        REMOTE_ADDR="203.0.113.5",
    )
    # Undecodable bytes become replacement characters: stored as harmless text.
    assert response.status_code in (200, 302)
    for comment in Comment.objects.all():
        assert "\x00" not in comment.text


def test_huge_request_is_refused_without_a_server_error(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    article = make_article()
    response = post_comment(client, article, text="ы" * 100_000)
    assert response.status_code == 400
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "make",
    [
        lambda: make_article(status=Article.Status.DRAFT),
        lambda: make_article(status=Article.Status.UNPUBLISHED),
        lambda: make_article(status=Article.Status.SUBMITTED),
        lambda: make_article(languages=("ru",)),  # no Kyrgyz version: not on the ky site
    ],
)
def test_stories_not_live_in_the_language_are_not_found(client, make):
    article = make()
    assert post_comment(client, article, "ky").status_code == 404
    assert not Comment.objects.exists()


def test_a_nonexistent_story_is_not_found(client):
    response = client.post("/ky/comments/post/999999/", {"name": "x", "text": "y"})
    assert response.status_code == 404


def test_a_scheduled_story_takes_no_comments(client):
    article = make_article(published_at=timezone.now() + timedelta(days=1))
    assert post_comment(client, article).status_code == 404


def test_a_closed_story_refuses_comments_with_a_message(client):
    article = make_article(comments_open=False)
    response = post_comment(client, article, "ru")
    assert response.status_code == 403
    assert "Комментарии к этому материалу закрыты." in response.content.decode()
    assert not Comment.objects.exists()


def test_get_is_not_allowed(client):
    article = make_article()
    assert client.get(post_url(article)).status_code == 405


def test_csrf_is_enforced():
    article = make_article()
    csrf_client = Client(enforce_csrf_checks=True)
    response = post_comment(csrf_client, article)
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_the_error_page_is_a_page_of_its_own_with_a_way_back(client):
    article = make_article()
    page = post_comment(client, article, "ru", text="").content.decode()
    assert "<h1" in page and "Ваш комментарий" in page
    assert "Вернуться к материалу:" in page
    assert f'href="{story_url(article, "ru")}#comments"' in page


def test_a_malformed_forwarded_address_falls_back_to_the_connection(client, settings):
    """A garbage X-Forwarded-For entry is neither a 500 nor an address a reader chooses."""
    settings.NEWSROOM_PROXY_COUNT = 1
    article = make_article()
    response = post_comment(
        client, article, ip="10.0.0.7", headers={"X-Forwarded-For": "::::not-an-address"}
    )
    assert response.status_code == 302
    assert Comment.objects.get().ip_hash == services.address_hash("10.0.0.7")
