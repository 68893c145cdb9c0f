"""The Content-Security-Policy refuses every inline script and foreign origin, yet the
pages and the editors' tools work under it: the rich-text editor, the language tabs,
the calendar, the autocompletes and the comparison of versions.

The `new_page` fixture fails a test on any `securitypolicyviolation` event or console
complaint about a security header, so each test below also proves that nothing on
its pages was refused.
"""

import re
from datetime import datetime

import pytest
from django.utils import timezone

from articles.models import Article

from .conftest import REPORT_POLICY_VIOLATIONS
from .helpers import admin_login
from .test_publishing import choose, click_workflow_button, fill_translated

pytestmark = pytest.mark.usefixtures("demo")

TITLE_KY = "Нарында жаңы көпүрө курулат"
TITLE_KY_FIXED = "Нарында 600 метрлик жаңы көпүрө курулат"
BODY_KY = "Көпүрөнүн узундугу 120 метр болот."
BODY_RU = "Длина моста составит 120 метров."
# The clock offers Now, Midnight, 6 a.m., Noon, 6 p.m. (in the page's language).
NOON = 3


def policy(response) -> str:
    return response.headers["content-security-policy"]


def test_public_pages_and_the_admin_login_run_under_the_policy(page):
    story = Article.objects.live("ky").exclude(image="").first()
    pages = (
        "/ky/",
        f"/ky/news/{story.slug_ky}/",
        "/ru/",
        "/admin/login/",
        "/admin/password_reset/",
    )
    for url in pages:
        response = page.goto(url)
        assert response.status == 200, url
        assert "'unsafe-inline'" not in policy(response), url
        assert response.headers["cross-origin-opener-policy"] == "same-origin", url
        assert "camera=()" in response.headers["permissions-policy"], url
    # The story's JSON-LD is data: the policy does not touch it, search engines read it.
    page.goto(f"/ky/news/{story.slug_ky}/")
    json_ld = page.locator("script[type='application/ld+json']").text_content()
    assert story.title_ky in json_ld


def test_an_editor_writes_and_schedules_a_story_with_every_widget_under_the_policy(new_page):
    editor = new_page(locale="ky")
    admin_login(editor, "editor")
    response = editor.goto("/admin/articles/article/add/")
    assert "'unsafe-inline'" not in policy(response)
    assert editor.locator("html").get_attribute("lang") == "ky"

    # Language tabs (jQuery UI) and the rich-text editor (Tiptap, loaded through an
    # import map that only runs with the request's nonce).
    fill_translated(editor, "title", "ky", TITLE_KY)
    fill_translated(editor, "body", "ky", BODY_KY)
    fill_translated(editor, "body", "ru", BODY_RU)
    for language in ("ky", "ru"):
        assert editor.locator(f"#tab_id_body_{language} .ProseMirror[contenteditable=true]").count()
    # An autocomplete (select2).
    choose(editor, "rubric", "Коом", "Коом")
    # The date from the calendar: next month's 15th; the time from the clock: noon.
    editor.locator(".field-publish_at .datetimeshortcuts a[id^=calendarlink]").click()
    calendar = editor.locator(".calendarbox:visible")
    calendar.locator(".calendarnav-next").click()
    month_caption = calendar.locator("caption").inner_text()
    calendar.locator("td a", has_text=re.compile(r"^15$")).click()
    picked_day = editor.locator("#id_publish_at_0").input_value()
    assert re.fullmatch(r"15\.\d\d\.\d{4}", picked_day), (picked_day, month_caption)
    editor.locator(".field-publish_at .datetimeshortcuts a[id^=clocklink]").click()
    editor.locator(".clockbox:visible .timelist a").nth(NOON).click()
    assert editor.locator("#id_publish_at_1").input_value() == "12:00:00"

    click_workflow_button(editor, "_schedule")

    story = Article.objects.get(title_ky=TITLE_KY)
    expected = timezone.make_aware(datetime.strptime(f"{picked_day} 12:00", "%d.%m.%Y %H:%M"))
    assert story.published_at == expected
    assert story.status == Article.Status.PUBLISHED
    assert BODY_KY in story.body_ky and BODY_RU in story.body_ru
    assert story.rubric.name_ky == "Коом"

    # A second version, then the history and the comparison of the two
    # (django-reversion-compare) under the same policy.
    editor.goto(f"/admin/articles/article/{story.pk}/change/")
    fill_translated(editor, "title", "ky", TITLE_KY_FIXED)
    click_workflow_button(editor, "_publish")
    editor.goto(f"/admin/articles/article/{story.pk}/history/")
    newest_from = editor.locator("input[name=version_id1]").first
    assert newest_from.is_hidden()  # comparing the newest with itself makes no sense
    editor.locator("#change-history [type=submit]").click()
    editor.wait_for_load_state()
    assert editor.locator("ins", has_text="600").count()


def test_the_violation_detector_sees_an_inline_script_refused(browser, site):
    """The check the other tests rely on is not blind: an injected inline script is
    refused by the policy, does not run, and is reported."""
    context = browser.new_context(base_url=site.url)
    reported = []
    context.expose_function("reportPolicyViolation", lambda text: reported.append(text))
    context.add_init_script(REPORT_POLICY_VIOLATIONS)
    page = context.new_page()
    page.goto("/ky/")
    page.evaluate(
        """() => {
        const script = document.createElement("script");
        script.textContent = "window.injected = true;";
        document.body.append(script);
    }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.injected") is None
    assert any("script-src" in line for line in reported), reported
    context.close()


def test_every_admin_list_and_form_runs_under_the_policy(new_page):
    """Every list, add form and first change form the admin index links to, opened by
    a superuser: nothing on them is refused (the fixture fails the test otherwise)."""
    admin = new_page(locale="ru")
    admin_login(admin, "admin")
    lists = admin.locator("#content-main a.changelink, #content-main th a").evaluate_all(
        "links => [...new Set(links.map((a) => a.getAttribute('href')))]"
    )
    assert len(lists) >= 10, lists
    visited = []
    for url in lists:
        response = admin.goto(url)
        assert response.status == 200, url
        visited.append(url)
        first = admin.locator("#result_list tbody th a").first
        if first.count():
            first.click()
            admin.wait_for_load_state()
            visited.append(admin.url)
    for url in admin.locator("#content-main a.addlink").evaluate_all(
        "links => links.map((a) => a.getAttribute('href'))"
    ):
        assert admin.goto(url).status == 200, url
        visited.append(url)
    assert any("/axes/accessattempt/" in url for url in visited)
