"""The admin fits a 1366 x 768 laptop, in Kyrgyz and in Russian.

Every story-list column is in the window, the moderators' Approve/Reject are in view
without scrolling, the date picker shows Sunday, the headline field is headline-wide,
one field is called "publication time", and no two buttons overlap. Screenshots of the
story list, the story form and the comment queue, at laptop and phone width, are saved
in artifacts/screenshots/ (admin-*).
"""

import pytest
from django.urls import reverse

from articles.models import Article

from .helpers import PHONE, admin_login, screenshot, wider_than_window

pytestmark = pytest.mark.usefixtures("demo")

LAPTOP = {"width": 1366, "height": 768}
PUBLICATION_TIME = {"ky": "Жарыялоо убактысы", "ru": "Время публикации"}

# Boxes of the buttons and button-like links a user clicks, that overlap another one.
OVERLAPPING_BUTTONS = """() => {
  const boxes = [...document.querySelectorAll(
      '.submit-row input, .submit-row a, .submit-row button, .object-tools a,' +
      ' #user-tools a, #user-tools button, #user-tools select, .actions button,' +
      ' .actions select, td.field-row_actions button')]
    .filter((el) => el.offsetParent !== null)
    .map((el) => [el, el.getBoundingClientRect()]);
  const name = (el) => el.tagName.toLowerCase() + ' "' +
      (el.textContent || el.value || '').trim().slice(0, 30) + '"';
  const problems = [];
  boxes.forEach(([a, ra], i) => boxes.slice(i + 1).forEach(([b, rb]) => {
    if (a.contains(b) || b.contains(a)) return;
    const x = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
    const y = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
    if (x > 1 && y > 1) problems.push(`${name(a)} overlaps ${name(b)}`);
  }));
  return problems;
}"""


def inside_window(box, viewport):
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= viewport["width"]
        and box["y"] + box["height"] <= viewport["height"]
    )


def no_sideways_scrolling(page):
    width, window = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= window, f"{width}px wide in {window}px: " + "; ".join(wider_than_window(page))


def log_in(new_page, username, language, viewport):
    page = new_page(locale=language, viewport=viewport)
    admin_login(page, username)
    return page


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_the_story_list_shows_every_column_on_a_laptop(new_page, language):
    page = log_in(new_page, "editor", language, LAPTOP)
    page.goto(reverse("admin:articles_article_changelist"))
    headers = page.locator("#result_list thead th")
    assert headers.count() >= 7
    for index in range(headers.count()):
        header = headers.nth(index)
        box = header.bounding_box()
        assert box["x"] + box["width"] <= LAPTOP["width"], header.inner_text()
    results = page.locator(".results")
    assert results.evaluate("(el) => el.scrollWidth <= el.clientWidth"), "the list scrolls"
    no_sideways_scrolling(page)
    assert page.evaluate(OVERLAPPING_BUTTONS) == []
    screenshot(page, f"admin-story-list-{language}-laptop")


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_moderators_see_approve_and_reject_without_scrolling(new_page, language):
    page = log_in(new_page, "moderator", language, LAPTOP)
    page.goto(reverse("admin:comments_comment_changelist") + "?status__exact=pending")
    first_row = page.locator("#result_list tbody tr").first
    for action in ("approve", "reject"):
        button = first_row.locator(f"button[value={action}]")
        assert inside_window(button.bounding_box(), LAPTOP), action
    no_sideways_scrolling(page)
    assert page.evaluate(OVERLAPPING_BUTTONS) == []
    screenshot(page, f"admin-comment-queue-{language}-laptop")


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_the_story_form_fits_a_laptop(new_page, language):
    page = log_in(new_page, "editor", language, LAPTOP)
    story = Article.objects.filter(status=Article.Status.PUBLISHED).first()
    page.goto(reverse("admin:articles_article_change", args=[story.pk]))
    no_sideways_scrolling(page)
    assert page.evaluate(OVERLAPPING_BUTTONS) == []
    title = page.locator(f"#id_title_{language}")
    assert title.bounding_box()["width"] >= 700, "the headline field is headline-wide"
    labels = page.locator("label, .form-row > div > div.flex-container > label")
    publication = [
        text
        for text in labels.all_inner_texts()
        if text.strip().rstrip(":").lower() == PUBLICATION_TIME[language].lower()
    ]
    assert len(publication) == 1, labels.all_inner_texts()
    screenshot(page, f"admin-story-form-{language}-laptop")

    # The date picker of "publish at" shows the whole week, Sunday included.
    link = page.locator("#calendarlink0")
    link.scroll_into_view_if_needed()
    link.click()
    week = page.locator("#calendarbox0 tr").first.locator("th")
    assert week.count() == 7
    box = page.locator("#calendarbox0").bounding_box()
    sunday = week.last.bounding_box()
    assert sunday["x"] + sunday["width"] <= box["x"] + box["width"] + 0.5
    assert week.last.is_visible()
    assert sunday["x"] + sunday["width"] <= LAPTOP["width"]


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_the_admin_pages_fit_a_phone(new_page, language):
    story = Article.objects.filter(status=Article.Status.PUBLISHED).first()
    pages = {
        "story-list": ("editor", reverse("admin:articles_article_changelist")),
        "story-form": ("editor", reverse("admin:articles_article_change", args=[story.pk])),
        "comment-queue": ("moderator", reverse("admin:comments_comment_changelist")),
    }
    logged_in = {}
    for name, (username, url) in pages.items():
        if username not in logged_in:
            logged_in[username] = log_in(new_page, username, language, PHONE)
        page = logged_in[username]
        page.goto(url)
        assert page.evaluate(OVERLAPPING_BUTTONS) == [], name
        screenshot(page, f"admin-{name}-{language}-phone")
