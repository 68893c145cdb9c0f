"""Journey 1: a story goes from a journalist's draft, through an editor's review, to a
scheduled publication that appears on both sites at its time, and not before."""

import io
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from articles.models import Article

from .helpers import admin_login

pytestmark = pytest.mark.usefixtures("demo")

TITLE_KY = "Жалал-Абадда жаңы мектеп ачылды"
TITLE_KY_FIXED = "Жалал-Абадда 600 орундуу жаңы мектеп ачылды"
TITLE_RU = "В Джалал-Абаде открылась новая школа"
BODY_KY = "Мектепке 600 окуучу батат. Курулуш эки жыл уланды."
BODY_RU = "Школа рассчитана на 600 учеников. Строительство длилось два года."
NOTE = "Аталышка орундардын санын кошуңуз."
RU_MONTHS = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"
# Far enough ahead for the editor's click to land before it, short enough to wait for.
SCHEDULE_AHEAD = timedelta(seconds=15)


def photo() -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 450), (30, 90, 140)).save(buffer, "JPEG")
    return {"name": "mektep.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def fill_translated(page, field: str, language: str, text: str) -> None:
    """Open the field's language tab, then type (into the rich-text editor for the body)."""
    page.locator(f"a[href='#tab_id_{field}_{language}']").click()
    if field == "body":
        editor = page.locator(f"#tab_id_body_{language}").get_by_role("textbox")
        editor.click()
        editor.press_sequentially(text)
    else:
        page.locator(f"#id_{field}_{language}").fill(text)


def choose(page, field: str, search: str, option: str) -> None:
    """Pick from an admin autocomplete (select2) the way a person does: type, then click."""
    page.locator(f".field-{field} .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(search)
    page.locator(".select2-results__option", has_text=option).first.click()


def click_workflow_button(page, name: str) -> None:
    page.locator(f"input[type=submit][name={name}]").click()
    page.wait_for_load_state()
    assert not page.locator(".errornote, .errorlist").count(), page.locator("#content").inner_text()


def change_url(article: Article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def expected_datelines(published_at) -> dict[str, str]:
    local = timezone.localtime(published_at)
    month = RU_MONTHS.split()[local.month - 1]
    return {
        "ky": f"Жалал-Абад, {local:%d.%m.%y}. /Кабар/.",
        "ru": f"Джалал-Абад, {local.day} {month}. /Кабар/.",
    }


def test_a_story_goes_from_draft_through_review_to_a_scheduled_publication(new_page):
    # The journalist writes the story in the Kyrgyz admin, in both languages.
    journalist = new_page(locale="ky")
    admin_login(journalist, "journalist")
    assert journalist.locator("html").get_attribute("lang") == "ky"
    journalist.goto("/admin/articles/article/add/")
    fill_translated(journalist, "title", "ky", TITLE_KY)
    fill_translated(journalist, "body", "ky", BODY_KY)
    fill_translated(journalist, "title", "ru", TITLE_RU)
    fill_translated(journalist, "body", "ru", BODY_RU)
    choose(journalist, "rubric", "Коом", "Коом")
    choose(journalist, "place", "Жалал", "Жалал-Абад")
    choose(journalist, "tags", "Билим", "Билим берүү")
    choose(journalist, "tags", "Жашт", "Жаштар")
    journalist.locator("#id_image").set_input_files(photo())
    click_workflow_button(journalist, "_submit_for_review")

    story = Article.objects.get(title_ky=TITLE_KY)
    assert story.status == Article.Status.SUBMITTED
    assert (story.title_ru, story.rubric.name_ky, story.place.name_ky) == (
        TITLE_RU,
        "Коом",
        "Жалал-Абад",
    )
    assert sorted(story.tags.values_list("name_ky", flat=True)) == ["Билим берүү", "Жаштар"]
    assert story.image

    # The editor sends it back with a note.
    editor = new_page(locale="ky")
    admin_login(editor, "editor")
    editor.goto(change_url(story))
    editor.locator("#id_review_note").fill(NOTE)
    click_workflow_button(editor, "_return_to_author")
    story.refresh_from_db()
    assert story.status == Article.Status.DRAFT

    # The journalist sees the note, fixes the title and submits again.
    journalist.goto(change_url(story))
    assert NOTE in journalist.get_by_role("alert").inner_text()
    fill_translated(journalist, "title", "ky", TITLE_KY_FIXED)
    click_workflow_button(journalist, "_submit_for_review")
    story.refresh_from_db()
    assert (story.status, story.title_ky) == (Article.Status.SUBMITTED, TITLE_KY_FIXED)

    # The editor schedules it a little ahead (Bishkek time, Kyrgyz date format).
    editor.goto(change_url(story))
    at = timezone.localtime().replace(microsecond=0) + SCHEDULE_AHEAD
    editor.locator("#id_publish_at_0").fill(f"{at:%d.%m.%Y}")
    editor.locator("#id_publish_at_1").fill(f"{at:%H:%M:%S}")
    click_workflow_button(editor, "_schedule")
    story.refresh_from_db()
    assert story.status == Article.Status.PUBLISHED
    assert story.published_at == at

    # Before its time, readers see it on neither site.
    reader = new_page()
    urls = {"ky": f"/ky/news/{story.slug_ky}/", "ru": f"/ru/news/{story.slug_ru}/"}
    titles = {"ky": TITLE_KY_FIXED, "ru": TITLE_RU}
    for language in ("ky", "ru"):
        reader.goto(f"/{language}/")
        assert reader.get_by_text(titles[language]).count() == 0, language
        assert reader.goto(urls[language]).status == 404, language
    assert timezone.now() < at, "the checks before publication ran too late to mean anything"

    # At its time it is there, on both sites, with each language's dateline.
    time.sleep(max(0, (at - timezone.now()).total_seconds()) + 1)
    datelines = expected_datelines(at)
    for language in ("ky", "ru"):
        reader.goto(f"/{language}/")
        reader.get_by_role("link", name=titles[language]).first.click()
        reader.wait_for_url(f"**{urls[language]}")
        assert reader.get_by_role("heading", level=1).inner_text() == titles[language]
        body = reader.locator(".story-body").inner_text()
        assert body.startswith(datelines[language]), body[:80]
        image = reader.locator(".story-figure img")
        assert image.evaluate("img => img.complete && img.naturalWidth > 0"), "photo not loaded"
