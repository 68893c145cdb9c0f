"""The comments block under a story: approved threads, escaping, the form, query cost."""

import pytest
from django.template import engines
from django.test import RequestFactory
from django.utils import translation

from comments.models import Comment
from comments.services import comment_counts_refresh
from tests.factories import make_article

from .helpers import story_url

pytestmark = pytest.mark.django_db


def render_block(article, language="ky", query=""):
    request = RequestFactory().get(f"/{language}/news/{article.slug}/{query}")
    with translation.override(language):
        return (
            engines["jinja2"]
            .from_string('{% include "comments/comments_block.html" %}')
            .render({"article": article}, request)
        )


def add(article, text="Текст", status=Comment.Status.APPROVED, **kwargs):
    kwargs.setdefault("name", "Окурман")
    kwargs.setdefault("language", "ky")
    comment = Comment.objects.create(article=article, text=text, status=status, **kwargs)
    # As moderation does: the story's count of visible comments is kept with them.
    comment_counts_refresh(article_ids=[article.pk])
    article.refresh_from_db()
    return comment


def test_only_approved_comments_show_oldest_first_with_their_replies():
    article = make_article()
    first = add(article, "Биринчи")
    add(article, "Күтүүдө", status=Comment.Status.PENDING)
    add(article, "Четке кагылган", status=Comment.Status.REJECTED)
    add(article, "Спам текст", status=Comment.Status.SPAM)
    second = add(article, "Экинчи")
    add(article, "Жооп бир", parent=first)
    add(article, "Жашыруун жооп", parent=first, status=Comment.Status.PENDING)

    html = render_block(article)

    assert html.index("Биринчи") < html.index("Жооп бир") < html.index("Экинчи")
    for hidden in ["Күтүүдө", "Четке кагылган", "Спам текст", "Жашыруун жооп"]:
        assert hidden not in html
    assert f'id="comment-{second.pk}"' in html
    assert 'class="comments__replies"' in html


def test_email_is_never_shown():
    article = make_article()
    add(article, email="secret@reader.kg")
    assert "secret@reader.kg" not in render_block(article)


def test_kyrgyz_block_is_fully_kyrgyz():
    article = make_article()
    add(article)
    html = render_block(article, "ky")
    assert "Пикир" in html
    assert "Пикир калтыруу" in html
    assert "Жооп берүү" in html
    for russian in ["Оставить комментарий", "Комментарии", "Ответить", "Ваше имя"]:
        assert russian not in html


def test_russian_block_is_fully_russian():
    article = make_article()
    add(article)
    html = render_block(article, "ru")
    assert "Комментарии" in html
    assert "Оставить комментарий" in html
    assert "Ответить" in html
    assert "Пикир калтыруу" not in html


@pytest.mark.parametrize(
    ("text", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script>alert"),
        ('"><img src=x onerror=alert(1)>', "<img"),
        ('<a href="javascript:alert(1)">x</a>', '<a href="javascript'),
        ("javascript:alert(document.cookie)", 'href="javascript'),
    ],
)
@pytest.mark.parametrize("allow_links", [False, True])
def test_hostile_text_is_escaped(text, forbidden, allow_links):
    article = make_article()
    add(article, text, allow_links=allow_links, name='<b onmouseover="x">Хакер</b>')
    html = render_block(article)
    assert forbidden not in html
    assert "<b onmouseover" not in html
    # Escaped, so the reader sees the name as it was typed (&#34; is markupsafe's quote).
    assert "&lt;b onmouseover=&#34;x&#34;&gt;Хакер&lt;/b&gt;" in html


def test_line_breaks_are_kept():
    article = make_article()
    add(article, "Бир сап\nэкинчи <сап>\r\nүчүнчү")
    assert "Бир сап<br>экинчи &lt;сап&gt;<br>үчүнчү" in render_block(article)


def test_links_are_plain_text_unless_a_moderator_allows_them():
    article = make_article()
    add(article, "Кара: https://example.kg/page?a=1&b=2")
    html = render_block(article)
    text = html.split('<div class="comment__text">')[1].split("</div>")[0]
    assert "<a " not in text
    assert "https://example.kg/page?a=1&amp;b=2" in html

    Comment.objects.update(allow_links=True)
    html = render_block(article)
    assert '<a rel="nofollow ugc noopener" href="https://example.kg/page?a=1&amp;b=2">' in html


def test_reply_link_preselects_the_thread():
    article = make_article()
    top = add(article, "Башкы")
    reply = add(article, "Жооп", parent=top, name="Бакыт")
    html = render_block(article, "ru", query=f"?reply_to={reply.pk}")
    assert f'href="?reply_to={top.pk}#comment-form"' in html
    assert f'name="parent" value="{top.pk}"' in html
    assert "Ответ для Окурман" in html


def test_bad_reply_to_is_ignored():
    article = make_article()
    html = render_block(article, "ru", query="?reply_to=<script>")
    assert 'name="parent" value' not in html
    assert "<script>" not in html


def test_closed_story_shows_comments_and_a_note_but_no_form():
    article = make_article(comments_open=False)
    add(article, "Эски пикир")
    html = render_block(article)
    assert "Эски пикир" in html
    assert "Бул макалага пикир калтыруу жабык." in html
    assert "<form" not in html
    assert "reply_to" not in html


def test_block_costs_one_query_whatever_the_number_of_comments(django_assert_num_queries):
    """One query reads the threads and all their replies, in order under each thread."""
    article = make_article()
    for n in range(12):
        top = add(article, f"Пикир {n}")
        add(article, f"Жооп {n}", parent=top)
        add(article, f"Жооп {n}b", parent=top)
    comment_counts_refresh(article_ids=[article.pk])
    article.refresh_from_db()
    with django_assert_num_queries(1):
        html = render_block(article)
    assert "Жооп 11b" in html
    assert (
        html.index("Пикир 3") < html.index("Жооп 3") < html.index("Жооп 3b") < html.index("Пикир 4")
    )
    assert '<span class="comments__count">36</span>' in html


def test_story_page_shows_the_block_and_the_form(client):
    article = make_article()
    add(article, "Баракчадагы пикир")
    page = client.get(story_url(article)).content.decode()
    assert "Баракчадагы пикир" in page
    assert 'id="comment-form"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert f'action="/ky/comments/post/{article.pk}/"' in page
    # The redirect after posting lands on this anchor; exactly one on the page.
    assert page.count('id="comments"') == 1
