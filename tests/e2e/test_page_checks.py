"""Every public page type, in both languages, as real tools see it.

axe-core (run inside Chromium) finds no serious or critical violation; the Nu HTML
Checker finds no error; no page asks another host for anything (the `new_page` fixture
blocks and reports such requests). Desktop screenshots of each page are saved on the way.
"""

import pytest

from .helpers import axe_problems, html_errors, public_pages, screenshot

LANGUAGES = ["ky", "ru"]

pytestmark = pytest.mark.usefixtures("demo")


def expected_status(page_type: str) -> int:
    return 404 if page_type == "404" else 200


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_type_has_no_serious_accessibility_violation(page, language):
    problems = {}
    for page_type, url in public_pages(language).items():
        response = page.goto(url)
        assert response.status == expected_status(page_type), f"{url}: {response.status}"
        assert page.locator("html").get_attribute("lang") == language, url
        screenshot(page, f"{page_type}-{language}-desktop")
        for problem in axe_problems(page):
            problems.setdefault(problem, []).append(url)
    assert not problems, "axe-core:\n" + "\n".join(
        f"{problem}\n  on {', '.join(urls)}" for problem, urls in problems.items()
    )


def test_every_page_type_is_valid_html(page):
    documents = {}
    for language in LANGUAGES:
        for page_type, url in public_pages(language).items():
            response = page.request.get(url)
            assert response.status == expected_status(page_type), f"{url}: {response.status}"
            documents[f"{page_type}-{language}"] = response.text()
    errors = html_errors(documents)
    assert not errors, "Nu HTML Checker:\n" + "\n".join(errors)
