"""Journey 5: every page type at a phone's width, in both languages: nothing overflows
sideways, the menu opens and leads to a rubric; phone screenshots are saved."""

import pytest

from .helpers import PHONE, public_pages, screenshot

pytestmark = pytest.mark.usefixtures("demo")


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_pages_fit_a_phone_screen(new_page, language):
    page = new_page(viewport=PHONE)
    overflowing = []
    for page_type, url in public_pages(language).items():
        page.goto(url)
        page.wait_for_load_state("networkidle")
        widths = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        if widths[0] > widths[1]:
            overflowing.append(f"{url}: {widths[0]}px wide in a {widths[1]}px window")
        screenshot(page, f"{page_type}-{language}-phone")
    assert not overflowing, "\n".join(overflowing)


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_the_menu_opens_on_a_phone_and_leads_to_a_rubric(new_page, language):
    page = new_page(viewport=PHONE)
    page.goto(f"/{language}/")
    toggle = page.locator("header button[aria-controls]").first
    menu = page.locator(f"#{toggle.get_attribute('aria-controls')}")
    rubric_link = menu.get_by_role("link").first
    assert not rubric_link.is_visible()

    toggle.click()

    assert toggle.get_attribute("aria-expanded") == "true"
    rubric_link.wait_for(state="visible")
    href = rubric_link.get_attribute("href")
    rubric_link.click()
    page.wait_for_url(f"**{href}")
    assert page.get_by_role("heading", level=1).is_visible()
