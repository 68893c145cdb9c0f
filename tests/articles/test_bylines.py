"""Bylines: who signs a story, as editors pick them and as readers, robots and feeds see them."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import Profile
from articles.images import renditions_make
from articles.models import Article, Byline
from authors.models import Author
from tests.articles.admin_client import change_url, form_data, png_upload
from tests.factories import make_article, make_author, make_rubric, make_user
from tests.html_forms import read_form

pytestmark = pytest.mark.django_db

Status = Article.Status
ADD = reverse("admin:articles_article_add")
AUTHOR_ADD = reverse("admin:authors_author_add")
DC = "{http://purl.org/dc/elements/1.1/}"


def translated(language, message):
    with translation.override(language):
        return gettext(message)


def signers(story):
    return [byline.author for byline in Byline.objects.filter(article=story)]


def add_byline_rows(data, *authors):
    """What the admin's "Add another author" link does in the browser."""
    start = int(data["bylines-TOTAL_FORMS"])
    for n, author in enumerate(authors, start=start):
        data[f"bylines-{n}-author"] = str(author.pk)
        data[f"bylines-{n}-position"] = str(n + 1)
    data["bylines-TOTAL_FORMS"] = str(start + len(authors))
    return data


# The editors' side.


def test_the_creator_stays_signed_when_adding_a_co_author(client, journalist):
    """The journalist's own profile is made on demand from the account's full name and
    signs first; the co-author picked in the same form signs after."""
    correspondent = make_author(name_ky="Гүлнара Токторова", name_ru="Гульнара Токторова")
    client.force_login(journalist)
    data = form_data(
        client.get(ADD),
        title_ky="Оштон кабар",
        body_ky="<p>Текст.</p>",
        rubric=str(make_rubric().pk),
    )
    response = client.post(ADD, add_byline_rows(data, correspondent))
    assert response.status_code == 302, response.context and response.context["errors"]
    story = Article.objects.get(title_ky="Оштон кабар")
    own = Author.objects.get(user=journalist)
    assert (own.name_ky, own.name_ru, own.kind) == ("Айбек Осмонов", "Айбек Осмонов", "staff")
    assert signers(story) == [own, correspondent]


def test_an_editor_removes_the_creators_byline_and_it_stays_removed(client, editor, journalist):
    agency = make_author(name_ky="Ала-Тоо Пресс", kind=Author.Kind.AGENCY)
    story = make_article(status=Status.DRAFT, created_by=journalist, authors=[journalist, agency])
    client.force_login(editor)
    data = form_data(client.get(change_url(story)))
    first = next(
        n for n in (0, 1) if data[f"bylines-{n}-author"] == str(story.bylines.first().author_id)
    )
    data[f"bylines-{first}-DELETE"] = "on"
    assert client.post(change_url(story), data).status_code == 302
    assert signers(story) == [agency]
    data = form_data(client.get(change_url(story)), lead_ky="Жаңы лид.")
    assert client.post(change_url(story), data).status_code == 302
    assert signers(story) == [agency]


