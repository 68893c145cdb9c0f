from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from articles.models import Article, in_language
from articles.slugs import slug_from_title
from tests.factories import make_article, make_place

pytestmark = pytest.mark.django_db

BISHKEK = ZoneInfo("Asia/Bishkek")


def test_a_story_belongs_to_a_language_only_with_title_and_body():
    both = make_article()
    ky_only = make_article(languages=("ky",))
    title_only = make_article(languages=("ru",), body_ru="")
    assert set(Article.objects.live("ky")) == {both, ky_only}
    assert set(Article.objects.live("ru")) == {both}
    assert title_only.has_ru is False


def test_scheduled_story_goes_live_at_its_time_without_a_job():
    later = timezone.now() + timedelta(minutes=5)
    story = make_article(published_at=later)
    assert story not in Article.objects.published()
    assert story in Article.objects.scheduled()
    Article.objects.filter(pk=story.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert story in Article.objects.published()


def test_drafts_and_unpublished_stories_are_not_published():
    make_article(status=Article.Status.DRAFT)
    make_article(status=Article.Status.UNPUBLISHED)
    make_article(status=Article.Status.SUBMITTED)
    assert not Article.objects.published().exists()


def test_unknown_language_has_no_stories():
    make_article()
    assert not Article.objects.live("en").exists()


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Министр Руслан Казакбаев Душанбеде", "ministr-ruslan-kazakbaev-dushanbede"),
        ("Өкмөт жаңы мыйзам кабыл алды", "okmot-zhangy-myyzam-kabyl-aldy"),
        ("Түштүк үчүн көңүл", "tushtuk-uchun-kongul"),
        ("Съезд объявил: «Щедрый урожай» 🌾", "sezd-obyavil-schedryy-urozhay"),
    ],
)
def test_slugs_are_ascii_transliterations(title, slug):
    assert slug_from_title(title) == slug


def test_slugs_are_unique_and_survive_long_words():
    a = make_article(title_ky="Бир эле аталыш")
    b = make_article(title_ky="Бир эле аталыш")
    long = make_article(title_ky="Ө" * 250)
    assert a.slug == "bir-ele-atalysh"
    assert b.slug == "bir-ele-atalysh-2"
    assert long.slug.isascii() and 0 < len(long.slug) <= 80


def test_slug_is_kept_when_title_changes():
    story = make_article(title_ky="Биринчи аталыш")
    story.title_ky = "Экинчи аталыш"
    story.save()
    story.refresh_from_db()
    assert story.slug == "birinchi-atalysh"


def test_dateline_in_each_language():
    story = make_article(
        place=make_place(),
        published_at=datetime(2021, 5, 19, 10, 0, tzinfo=BISHKEK),
    )
    assert story.get_dateline("ky") == "Бишкек, 19.05.21. /Кабар/."
    assert story.get_dateline("ru") == "Бишкек, 19 мая. /Кабар/."


def test_dateline_uses_bishkek_date_not_utc():
    # 23:30 UTC on 18 May is already 19 May in Bishkek (UTC+6).
    story = make_article(
        place=make_place(),
        published_at=datetime(2021, 5, 18, 23, 30, tzinfo=ZoneInfo("UTC")),
    )
    assert story.get_dateline("ky") == "Бишкек, 19.05.21. /Кабар/."


def test_editor_can_override_one_dateline():
    story = make_article(place=make_place(), dateline_ru="Ош, 1 июня. /Кабар/.")
    assert story.get_dateline("ru") == "Ош, 1 июня. /Кабар/."
    assert story.get_dateline("ky").startswith("Бишкек, ")


def test_body_is_sanitized_on_save():
    story = make_article(
        body_ky='<p onclick="x()">Текст<script>alert(1)</script>'
        '<a href="javascript:x">шилтеме</a></p>'
    )
    assert "<script" not in story.body_ky
    assert "onclick" not in story.body_ky
    assert "javascript:" not in story.body_ky
    assert "Текст" in story.body_ky


def test_cyrillic_and_emoji_survive_a_round_trip():
    story = make_article(title_ru="Ёлка 🎄 и ңөү", body_ru="<p>Ёлка 🎄 ңөү</p>")
    story.refresh_from_db()
    assert story.title_ru == "Ёлка 🎄 и ңөү"
    assert "🎄" in story.body_ru


def test_no_fallback_to_the_other_language():
    story = make_article(languages=("ky",))
    with translation.override("ru"):
        assert not story.title


@pytest.mark.postgres
def test_runs_on_postgres(on_postgres):
    """Guard: the PostgreSQL-only tests really run on PostgreSQL."""
    assert on_postgres


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ky", "ru"])
def test_a_card_reads_each_field_as_the_page_language_shows_it(language):
    """Cards read translated fields for a known language (in_language), without the
    descriptor's lookup of the active one: the same values, a missing lead included."""
    story = make_article(title_ru="Только по-русски", lead_ru="", lead_ky="Лид")
    story.title_ky = ""
    with translation.override(language):
        for field in ("title", "lead"):
            assert in_language(story, field, language) == getattr(story, field)
        assert in_language(story.rubric, "name", language) == story.rubric.name
        assert story.card(language)["url"] == story.get_absolute_url()
        assert story.card(language)["rubric_url"] == story.rubric.get_absolute_url()
