"""The story admin for each role: what each one sees, can do and is refused."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext

from articles.models import Article, Byline, Tag
from articles.slugs import slug_from_title
from tests.articles.admin_client import change_url, form_data, png_upload
from tests.factories import make_article, make_place, make_rubric, make_user

pytestmark = pytest.mark.django_db

Status = Article.Status
CHANGELIST = reverse("admin:articles_article_changelist")
ADD = reverse("admin:articles_article_add")


def ky(message):
    with translation.override("ky"):
        return gettext(message)


def login(client, user):
    client.force_login(user)
    return client


# Pages per role.


def _pages(own, others):
    return {
        "changelist": CHANGELIST,
        "add": ADD,
        "own change": change_url(own),
        "others' change": change_url(others),
        "history": reverse("admin:articles_article_history", args=[own.pk]),
        "translations": reverse("admin:articles_article_translations"),
        "recover list": reverse("admin:articles_article_recoverlist"),
        "preview": reverse("admin:articles_article_preview", args=[own.pk, "ky"]),
        "rubric add": reverse("admin:articles_rubric_add"),
        "tag list": reverse("admin:articles_tag_changelist"),
    }


EXPECTED = {
    "Editor": {
        "changelist": 200,
        "add": 200,
        "own change": 200,
        "others' change": 200,
        "history": 200,
        "translations": 200,
        "recover list": 200,
        "preview": 200,
        "rubric add": 200,
        "tag list": 200,
    },
    "Journalist": {
        "changelist": 200,
        "add": 200,
        "own change": 200,
        "others' change": 302,
        "history": 200,
        "translations": 403,
        "recover list": 403,
        "preview": 200,
        "rubric add": 403,
        "tag list": 200,
    },
    "Moderator": {
        "changelist": 403,
        "add": 403,
        "own change": 403,
        "others' change": 403,
        "history": 403,
        "translations": 403,
        "recover list": 403,
        "preview": 403,
        "rubric add": 403,
        "tag list": 403,
    },
}


@pytest.mark.parametrize("role", ["Editor", "Journalist", "Moderator"])
def test_each_role_gets_the_admin_pages_it_should(client, role):
    user = make_user(role=role)
    own = make_article(status=Status.DRAFT, created_by=user, title_ky="Менин макалам")
    others = make_article(status=Status.DRAFT, created_by=make_user(role="Journalist"))
    login(client, user)
    got = {name: client.get(url).status_code for name, url in _pages(own, others).items()}
    assert got == EXPECTED[role]


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    story = make_article(status=Status.DRAFT)
    for url in [CHANGELIST, change_url(story), reverse("admin:articles_article_translations")]:
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]


def test_journalist_list_shows_only_own_and_bylined_stories(client, journalist, other_journalist):
    make_article(status=Status.DRAFT, created_by=journalist, title_ky="Өзүмдүн макалам")
    make_article(status=Status.DRAFT, authors=[journalist], title_ky="Кол коюлган макала")
    make_article(status=Status.DRAFT, created_by=other_journalist, title_ky="Бөтөн макала")
    html = login(client, journalist).get(CHANGELIST).content.decode()
    assert "Өзүмдүн макалам" in html
    assert "Кол коюлган макала" in html
    assert "Бөтөн макала" not in html


def test_editor_list_has_filters_search_and_date_hierarchy(client, editor):
    make_article(languages=("ky",), title_ky="Жалаң кыргызча макала", authors=[editor])
    make_article(languages=("ru",), title_ru="Только по-русски", authors=[make_user()])
    make_article(title_ky="Эки тилде", title_ru="На двух языках")
    login(client, editor)
    only_ky = client.get(CHANGELIST, {"language": "ky"}).content.decode()
    assert "Жалаң кыргызча макала" in only_ky
    assert "Только по-русски" not in only_ky
    assert "Эки тилде" not in only_ky
    both = client.get(CHANGELIST, {"language": "both"}).content.decode()
    assert "Эки тилде" in both and "Жалаң кыргызча макала" not in both
    found = client.get(CHANGELIST, {"q": "по-русски"}).content.decode()
    assert "Только по-русски" in found and "Эки тилде" not in found
    page = client.get(CHANGELIST)
    assert page.context["cl"].date_hierarchy == "published_at"
    filter_titles = {str(spec.title) for spec in page.context["cl"].filter_specs}
    assert len(filter_titles) == 6  # status, rubric, language, embargo, authors, time


# Forged requests.


def test_journalist_forging_status_and_flags_changes_nothing_of_them(client, journalist):
    story = make_article(status=Status.DRAFT, created_by=journalist)
    login(client, journalist)
    data = form_data(
        client.get(change_url(story)),
        title_ky="Жаңыланган аталыш",
        status="published",
        published_at_0="2026-01-01",
        published_at_1="10:00",
        published_at=timezone.now().isoformat(),
        is_main="on",
        is_urgent="on",
    )
    response = client.post(change_url(story), data)
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.title_ky == "Жаңыланган аталыш"
    assert story.status == Status.DRAFT
    assert story.published_at is None
    assert (story.is_main, story.is_urgent) == (False, False)


@pytest.mark.parametrize("button", ["_publish", "_schedule", "_unpublish", "_return_to_author"])
def test_journalist_forging_an_editors_button_is_refused(client, journalist, button):
    story = make_article(status=Status.SUBMITTED, created_by=journalist)
    login(client, journalist)
    data = form_data(client.get(change_url(story)), title_ky="Уурдалган аталыш")
    data |= {
        button: "1",
        "publish_at_0": "2030-01-01",
        "publish_at_1": "10:00",
        "review_note": "x",
    }
    response = client.post(change_url(story), data)
    assert response.status_code == 403
    story.refresh_from_db()
    assert story.status == Status.SUBMITTED
    assert story.published_at is None
    assert story.title_ky != "Уурдалган аталыш"


def test_journalist_cannot_change_someone_elses_story(client, journalist, other_journalist):
    story = make_article(status=Status.DRAFT, created_by=other_journalist, title_ky="Оригинал")
    login(client, journalist)
    response = client.post(change_url(story), {"title_ky": "Бузулду", "rubric": story.rubric_id})
    assert response.status_code in (302, 403)
    story.refresh_from_db()
    assert story.title_ky == "Оригинал"


def test_journalist_only_views_own_published_story(client, journalist):
    story = make_article(created_by=journalist, title_ky="Жарыяланган")
    login(client, journalist)
    page = client.get(change_url(story))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = client.post(change_url(story), {"title_ky": "Өзгөрдү", "rubric": story.rubric_id})
    assert response.status_code == 403
    story.refresh_from_db()
    assert story.title_ky == "Жарыяланган"


def test_moderator_cannot_post_to_a_story(client, moderator):
    story = make_article(status=Status.DRAFT, title_ky="Тийбе")
    response = login(client, moderator).post(change_url(story), {"title_ky": "x"})
    assert response.status_code == 403
    story.refresh_from_db()
    assert story.title_ky == "Тийбе"


# The journalist's day.


def test_journalist_writes_a_story_and_submits_it(client, journalist):
    rubric, place = make_rubric(), make_place()
    tag = Tag.objects.create(name_ky="Саясат", name_ru="Политика", name="Саясат")
    login(client, journalist)
    data = form_data(
        client.get(ADD),
        title_ky="Жаңы макала 🇰🇬",
        lead_ky="Кыскача.",
        body_ky="<p>Текст.</p><script>alert(1)</script>",
        rubric=str(rubric.pk),
        place=str(place.pk),
        tags=[str(tag.pk)],
        _submit_for_review="1",
    )
    response = client.post(ADD, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    story = Article.objects.get(title_ky="Жаңы макала 🇰🇬")
    assert story.status == Status.SUBMITTED
    assert story.created_by == journalist
    assert [b.author.user for b in story.bylines.all()] == [journalist]
    assert list(story.tags.all()) == [tag]
    assert "<script>" not in story.body_ky


def test_change_form_has_tabs_editor_tag_autocomplete_and_preview(client, editor):
    story = make_article(status=Status.DRAFT)
    html = login(client, editor).get(change_url(story)).content.decode()
    assert "tabbed_translation_fields.js" in html
    assert "django_prose_editor" in html
    assert 'name="body_ky"' in html and 'name="body_ru"' in html
    assert "admin-autocomplete" in html and 'data-field-name="tags"' in html
    assert reverse("admin:articles_article_preview", args=[story.pk, "ru"]) in html
    assert 'name="lock_version"' in html


def test_prose_editor_static_assets_are_served(client, editor):
    from django.contrib.staticfiles import finders

    assert finders.find("django_prose_editor/editor.js")
    assert finders.find("modeltranslation/js/tabbed_translation_fields.js")


def test_tag_autocomplete_answers_a_journalist(client, journalist):
    Tag.objects.create(name_ky="Экономика", name_ru="Экономика", name="Экономика")
    response = login(client, journalist).get(
        reverse("admin:autocomplete"),
        {"app_label": "articles", "model_name": "article", "field_name": "tags", "term": "Эконо"},
    )
    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == ["Экономика"]


def test_editor_returns_a_story_and_the_journalist_sees_the_note(client, editor, journalist):
    story = make_article(status=Status.SUBMITTED, created_by=journalist)
    login(client, editor)
    data = form_data(
        client.get(change_url(story)),
        review_note="Цитатанын булагын көрсөтүңүз.",
        _return_to_author="1",
    )
    assert client.post(change_url(story), data).status_code == 302
    story.refresh_from_db()
    assert story.status == Status.DRAFT
    html = login(client, journalist).get(change_url(story)).content.decode()
    assert "newsroom-review-note" in html
    assert "Цитатанын булагын көрсөтүңүз." in html
    assert ky("The editor sent this story back") in html


def test_returning_without_a_note_names_the_missing_note(client, editor):
    story = make_article(status=Status.SUBMITTED)
    login(client, editor)
    data = form_data(client.get(change_url(story)), review_note="", _return_to_author="1")
    response = client.post(change_url(story), data)
    assert response.status_code == 200
    assert ky("Write a note so the journalist knows what to change.") in response.content.decode()
    story.refresh_from_db()
    assert story.status == Status.SUBMITTED


def test_editor_schedules_a_story(client, editor):
    story = make_article(status=Status.SUBMITTED)
    at = timezone.localtime(timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    login(client, editor)
    data = form_data(
        client.get(change_url(story)),
        publish_at_0=at.date().isoformat(),
        publish_at_1=at.time().isoformat(),
        _schedule="1",
    )
    assert client.post(change_url(story), data).status_code == 302
    story.refresh_from_db()
    assert story.status == Status.PUBLISHED
    assert story.published_at == at
    assert story.is_scheduled
    listing = client.get(CHANGELIST).content.decode()
    when = formats.date_format(at, "DATETIME_FORMAT")
    with translation.override("ky"):
        assert gettext("Scheduled for %(time)s") % {"time": when} in listing


def test_scheduling_in_the_past_is_refused_on_the_field(client, editor):
    story = make_article(status=Status.SUBMITTED, title_ky="Сакталсын")
    login(client, editor)
    data = form_data(
        client.get(change_url(story)),
        title_ky="Жазылган текст",
        publish_at_0="2020-01-01",
        publish_at_1="10:00",
        _schedule="1",
    )
    response = client.post(change_url(story), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert ky("Choose a time in the future to schedule.") in html
    assert "Жазылган текст" in html
    story.refresh_from_db()
    assert story.status == Status.SUBMITTED


def test_editor_publishes_now_and_later_edits_keep_the_first_time(client, editor):
    story = make_article(status=Status.SUBMITTED)
    login(client, editor)
    data = form_data(client.get(change_url(story)), _publish="1")
    assert client.post(change_url(story), data).status_code == 302
    story.refresh_from_db()
    first = story.published_at
    assert story.is_live and first is not None
    data = form_data(
        client.get(change_url(story)),
        title_ky="Оңдолгон аталыш",
        published_at_0="2030-01-01",
        published_at_1="00:00",
        _publish="1",
    )
    assert client.post(change_url(story), data).status_code == 302
    story.refresh_from_db()
    assert story.title_ky == "Оңдолгон аталыш"
    assert story.published_at == first


def test_published_slug_cannot_be_changed_even_by_a_forged_post(client, editor):
    """A published story's URL is public: its slug stays as it was."""
    story = make_article(slug="birinchi-kabar")
    login(client, editor)
    data = form_data(
        client.get(change_url(story)),
        slug_ky="bashka-dare",
        slug_ru="drugoi-adres",
        title_ky="Жаңы аталыш",
    )
    assert client.post(change_url(story), data).status_code == 302
    story.refresh_from_db()
    assert story.title_ky == "Жаңы аталыш"
    assert story.slug_ky == "birinchi-kabar"
    assert story.slug_ru == "russkaia-statia-" + story.title_ru.rsplit(" ", 1)[1]


