"""Search: stories of the reader's language, ranked on PostgreSQL, never an error."""

import pytest
from django.core.management import call_command
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
    assert "<mark>Bishkek</mark>" in ky.content.decode()


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
        # Rows inserted and rolled back by earlier tests stay in the index's pending
        # list, which the planner counts as cost: fold them in first.
        cursor.execute(
            "SELECT gin_clean_pending_list(%s::regclass)", [f"article_search_{language}"]
        )
        cursor.execute("ANALYZE articles_article")
        # Only the index kinds a full-text match can use: otherwise the planner may
        # walk a btree index of live stories, all of which match here.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = search_articles(query="бюджет", language=language).found_by.explain()
    assert f"article_search_{language}" in plan


def school_stories():
    """Stories that say мектеп in three forms, and one that does not."""
    return [
        make_article(title_ky="Жаңы мектеп ачылды", body_ky="<p>Окуучулар кубанып жатышат.</p>"),
        make_article(
            title_ky="Нарында жамгыр",
            lead_ky="Мектепте сабак токтоду.",
            body_ky="<p>Жамгыр эки күн жаады.</p>",
        ),
        make_article(title_ky="Ремонт бүттү", lead_ky="Бишкектеги мектептин чатыры жаңырды."),
    ], make_article(title_ky="Ош шаарында майрам", body_ky="<p>Эл көп чогулду.</p>")


def test_kyrgyz_search_finds_every_inflected_form_of_the_stem(client):
    """On every database: `мектептер` (schools) finds the stories that say мектеп,
    мектепте (at school), мектептин (the school's)."""
    schools, other = school_stories()
    response = client.get("/ky/search/", {"q": "мектептер"})
    assert set(response.context["stories"]) == set(schools)
    html = response.content.decode()
    assert "<mark>мектеп</mark>" in html
    assert "<mark>Мектепте</mark>" in html
    assert "<mark>мектептин</mark>" in html
    assert other.title_ky not in html


def test_kyrgyz_search_needs_every_query_word(client):
    schools, _other = school_stories()
    response = client.get("/ky/search/", {"q": "Нарындагы мектептерде"})
    assert list(response.context["stories"]) == [schools[1]]


def test_kyrgyz_search_follows_an_edited_story(client):
    """The stems are taken again whenever the story is saved."""
    story = make_article(title_ky="Жаңы мектеп ачылды")
    story.title_ky = "Жаңы оорукана ачылды"
    story.save()
    assert list(client.get("/ky/search/", {"q": "ооруканалар"}).context["stories"]) == [story]
    assert list(client.get("/ky/search/", {"q": "мектеп"}).context["stories"]) == []


def test_rebuild_search_stems_stories_again():
    """After a change to the stemmer an operator rebuilds the stored stems."""
    story = make_article(title_ky="Бишкектеги мектептер")
    Article.objects.filter(pk=story.pk).update(search_ky=None)
    assert list(search_articles(query="мектеп", language="ky")) == []
    call_command("rebuild_search", "--dry-run", verbosity=0)
    assert list(search_articles(query="мектеп", language="ky")) == []
    call_command("rebuild_search", verbosity=0)
    assert list(search_articles(query="мектеп", language="ky")) == [story]


@pytest.mark.postgres
def test_postgres_kyrgyz_search_ranks_title_matches_first(client):
    schools, _other = school_stories()
    stories = list(client.get("/ky/search/", {"q": "мектеби"}).context["stories"])
    assert stories[0] == schools[0]
    assert set(stories) == set(schools)


@pytest.mark.postgres
@pytest.mark.parametrize("typo", ["мектпе", "Бишкк"])
def test_postgres_a_typo_still_finds_the_stories_by_their_titles(client, typo):
    school = make_article(title_ky="Бишкектеги мектептер жаңырды", body_ky="<p>Сабак башталды.</p>")
    make_article(title_ky="Ош шаарында майрам", body_ky="<p>Бишкек мектеп.</p>")
    response = client.get("/ky/search/", {"q": typo})
    assert list(response.context["stories"]) == [school]
    html = response.content.decode()
    assert "Окшош сөздөрү бар материалдар көрсөтүлдү." in html
    assert "<mark>" in html.split('class="card-title"')[1].split("</h2>")[0]


@pytest.mark.postgres
def test_postgres_a_russian_typo_still_finds_the_story(client):
    story = make_article(title_ru="Бюджет на следующий год принят")
    response = client.get("/ru/search/", {"q": "бюджте"})
    assert list(response.context["stories"]) == [story]
    assert "Показаны материалы с похожими словами." in response.content.decode()


