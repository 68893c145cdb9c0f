"""Search: stories of the reader's language, ranked on PostgreSQL, never an error."""

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Article
from articles.search import search_articles
from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("", "Введите одно или несколько слов для поиска."),
        ("   ", "Введите одно или несколько слов для поиска."),
        ("?!%&*", "В запросе нет слов для поиска."),
        ("вода " * 500, "Запрос слишком длинный."),
    ],
    ids=["empty", "blank", "punctuation", "huge"],
)
def test_empty_absurd_and_huge_queries_get_a_friendly_page(client, query, notice):
    make_article()
    response = client.get("/ru/search/", {"q": query})
    assert response.status_code == 200
    assert notice in response.content.decode()


@pytest.mark.parametrize(
    "query", ["\x00", "a\x00b", "'); DROP TABLE articles_article; --", "\\", "!!!вода!!!", "&|!"]
)
def test_odd_queries_never_fail(client, query):
    make_article(title_ru="Вода в Бишкеке")
    assert client.get("/ru/search/", {"q": query}).status_code == 200
    assert client.get("/ky/search/", {"q": query}).status_code == 200


def test_search_finds_stories_of_the_readers_language_only(client):
    both = make_article(title_ky="Suu Bishkek", title_ru="Water in Bishkek")
    ky_only = make_article(languages=("ky",), title_ky="Bishkek suu")
    ru = client.get("/ru/search/", {"q": "Bishkek"})
    assert list(ru.context["stories"]) == [both]
    ky = client.get("/ky/search/", {"q": "Bishkek"})
    assert set(ky.context["stories"]) == {both, ky_only}
    # Both backends mark the hit: PostgreSQL with its headline, SQLite word by word.
    assert "<mark>Bishkek</mark>" in ky.content.decode()
    assert "<mark>Bishkek</mark>" in ru.content.decode()


def test_search_results_are_paginated_and_count_is_shown(client):
    for n in range(12):
        make_article(title_ru=f"Budget news {n}")
    response = client.get("/ru/search/", {"q": "Budget"})
    assert len(response.context["stories"]) == 10
    assert response.context["paginator"].count == 12
    assert "найдено 12 материалов" in response.content.decode()
    assert len(client.get("/ru/search/", {"q": "Budget", "page": 2}).context["stories"]) == 2


def test_search_snippet_highlights_the_query_and_escapes_the_text(client):
    make_article(title_ru="Budget", lead_ru="The <b>budget</b> grows", body_ru="<p>budget</p>")
    html = client.get("/ru/search/", {"q": "budget"}).content.decode()
    snippet = html.split('<p class="snippet">')[1].split("</p>")[0]
    assert "<mark>" in snippet
    assert "<b>" not in snippet


@pytest.mark.postgres
def test_postgres_ranks_title_matches_first_and_stems_russian(client):
    body_match = make_article(
        title_ru="Заседание правительства", body_ru="<p>Обсуждали бюджет и налоги.</p>"
    )
    title_match = make_article(
        title_ru="Бюджет на следующий год принят", body_ru="<p>Парламент проголосовал.</p>"
    )
    make_article(title_ru="Погода", body_ru="<p>Солнечно.</p>")
    response = client.get("/ru/search/", {"q": "бюджета"})
    assert list(response.context["stories"]) == [title_match, body_match]
    html = response.content.decode()
    assert "<mark>бюджет</mark>" in html.lower()


@pytest.mark.postgres
def test_postgres_kyrgyz_search_uses_whole_words_without_russian_stemming(client):
    story = make_article(
        title_ky="Бишкекте жаңы мектеп ачылды", body_ky="<p>Мектепте 500 окуучу окуйт.</p>"
    )
    make_article(title_ky="Ош шаарында жамгыр", body_ky="<p>Күн суук.</p>")
    response = client.get("/ky/search/", {"q": "мектеп"})
    assert list(response.context["stories"]) == [story]
    assert client.get("/ky/search/", {"q": "Мектеп ачылды"}).context["stories"][0] == story


@pytest.mark.postgres
def test_postgres_kyrgyz_search_finds_suffixed_forms(client):
    story = make_article(title_ky="Бишкектен кабар", body_ky="<p>Шаарда жамгыр жаады.</p>")
    response = client.get("/ky/search/", {"q": "бишкек"})
    assert list(response.context["stories"]) == [story]
    assert "<mark>Бишкектен</mark>" in response.content.decode()


@pytest.mark.postgres
@pytest.mark.parametrize("language", ["ky", "ru"])
def test_postgres_search_can_use_the_full_text_index(language):
    """The migration's index matches the vector the search builds, so it is usable."""
    rubric = make_article().rubric
    Article.objects.bulk_create(
        Article(
            **{f"title_{language}": f"Кабар {n}", f"body_{language}": "<p>Текст</p>"},
            **{f"has_{language}": True},
            slug=f"kabar-{n}",
            rubric=rubric,
            status=Article.Status.PUBLISHED,
            published_at=timezone.now(),
        )
        for n in range(2000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = search_articles(query="бюджет", language=language).explain()
    assert f"article_search_{language}" in plan