def test_draft_slug_can_still_be_edited(client, editor):
    story = make_article(status=Status.DRAFT, slug="eski-slug")
    login(client, editor)
    data = form_data(client.get(change_url(story)), slug_ky="zhangy-slug")
    assert client.post(change_url(story), data).status_code == 302
    story.refresh_from_db()
    assert story.slug_ky == "zhangy-slug"


def test_editor_unpublishes_a_story(client, editor):
    story = make_article()
    login(client, editor)
    data = form_data(client.get(change_url(story)), _unpublish="1")
    assert client.post(change_url(story), data).status_code == 302
    story.refresh_from_db()
    assert story.status == Status.UNPUBLISHED


def test_workflow_buttons_match_the_role(client, editor, journalist):
    story = make_article(status=Status.SUBMITTED, created_by=journalist)
    draft = make_article(status=Status.DRAFT, created_by=journalist)
    editor_html = login(client, editor).get(change_url(story)).content.decode()
    for button in ["_publish", "_schedule", "_return_to_author"]:
        assert f'name="{button}"' in editor_html
    journalist_html = login(client, journalist).get(change_url(draft)).content.decode()
    assert 'name="_submit_for_review"' in journalist_html
    for button in ["_publish", "_schedule", "_return_to_author", "_unpublish"]:
        assert f'name="{button}"' not in journalist_html
    assert 'name="is_main"' not in journalist_html