def test_the_author_picker_lists_full_names_and_what_each_contributor_is(client, journalist):
    make_user("bolot", role="Journalist", first_name="Болот", last_name="Садыков")
    Author.objects.for_user(
        make_user("bolot2", role="Journalist", first_name="Болот", last_name="Садыков")
    )
    make_author(name_ky="Ала-Тоо Пресс", kind=Author.Kind.AGENCY)
    client.force_login(journalist)
    html = client.get(ADD).content.decode()
    picker = html.split('name="bylines-__prefix__-author"')[1].split("</select>")[0]
    options = re.findall(r"<option[^>]*>([^<]*)</option>", picker)
    assert "Болот Садыков" in options
    assert f"Ала-Тоо Пресс ({translated('ky', 'Partner agency')})" in options
    assert not any("bolot" in option for option in options)


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_a_profile_without_a_name_is_refused_in_the_admins_language(client, editor, language):
    Profile.objects.create(user=editor, admin_language=language)
    client.force_login(editor)
    action, data = read_form(client.get(AUTHOR_ADD), with_field="name_ky")
    data |= {"name_ky": " ", "name_ru": "", "bio_ru": "Пишет из Нарына.", "kind": "correspondent"}
    response = client.post(action or AUTHOR_ADD, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert translated(language, "Give the name in Kyrgyz or in Russian.") in html
    assert "Пишет из Нарына." in html
    assert not Author.objects.exists()

    data |= {"name_ru": "Айдай Бекова"}
    assert client.post(action or AUTHOR_ADD, data).status_code == 302
    author = Author.objects.get()
    assert (author.slug, author.user, author.kind) == ("ayday-bekova", None, "correspondent")


# What readers see.


def test_the_story_page_shows_the_bylines_in_order_with_links_to_author_pages(client):
    staff = make_author(name_ky="Айбек Осмонов", name_ru="Айбек Осмонов", kind=Author.Kind.STAFF)
    agency = make_author(name_ky="Ала-Тоо Пресс", name_ru="Ала-Тоо Пресс", kind=Author.Kind.AGENCY)
    story = make_article(authors=[agency, staff])
    Byline.objects.filter(article=story, author=staff).update(position=0)
    Byline.objects.filter(article=story, author=agency).update(position=1)
    html = client.get(f"/ru/news/{story.slug_ru}/").content.decode()
    byline = html.split('<p class="byline">')[1].split("</p>")[0]
    assert "Авторы:" in byline
    names = re.findall(r'<a class="byline-author" rel="author" href="([^"]+)">([^<]+)</a>', byline)
    assert names == [
        (f"/ru/author/{staff.slug}/", "Айбек Осмонов"),
        (f"/ru/author/{agency.slug}/", "Ала-Тоо Пресс"),
    ]
    data = json.loads(html.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert data["author"] == [
        {
            "@type": "Person",
            "name": "Айбек Осмонов",
            "url": f"http://testserver/ru/author/{staff.slug}/",
        },
        {
            "@type": "Organization",
            "name": "Ала-Тоо Пресс",
            "url": f"http://testserver/ru/author/{agency.slug}/",
        },
    ]


def test_a_name_given_in_one_language_only_is_shown_in_both(client):
    author = make_author(name_ky="", name_ru="Гульнара Токторова")
    story = make_article(authors=[author])
    html = client.get(f"/ky/news/{story.slug_ky}/").content.decode()
    assert "Автору:" in html and ">Гульнара Токторова</a>" in html


def test_the_author_page_lists_their_live_stories_in_each_language(client):
    author = make_author(
        name_ky="Гүлнара Токторова", name_ru="Гульнара Токторова", bio_ru="Собкор в Оше."
    )
    both = make_article(authors=[author])
    only_ky = make_article(authors=[author], languages=("ky",))
    draft = make_article(authors=[author], status=Status.DRAFT)
    someone_elses = make_article(authors=[make_author()])
    ru = client.get(f"/ru/author/{author.slug}/").content.decode().split("<aside")[0]
    assert "<title>Гульнара Токторова | " in ru
    assert "Собкор в Оше." in ru
    assert both.title_ru in ru
    for absent in (draft.title_ru, someone_elses.title_ru):
        assert absent not in ru
    ky = client.get(f"/ky/author/{author.slug}/").content.decode()
    assert both.title_ky in ky and only_ky.title_ky in ky
    # The language switch keeps the page.
    assert f'href="/ru/author/{author.slug}/" lang="ru"' in ky
    assert only_ky.title_ky not in client.get(f"/ru/author/{author.slug}/").content.decode()
    assert client.get("/ru/author/no-such-author/").status_code == 404


def test_the_author_page_is_paginated(client):
    author = make_author()
    for _ in range(21):
        make_article(authors=[author])
    first = client.get(f"/ky/author/{author.slug}/").content.decode()
    assert first.count('class="card-title"') == 20
    second = client.get(f"/ky/author/{author.slug}/?page=2").content.decode()
    assert second.count('class="card-title"') == 1


def test_the_author_page_is_purged_when_a_byline_or_the_profile_changes(
    reader,  # noqa: F811
    publish,  # noqa: F811
    time_machine,
):
    author = make_author(name_ky="Гүлнара Токторова")
    signed = make_article(authors=[author])
    path, story_path = f"/ky/author/{author.slug}/", f"/ky/news/{signed.slug_ky}/"
    for page in (path, story_path):
        reader.get(page)
        assert reader.get(page)["hit"]

    def rename():
        author.name_ky = "Гүлнара Асанова"
        author.save()

    publish(rename)
    assert "Гүлнара Асанова" in reader.get(path)["body"]
    assert "Гүлнара Асанова" in reader.get(story_path)["body"]

    other = make_article(title_ky="Жаңы кабар")
    publish(lambda: Byline.objects.create(article=other, author=author, position=0))
    assert "Жаңы кабар" in reader.get(path)["body"]

    # Later (past the purge's safety margin) the page is cached again, until the byline goes.
    time_machine.move_to(timezone.now() + timedelta(seconds=5))
    reader.get(path)
    assert reader.get(path)["hit"]
    publish(lambda: other.bylines.all().delete())
    assert "Жаңы кабар" not in reader.get(path)["body"].split("<aside")[0]


def test_rss_items_name_their_authors_and_carry_the_image(client, settings):
    staff = make_author(name_ru="Айбек Осмонов")
    agency = make_author(name_ru="Ала-Тоо Пресс", kind=Author.Kind.AGENCY)
    story = make_article(authors=[staff, agency])
    story.image.save("lead.png", png_upload(size=(1200, 800)), save=True)
    story.image_renditions = renditions_make(image=story.image)
    story.save(update_fields=["image_renditions"])
    plain = make_article()
    root = ET.fromstring(client.get("/ru/rss/").content)  # noqa: S314 (ours)
    items = {item.findtext("title"): item for item in root.iter("item")}
    item = items[story.title_ru]
    assert [c.text for c in item.findall(f"{DC}creator")] == ["Айбек Осмонов", "Ала-Тоо Пресс"]
    enclosure = item.find("enclosure")
    assert enclosure.get("url").startswith("http://testserver/")
    assert enclosure.get("type") == "image/jpeg"
    name = enclosure.get("url").removeprefix("http://testserver" + settings.MEDIA_URL)
    assert int(enclosure.get("length")) == default_storage.size(name) > 0
    assert items[plain.title_ru].find("enclosure") is None
    assert items[plain.title_ru].findall(f"{DC}creator") == []


@pytest.mark.parametrize(
    ("language", "count", "text"),
    [
        ("ru", 1, "1 комментарий"),
        ("ru", 3, "3 комментария"),
        ("ru", 5, "5 комментариев"),
        ("ru", 21, "21 комментарий"),
        ("ky", 5, "5 пикир"),
    ],
)
def test_story_cards_show_the_comment_count(client, language, count, text):
    make_article(comment_count=count)
    silent = make_article()
    html = client.get(f"/{language}/").content.decode()
    assert f">{text}</a>" in html
    assert html.count('class="card-comments"') == 1
    assert getattr(silent, f"title_{language}") in html
