"""Journey 2: a reader's comment waits for a moderator, then appears with the count up."""

import re
import time

import pytest
from django.utils import translation
from playwright.sync_api import expect

from articles.models import Article

from .helpers import admin_login

pytestmark = pytest.mark.usefixtures("demo")

# The form refuses what is sent faster than a person types (comments.services).
MIN_FILL_SECONDS = 3.2


def comment_count(page) -> int:
    """The count under the story's title (a link to the comments)."""
    text = page.locator(".story-header a[href='#comments']").inner_text()
    return int(re.findall(r"\d+", text)[-1])


def test_a_reader_comment_appears_once_a_moderator_approves_it(new_page):
    story = Article.objects.live("ky").filter(comments_open=True).first()
    with translation.override("ky"):
        story_url = story.get_absolute_url()
    text = "Макала жакты, рахмат! Ош шаарынан салам."
    reader = new_page()
    reader.goto(story_url)
    before = comment_count(reader)

    form = reader.locator("#comment-form")
    form.locator("#id_name").fill("Айжан")
    # The form's fill-time token comes when it is first used (static/js/site.js): the
    # time a person takes to write counts from there, however slow the machine. (Waited
    # for with a locator: a JavaScript string to evaluate is refused by the site's CSP.)
    expect(form.locator("input[name=started]")).not_to_have_value("", timeout=15_000)
    started = time.monotonic()
    form.locator("#id_text").fill(text)
    time.sleep(max(0, MIN_FILL_SECONDS - (time.monotonic() - started)))
    form.locator("[type=submit]").click()
    reader.wait_for_load_state()

    # Thanked, and told to wait for moderation; the comment itself is not shown yet.
    assert reader.locator(".comments [role=status]").count() == 1
    assert reader.locator(".comments").get_by_text(text).count() == 0
    assert comment_count(reader) == before

    moderator = new_page()
    admin_login(moderator, "moderator")
    moderator.locator(".comments-pending a").click()
    row = moderator.locator("#result_list tbody tr", has_text=text[:30])
    row.locator("button[value=approve]").click()
    moderator.wait_for_load_state()
    assert moderator.locator("#result_list tbody tr", has_text=text[:30]).count() == 0

    reader.goto(story_url)
    assert reader.locator(".comments").get_by_text(text).is_visible()
    assert comment_count(reader) == before + 1