# Bulk actions.


def _action(client, action, stories):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [str(s.pk) for s in stories], "index": "0"},
    )


def test_editor_publishes_and_unpublishes_in_bulk(client, editor):
    drafts = [make_article(status=Status.SUBMITTED) for _ in range(3)]
    login(client, editor)
    assert _action(client, "publish_selected", drafts).status_code == 302
    assert Article.objects.published().count() == 3
    assert _action(client, "unpublish_selected", drafts[:2]).status_code == 302
    assert Article.objects.published().count() == 1


def test_journalist_cannot_publish_in_bulk(client, journalist):
    own = [make_article(status=Status.SUBMITTED, created_by=journalist) for _ in range(2)]
    login(client, journalist)
    page = client.get(CHANGELIST).content.decode()
    assert "publish_selected" not in page
    _action(client, "publish_selected", own)
    assert not Article.objects.filter(status=Status.PUBLISHED).exists()


# Bad input.


def test_a_missing_rubric_is_named_in_kyrgyz_and_the_text_is_kept(client, journalist):
    login(client, journalist)
    data = form_data(client.get(ADD), title_ky="Узун сөз: " + "ө" * 200, body_ky="<p>Тексти</p>")
    response = client.post(ADD, data)
    assert response.status_code == 200
    html = response.content.decode()
    with translation.override("ky"):
        expected = f"{capfirst(gettext('rubric'))}: {gettext('This field is required.')}"
    assert expected in html
    assert "ө" * 200 in html
    assert not Article.objects.exists()


