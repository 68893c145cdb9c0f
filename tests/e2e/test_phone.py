"""Journey 5: every page type at a phone's width, in both languages: nothing overflows
sideways, the rubric menu scrolls and leads to a rubric; phone screenshots are saved."""

import pytest

from .helpers import PHONE, public_pages, screenshot, wider_than_window

pytestmark = pytest.mark.usefixtures("demo")


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_pages_fit_a_phone_screen(new_page, language):
    page = new_page(viewport=PHONE)
    overflowing = []
    for page_type, url in public_pages(language).items():
        page.goto(url)
        widths = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        if widths[0] > widths[1]:
            overflowing.append(
                f"{url}: {widths[0]}px wide in a {widths[1]}px window; sticking out: "
                + "; ".join(wider_than_window(page))
            )
        screenshot(page, f"{page_type}-{language}-phone")
    assert not overflowing, "\n".join(overflowing)


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_the_rubric_menu_scrolls_and_leads_to_a_rubric_on_a_phone(new_page, language):
    """The rubric menu is one swipeable row on a phone: its last rubric starts off-screen
    and is still reachable with a tap."""
    page = new_page(viewport=PHONE)
    page.goto(f"/{language}/")
    rubric_links = page.locator("header nav a[href*='/rubric/']")
    assert rubric_links.count() >= 8
    last = rubric_links.last
    assert last.bounding_box()["x"] >= PHONE["width"], "the menu should scroll, not wrap"

    href = last.get_attribute("href")
    last.click()

    page.wait_for_url(f"**{href}")
    assert page.get_by_role("heading", level=1).is_visible()
    current = page.locator("header nav a[aria-current=page]")
    assert current.get_attribute("href") == href
