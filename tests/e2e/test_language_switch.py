"""Journey 3: the language switch keeps a reader on the same story when it exists in the
other language, and takes them to that language's home when it does not."""

import pytest
from django.utils import translation

from articles.models import Article

pytestmark = pytest.mark.usefixtures("demo")


def switch_to_russian(page):
    page.locator("header a[hreflang=ru]").first.click()
    page.wait_for_load_state()


def test_switching_a_bilingual_story_to_russian_opens_its_russian_version(page):
    story = Article.objects.live("ky").in_language("ru").first()
    with translation.override("ky"):
        page.goto(story.get_absolute_url())
        assert page.get_by_role("heading", level=1).inner_text() == story.title

    switch_to_russian(page)

    with translation.override("ru"):
        assert page.url.endswith(story.get_absolute_url())
        assert page.get_by_role("heading", level=1).inner_text() == story.title
    assert page.locator("html").get_attribute("lang") == "ru"


def test_switching_a_kyrgyz_only_story_to_russian_opens_the_russian_home(page):
    story = Article.objects.live("ky").filter(has_ru=False).first()
    with translation.override("ky"):
        page.goto(story.get_absolute_url())

    switch_to_russian(page)

    assert page.url.endswith("/ru/")
    assert page.locator("html").get_attribute("lang") == "ru"
