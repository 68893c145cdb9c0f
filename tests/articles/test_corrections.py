"""Corrections, clarifications and updates: an editor adds a typed note to a published
story, per language; readers see it under the story with an "Updated" time (corrections
and updates only), dateModified and the sitemap's lastmod follow those alone, JSON-LD
carries the corrections, and each language's corrections page lists them."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from articles.models import Article, StoryNote
from tests.articles.admin_client import change_url, page_form
from tests.factories import make_article

pytestmark = pytest.mark.django_db

Status = Article.Status


def ky(message):
    with translation.override("ky"):
        return gettext(message)


def in_ru(message):
    with translation.override("ru"):
        return gettext(message)


def json_ld(html):
    return json.loads(html.split('<script type="application/ld+json">')[1].split("</script>")[0])


def note(article, kind=StoryNote.Kind.CORRECTION, *, ago=timedelta(minutes=10), **texts):
    texts = texts or {"text_ky": "Сан оңдолду.", "text_ru": "Цифра исправлена."}
    return StoryNote.objects.create(
        article=article, kind=kind, noted_at=timezone.now() - ago, **texts
    )


def test_an_editor_adds_a_correction_to_a_live_story_and_readers_see_it(client, editor):
    story = make_article(published_at=timezone.now() - timedelta(days=1))
    client.force_login(editor)
    action, data = page_form(client.get(change_url(story)))
    # The story form offers one empty note, as the editor sees it.
    assert data["notes-TOTAL_FORMS"] == "1"
    data |= {
        "notes-0-kind": "correction",
        "notes-0-text_ky": "Мурунку версияда бюджеттин көлөмү туура эмес көрсөтүлгөн.",
        "notes-0-text_ru": "В прежней версии неверно указан объём бюджета.",
    }
    assert client.post(action, data).status_code == 302
    saved = StoryNote.objects.get(article=story)
    assert saved.created_by == editor
    client.logout()

    html = client.get(f"/ru/news/{story.slug_ru}/").content.decode()
    assert "В прежней версии неверно указан объём бюджета." in html
    assert in_ru("Correction") in html
    assert in_ru("Updated") in html
    data = json_ld(html)
    assert data["dateModified"] == timezone.localtime(saved.noted_at).isoformat()
    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "В прежней версии неверно указан объём бюджета.",
            "datePublished": timezone.localtime(saved.noted_at).isoformat(),
        }
    ]
    ky_html = client.get(f"/ky/news/{story.slug_ky}/").content.decode()
    assert "бюджеттин көлөмү туура эмес" in ky_html and ky("Correction") in ky_html


def test_notes_are_offered_only_once_readers_have_seen_the_story(client, editor):
    client.force_login(editor)
    draft = make_article(status=Status.SUBMITTED)
    assert "notes-TOTAL_FORMS" not in page_form(client.get(change_url(draft)))[1]
    live = make_article()
    assert "notes-TOTAL_FORMS" in page_form(client.get(change_url(live)))[1]


def test_an_empty_note_is_refused_with_a_message_and_the_story_text_kept(client, editor):
    story = make_article(title_ky="Эски")
    client.force_login(editor)
    action, data = page_form(client.get(change_url(story)), title_ky="Жаңы аталыш")
    data |= {"notes-0-kind": "update"}
    response = client.post(action, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert ky("Write the note in at least one language.") in html
    assert "Жаңы аталыш" in html
    assert not StoryNote.objects.exists()


def test_a_clarification_is_shown_but_moves_neither_updated_nor_date_modified(client):
    story = make_article()
    note(story, StoryNote.Kind.CLARIFICATION, text_ky="Кошумча түшүндүрмө.")
    html = client.get(f"/ky/news/{story.slug_ky}/").content.decode()
    assert "Кошумча түшүндүрмө." in html and ky("Clarification") in html
    assert ky("Updated") not in html
    data = json_ld(html)
    assert data["dateModified"] == timezone.localtime(story.published_at).isoformat()
    assert data["correction"][0]["text"] == "Кошумча түшүндүрмө."


def test_a_trivial_save_moves_neither_date_modified_nor_lastmod(client):
    story = make_article(published_at=timezone.now() - timedelta(days=2))
    story.title_ky = story.title_ky + "!"
    story.save()
    data = json_ld(client.get(f"/ky/news/{story.slug_ky}/").content.decode())
    assert data["dateModified"] == timezone.localtime(story.published_at).isoformat()
    sitemap = client.get("/sitemap-stories.xml").content.decode()
    assert f"<lastmod>{timezone.localdate(story.published_at).isoformat()}</lastmod>" in sitemap


def test_an_update_moves_the_sitemap_lastmod_and_the_feed(client):
    story = make_article(published_at=timezone.now() - timedelta(days=3))
    update = note(story, StoryNote.Kind.UPDATE, ago=timedelta(0))
    sitemap = client.get("/sitemap-stories.xml").content.decode()
    assert f"<lastmod>{timezone.localdate(update.noted_at).isoformat()}</lastmod>" in sitemap
    assert f"<lastmod>{timezone.localdate(story.published_at).isoformat()}</lastmod>" not in sitemap
    feed = client.get("/ky/rss/").content.decode()
    assert feed.count("<item>") == 1


def test_a_note_shows_only_in_the_languages_it_is_written_in(client):
    story = make_article()
    note(story, text_ru="Только по-русски.")
    ru = client.get(f"/ru/news/{story.slug_ru}/").content.decode()
    assert "Только по-русски." in ru and in_ru("Updated") in ru
    ky_html = client.get(f"/ky/news/{story.slug_ky}/").content.decode()
    assert ky("Updated") not in ky_html and "correction" not in json_ld(ky_html)


def test_the_corrections_page_lists_corrections_and_clarifications_per_language(client):
    live = make_article(title_ru="Живая статья")
    note(live, text_ky="Оңдоо бир.", text_ru="Исправление один.")
    note(live, StoryNote.Kind.CLARIFICATION, text_ru="Уточнение.")
    note(live, StoryNote.Kind.UPDATE, text_ru="Новые подробности.")
    hidden = make_article(status=Status.UNPUBLISHED, title_ru="Снятая статья")
    note(hidden, text_ru="Исправление снятой статьи.")
    ru = client.get("/ru/corrections/")
    assert ru.status_code == 200
    html = ru.content.decode()
    assert "Исправление один." in html and "Уточнение." in html and "Живая статья" in html
    assert "Новые подробности." not in html
    assert "Снятая статья" not in html and "Исправление снятой статьи." not in html
    ky_html = client.get("/ky/corrections/").content.decode()
    assert "Оңдоо бир." in ky_html and "Уточнение." not in ky_html
    assert reverse("articles:corrections") in ky_html  # linked from every page's footer


def test_the_corrections_page_is_paginated(client):
    story = make_article()
    for n in range(25):
        note(story, text_ky=f"Оңдоо №{n}.", ago=timedelta(minutes=n + 1))
    first = client.get("/ky/corrections/").content.decode()
    assert "Оңдоо №0." in first and "Оңдоо №24." not in first
    assert "1-барак, бардыгы 2" in first, "a counted list says its total"
    assert "Оңдоо №24." in client.get("/ky/corrections/?page=2").content.decode()


def test_a_new_note_purges_the_cached_story_and_corrections_pages(
    reader, django_capture_on_commit_callbacks
):
    story = make_article()
    story_path = f"/ky/news/{story.slug_ky}/"
    for path in (story_path, "/ky/corrections/"):
        reader.get(path)
        assert reader.get(path)["hit"], path
    with django_capture_on_commit_callbacks(execute=True):
        note(story, text_ky="Кэштен кийин оңдоо.")
    for path in (story_path, "/ky/corrections/"):
        page = reader.get(path)
        assert not page["hit"] and "Кэштен кийин оңдоо." in page["body"], path


def test_restoring_an_older_version_keeps_the_notes(client, editor):
    story = make_article(title_ky="Биринчи")
    client.force_login(editor)
    action, data = page_form(client.get(change_url(story)), title_ky="Экинчи")
    assert client.post(action, data).status_code == 302
    note(story)
    from reversion.models import Version

    oldest = Version.objects.get_for_object(story).last()
    url = reverse("admin:articles_article_revision", args=[story.pk, oldest.pk])
    action, data = page_form(client.get(url))
    assert client.post(action, data).status_code == 302
    assert StoryNote.objects.filter(article=story).count() == 1


def test_a_note_dated_in_the_future_is_refused_on_its_time(client, editor):
    story = make_article()
    client.force_login(editor)
    action, data = page_form(client.get(change_url(story)))
    later = timezone.localtime(timezone.now() + timedelta(days=2))
    data |= {
        "notes-0-kind": "update",
        "notes-0-text_ky": "Келечектеги жаңыртуу.",
        "notes-0-noted_at_0": later.date().isoformat(),
        "notes-0-noted_at_1": "10:00",
    }
    response = client.post(action, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert ky("A note's time cannot be in the future.") in html
    assert "Келечектеги жаңыртуу." in html
    assert not StoryNote.objects.exists()