@pytest.mark.postgres
def test_postgres_exact_matches_leave_out_the_typo_search(client):
    """A query that finds stories as typed shows only those, with no notice."""
    exact = make_article(title_ky="Мектеп ачылды")
    make_article(title_ky="Мектептер жаңырды")
    make_article(title_ky="Мектпе деген сөз жок")
    response = client.get("/ky/search/", {"q": "мектпе"})
    assert list(response.context["stories"]) == [Article.objects.get(title_ky__startswith="Мектпе")]
    response = client.get("/ky/search/", {"q": "ачылды"})
    assert list(response.context["stories"]) == [exact]
    assert "Окшош сөздөрү" not in response.content.decode()


def test_nothing_like_the_query_gets_the_nothing_found_page(client):
    make_article(title_ky="Жаңы мектеп ачылды")
    response = client.get("/ky/search/", {"q": "футбол"})
    assert list(response.context["stories"]) == []
    assert "Окшош сөздөрү" not in response.content.decode()


@pytest.mark.postgres
def test_postgres_a_common_word_shows_its_newest_matches_ranked(client, monkeypatch):
    """Ranking every match of a common word would grow with the archive: only the
    newest MAX_RESULTS are ranked and shown, and the reader is told so."""
    monkeypatch.setattr("articles.search.MAX_RESULTS", 3)
    now = timezone.now()
    stories = [
        make_article(
            title_ky="Жаңылык" if n else "Мектеп жаңырды",
            body_ky="<p>Мектептерде сабак башталды.</p>",
            published_at=now - timezone.timedelta(hours=n + 1),
        )
        for n in range(5)
    ]
    response = client.get("/ky/search/", {"q": "мектеп"})
    assert list(response.context["stories"]) == [stories[0], stories[1], stories[2]]
    assert "«мектеп» боюнча эң акыркы 3 кабар көрсөтүлдү" in response.content.decode()
    few = client.get("/ky/search/", {"q": "мектеп жаңырды"})
    assert list(few.context["stories"]) == [stories[0]]
    assert "эң акыркы" not in few.content.decode()


@pytest.mark.postgres
def test_postgres_the_newest_matches_are_found_across_the_years(client, monkeypatch):
    """The archive is searched newest time first and further back only while fewer
    than MAX_RESULTS stories are found: a common word still lists its newest
    stories, whatever their age, and the reader is told older ones are left out."""
    monkeypatch.setattr("articles.search.MAX_RESULTS", 3)
    now = timezone.now()
    stories = [
        make_article(title_ru="Бюджет", published_at=now - timezone.timedelta(days=days))
        for days in (1, 20, 400, 2000)
    ]
    response = client.get("/ru/search/", {"q": "бюджет"})
    assert list(response.context["stories"]) == stories[:3]
    assert "показаны последние 3 материала" in response.content.decode()


@pytest.mark.postgres
@pytest.mark.parametrize("language", ["ky", "ru"])
def test_postgres_a_word_of_old_stories_only_is_found(client, language):
    """A word no recent story has is looked for back to the archive's first day."""
    now = timezone.now()
    old = make_article(
        title_ky="Мектеп ачылды",
        title_ru="Открылась школа",
        published_at=now - timezone.timedelta(days=3000),
    )
    older = make_article(
        title_ky="Мектептер",
        title_ru="Школы",
        published_at=now - timezone.timedelta(days=4000),
    )
    make_article(title_ky="Жамгыр", title_ru="Дождь", published_at=now)
    query = {"ky": "мектеп", "ru": "школа"}[language]
    response = client.get(f"/{language}/search/", {"q": query})
    assert set(response.context["stories"]) == {old, older}
    assert response.context["paginator"].count == 2
    assert not response.context["capped"]


@pytest.mark.postgres
def test_postgres_exactly_max_results_matches_are_all_shown_without_the_notice(client, monkeypatch):
    monkeypatch.setattr("articles.search.MAX_RESULTS", 3)
    for days in (1, 100, 1000):
        make_article(title_ru="Бюджет", published_at=timezone.now() - timezone.timedelta(days=days))
    response = client.get("/ru/search/", {"q": "бюджет"})
    assert response.context["paginator"].count == 3
    assert not response.context["capped"]
    assert "По запросу «бюджет» найдено 3 материала." in response.content.decode()


@pytest.mark.postgres
def test_postgres_a_query_of_stop_words_only_asks_for_another_word(client):
    """The Russian dictionary drops words like между: nothing can match them, and
    it is no typo, so no similar titles are looked for."""
    make_article(title_ru="Переговоры между странами")
    response = client.get("/ru/search/", {"q": "между"})
    assert list(response.context["stories"]) == []
    assert not response.context["approximate"]
    html = response.content.decode()
    assert "Эти слова встречаются почти в каждом материале." in html
    assert "Проверьте написание" not in html


def test_a_short_kyrgyz_stem_finds_only_its_own_forms(client):
    """ошондон (since then) stems to ошон; ошондой (such) is another word."""
    since = make_article(title_ky="Ошондон бери көп өттү")
    make_article(title_ky="Ошондой болду")
    assert list(client.get("/ky/search/", {"q": "ошондон"}).context["stories"]) == [since]
