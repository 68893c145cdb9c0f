"""Journeys in the Kyrgyz admin: an editor restores an earlier text of a live story and
recovers a deleted one, by clicking; a journalist is refused both."""

import pytest
from django.utils import translation
from django.utils.translation import gettext
from reversion.models import Version

from articles.models import Article, Byline

from .helpers import admin_login, screenshot

pytestmark = pytest.mark.usefixtures("demo")

GOOD_TITLE = "Бишкекте жаңы көпүрө ачылды"
BAD_TITLE = "Ошто эски көпүрө жабылды"


def ky(message):
    with translation.override("ky"):
        return gettext(message)


def change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"


def save(page):
    """Press the admin's "Save" and expect no error on the page that follows."""
    page.locator("input[type=submit][name=_save]").first.click()
    page.wait_for_load_state()
    assert not page.locator(".errornote, .errorlist").count(), page.locator("#content").inner_text()


def retitle(page, article, title):
    page.goto(change_url(article))
    page.locator("a[href='#tab_id_title_ky']").click()
    page.locator("#id_title_ky").fill(title)
    save(page)


def demo_story():
    """A live story with image, tags and authors; without reader comments, as an editor
    may not delete the comments with it."""
    return (
        Article.objects.live("ky")
        .exclude(image="")
        .filter(tags__isnull=False, bylines__isnull=False, comments__isnull=True)
        .distinct()
        .first()
    )


def test_an_editor_restores_an_earlier_text_and_the_story_stays_live(new_page):
    story = demo_story()
    published_at = story.published_at
    editor = new_page(locale="ky")
    admin_login(editor, "editor")
    retitle(editor, story, GOOD_TITLE)
    retitle(editor, story, BAD_TITLE)
    good = Version.objects.get_for_object(story).filter(serialized_data__contains=GOOD_TITLE)
    good = good.get()

    editor.goto(f"/admin/articles/article/{story.pk}/history/")
    editor.locator(f"a[href$='/history/{good.pk}/']").click()
    editor.wait_for_load_state()
    assert editor.locator("#id_title_ky").input_value() == GOOD_TITLE
    screenshot(editor, "admin-restore-ky")
    save(editor)

    story.refresh_from_db()
    assert story.title_ky == GOOD_TITLE
    assert (story.status, story.published_at) == (Article.Status.PUBLISHED, published_at)
    reader = new_page()
    reader.goto(f"/ky/news/{story.slug_ky}/")
    assert reader.get_by_role("heading", level=1).inner_text() == GOOD_TITLE

    editor.goto(f"/admin/articles/article/{story.pk}/history/")
    restored_line = ky("Restored from the version of %(time)s.").split("%")[0]
    assert restored_line in editor.locator("#change-history").inner_text()


def test_a_journalist_cannot_open_or_post_a_restore_of_an_editors_story(new_page):
    story = demo_story()
    editor = new_page(locale="ky")
    admin_login(editor, "editor")
    retitle(editor, story, GOOD_TITLE)
    retitle(editor, story, BAD_TITLE)
    good = Version.objects.get_for_object(story).filter(serialized_data__contains=GOOD_TITLE)
    url = f"/admin/articles/article/{story.pk}/history/{good.get().pk}/"

    journalist = new_page(locale="ky")
    admin_login(journalist, "journalist")
    assert journalist.goto(url).status == 403
    token = journalist.context.cookies()
    csrf = next(cookie["value"] for cookie in token if cookie["name"] == "csrftoken")
    forged = journalist.request.post(
        url, form={"csrfmiddlewaretoken": csrf}, headers={"Referer": journalist.url}
    )
    assert forged.status == 403
    story.refresh_from_db()
    assert (story.title_ky, story.is_live) == (BAD_TITLE, True)


def test_an_editor_recovers_a_deleted_story_as_a_draft_with_tags_authors_and_image(new_page):
    story = demo_story()
    pk, title = story.pk, story.title_ky
    tags = sorted(story.tags.names())
    authors = list(Byline.objects.filter(article=story).values_list("author", flat=True))
    image = story.image.name
    editor = new_page(locale="ky")
    admin_login(editor, "editor")
    # A save through the admin is what keeps a revision to recover from.
    retitle(editor, story, title)

    editor.goto(f"/admin/articles/article/{pk}/delete/")
    editor.locator("#content form input[type=submit]").click()
    editor.wait_for_load_state()
    assert not Article.objects.filter(pk=pk).exists()

    editor.goto("/admin/articles/article/")
    editor.get_by_role("link", name=ky("Recover deleted stories")).click()
    # The recover list links each deleted story by the time it was last saved.
    editor.locator("tr", has_text=title).get_by_role("link").click()
    editor.wait_for_load_state()
    assert editor.locator("#id_title_ky").input_value() == title
    screenshot(editor, "admin-recover-ky")
    save(editor)

    story = Article.objects.get(pk=pk)
    assert (story.status, story.title_ky) == (Article.Status.DRAFT, title)
    assert sorted(story.tags.names()) == tags
    assert list(Byline.objects.filter(article=story).values_list("author", flat=True)) == authors
    assert story.image.name == image
    reader = new_page()
    assert reader.goto(f"/ky/news/{story.slug_ky}/").status == 404

    journalist = new_page(locale="ky")
    admin_login(journalist, "journalist")
    assert journalist.goto("/admin/articles/article/recover/").status == 403