def test_a_text_file_as_image_is_refused_and_the_text_is_kept(client, journalist):
    story = make_article(status=Status.DRAFT, created_by=journalist)
    login(client, journalist)
    data = form_data(
        client.get(change_url(story)),
        title_ky="Сүрөтсүз аталыш",
        image=SimpleUploadedFile("photo.png", b"not an image at all", content_type="image/png"),
    )
    response = client.post(change_url(story), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Сүрөтсүз аталыш" in html
    assert ky("This file is not an image. Upload a JPEG, PNG or WebP photo.") in html
    story.refresh_from_db()
    assert not story.image


def test_an_oversized_image_is_refused_with_the_limit(client, journalist, settings):
    settings.NEWSROOM_MAX_IMAGE_BYTES = 100
    story = make_article(status=Status.DRAFT, created_by=journalist)
    login(client, journalist)
    data = form_data(client.get(change_url(story)), title_ky="Чоң сүрөт", image=png_upload())
    response = client.post(change_url(story), data)
    assert response.status_code == 200
    assert "Чоң сүрөт" in response.content.decode()
    assert (
        response.context["adminform"]
        .form.errors["image"][0]
        .startswith(ky("The image is too large (%(size)s). The limit is %(limit)s.").split("(")[0])
    )
    story.refresh_from_db()
    assert not story.image


def test_an_uploaded_image_is_shown_as_a_thumbnail(client, journalist):
    story = make_article(status=Status.DRAFT, created_by=journalist)
    login(client, journalist)
    data = form_data(client.get(change_url(story)), image=png_upload())
    assert client.post(change_url(story), data).status_code == 302
    story.refresh_from_db()
    assert story.image.name.endswith(".png")
    html = client.get(change_url(story)).content.decode()
    assert 'class="focal-point-picker"' in html
    assert story.image_renditions["preview"]["name"] in html


# Preview, view on site, translation status.


def test_preview_shows_a_draft_as_readers_will_see_it_and_is_never_cached(client, editor):
    story = make_article(status=Status.DRAFT, title_ru="Черновик для читателей")
    response = login(client, editor).get(
        reverse("admin:articles_article_preview", args=[story.pk, "ru"])
    )
    assert response.status_code == 200
    assert "Черновик для читателей" in response.content.decode()
    assert response.context["preview"] is True
    assert "no-store" in response["Cache-Control"]
    assert "articles/article_detail.html" in [t.name for t in response.templates]


def test_preview_of_someone_elses_story_is_not_found_for_a_journalist(client, journalist):
    story = make_article(status=Status.DRAFT)
    response = login(client, journalist).get(
        reverse("admin:articles_article_preview", args=[story.pk, "ky"])
    )
    assert response.status_code == 404


def test_preview_of_a_nonsense_address_is_not_found(client, editor):
    login(client, editor)
    for args in (["abc", "ky"], ["999999", "ru"], ["1", "en"]):
        response = client.get(reverse("admin:articles_article_preview", args=args))
        assert response.status_code == 404


def test_view_on_site_points_to_the_live_story_in_its_language(client, editor):
    live_ru = make_article(languages=("ru",))
    draft = make_article(status=Status.DRAFT)
    login(client, editor)
    assert f"/ru/news/{live_ru.slug_ru}/" in client.get(change_url(live_ru)).content.decode()
    assert "viewsitelink" not in client.get(change_url(draft)).content.decode()


def test_translation_status_shows_missing_languages_and_links_to_them(client, editor):
    both = make_article(title_ky="Эки тилдеги макала")
    ky_only = make_article(languages=("ky",), title_ky="Орусчасы жок макала")
    url = reverse("admin:articles_article_translations")
    login(client, editor)
    html = client.get(url).content.decode()
    assert "Эки тилдеги макала" in html and "Орусчасы жок макала" in html
    assert f'href="{change_url(ky_only)}#lang-ru"' in html
    assert ky("missing") in html and ky("ready") in html
    missing_ru = client.get(url, {"missing": "ru"}).content.decode()
    assert "Орусчасы жок макала" in missing_ru and "Эки тилдеги макала" not in missing_ru
    assert "Орусчасы жок макала" not in client.get(url, {"missing": "ky"}).content.decode()
    assert both.has_language("ru")


def test_front_page_links_to_translation_status_and_pending_comments(client, editor):
    from comments.models import Comment

    story = make_article()
    for text in ("Биринчи", "Экинчи", "Үчүнчү"):
        Comment.objects.create(article=story, text=text, name="Окурман", language="ky")
    Comment.objects.create(
        article=story, text="Жактырылган", name="Окурман", status=Comment.Status.APPROVED
    )
    html = login(client, editor).get(reverse("admin:index")).content.decode()
    assert reverse("admin:articles_article_translations") in html
    assert reverse("admin:articles_article_translations") in client.get(CHANGELIST).content.decode()
    assert reverse("admin:articles_article_add") in html
    with translation.override("ky"):
        pending = ngettext(
            "%(counter)s comment is waiting for moderation.",
            "%(counter)s comments are waiting for moderation.",
            3,
        ) % {"counter": 3}
    assert pending in " ".join(html.split())
    assert reverse("admin:comments_comment_changelist") + "?status__exact=pending" in html


def test_bylines_keep_their_order(client, editor):
    first, second = make_user(role="Journalist"), make_user(role="Journalist")
    story = make_article(status=Status.DRAFT, authors=[second, first])
    login(client, editor)
    data = form_data(client.get(change_url(story)))
    data["bylines-0-position"], data["bylines-1-position"] = "1", "0"
    assert client.post(change_url(story), data).status_code == 302
    assert [b.author.user for b in Byline.objects.filter(article=story)] == [first, second]


def test_editor_publishes_a_new_story_straight_from_the_add_form(client, editor):
    rubric = make_rubric()
    login(client, editor)
    data = form_data(
        client.get(ADD),
        title_ru="Срочная новость",
        body_ru="<p>Текст.</p>",
        rubric=str(rubric.pk),
        _publish="1",
    )
    response = client.post(ADD, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    story = Article.objects.get(title_ru="Срочная новость")
    assert story in Article.objects.live("ru")
    assert story.created_by == editor


def test_rubrics_places_and_tags_are_listed_on_the_front_page_for_editors_only(
    client, editor, journalist
):
    rubrics = reverse("admin:articles_rubric_changelist")
    assert rubrics in login(client, editor).get(reverse("admin:index")).content.decode()
    assert rubrics not in login(client, journalist).get(reverse("admin:index")).content.decode()


def test_a_journalist_adds_a_new_tag_from_the_story_form(client, journalist):
    story = make_article(status=Status.DRAFT, created_by=journalist)
    login(client, journalist)
    add_tag = reverse("admin:articles_tag_add")
    assert add_tag in client.get(change_url(story)).content.decode()
    response = client.post(
        add_tag + "?_to_field=id&_popup=1",
        {"name_ky": "Өкмөт жыйыны", "name_ru": "Заседание правительства", "_popup": "1"},
    )
    assert response.status_code == 200
    tag = Tag.objects.get(name_ky="Өкмөт жыйыны")
    assert tag.slug == slug_from_title("Өкмөт жыйыны")
    assert "data-popup-response" in response.content.decode()


def test_saving_a_story_never_overwrites_counters_moved_meanwhile(client, editor):
    story = make_article(status=Status.DRAFT)
    login(client, editor)
    data = form_data(client.get(change_url(story)), title_ky="Жаңы аталыш")
    Article.objects.filter(pk=story.pk).update(view_count=7, comment_count=3)
    assert client.post(change_url(story), data).status_code == 302
    story.refresh_from_db()
    assert (story.title_ky, story.view_count, story.comment_count) == ("Жаңы аталыш", 7, 3)


def test_the_story_list_does_not_query_per_story(client, editor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, editor)

    def queries_for(count):
        for _ in range(count):
            make_article(authors=[make_user(role="Journalist")], tags=["саясат"])
        with CaptureQueriesContext(connection) as context:
            assert client.get(CHANGELIST).status_code == 200
        return len(context)

    assert queries_for(2) == queries_for(10)
