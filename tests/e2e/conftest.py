"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Every test in this folder is marked `browser`. Without Chromium (or Java, for the Nu HTML
Checker) they are skipped with the command that installs it, never silently; in CI
(NEWSROOM_NO_SKIPS=1) a skip is a failure, and `.ci/run` installs both (`make e2e-deps`).
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import connections

from articles import demo as demo_module
from articles.images import rendition_names

from .helpers import DEMO_PASSWORD, DESKTOP, screenshot

# The site under test listens on 127.0.0.1 (pytest-django's default would be "localhost").
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

E2E_DIR = Path(__file__).resolve().parent

# A headless Chromium that talks to nobody but the site: no updates, sync or QUIC probes.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if E2E_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Remembered so that `new_page` can photograph the pages of a failed test.
    report = yield
    if report.when == "call":
        item.e2e_call_failed = report.failed
    return report


@pytest.fixture(scope="session")
def chromium_path():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip(
            "Chromium is not installed: run `apt-get install -y chromium` "
            "(or `make e2e-deps` as root) to run the browser tests"
        )
    try:
        import playwright  # noqa: F401
    except ImportError:
        pytest.skip("Playwright is not installed: run `pip install -e '.[test]'`")
    return path


@pytest.fixture
def browser(chromium_path, site, monkeypatch):
    """A Chromium for one test, started after the test database is set up and stopped
    before it is flushed.

    While Playwright's sync API runs, the thread counts as async to asgiref, so Django
    opens other database connections for it; the flush and the serialized-rollback
    restore must run on the usual connection, the one that holds the data serialized
    when the test database was created.
    """
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an asyncio loop in the test thread; without this Django
    # refuses the ORM calls the test makes between two browser steps. Set for this test
    # only: `check --deploy` (run by another test) rightly rejects it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # Close the connections the test opened while Playwright ran (see above); left
        # open, they would keep PostgreSQL from dropping the test database at the end.
        connections.close_all()


@pytest.fixture
def site(live_server, settings, tmp_path, django_db_serialized_rollback):
    """The live site, with uploads in a temporary folder served under /media/.

    Serialized rollback restores what migrations created (the editorial groups) after
    each test flushes the tables.
    """
    settings.ROOT_URLCONF = "tests.e2e.urls"
    settings.MEDIA_ROOT = tmp_path / "media"
    return live_server


@pytest.fixture(scope="session")
def demo_renditions(tmp_path_factory):
    """The demo photos' renditions, made once per run: (made manifests, kept files)."""
    return {}, tmp_path_factory.mktemp("demo-renditions")


@pytest.fixture
def demo(site, monkeypatch, settings, demo_renditions):
    """The demo content in the live site's database; every demo user has DEMO_PASSWORD.

    Every test loads the same demo photos under the same names, and their renditions
    (about 13 encodes each, 12 s of a test's set-up) are the same files each time: the
    first load makes them, later loads get copies of those files and their manifests.
    """
    made, kept = demo_renditions
    make = demo_module.renditions_make

    def made_once(*, image, **kwargs):
        key = (image.name, repr(sorted(kwargs.items())))
        media = Path(settings.MEDIA_ROOT)
        if key in made:
            source, target = kept, media
        else:
            made[key] = make(image=image, **kwargs)
            source, target = media, kept
        for name in rendition_names(made[key]):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / name, target / name)
        return made[key]

    monkeypatch.setattr(demo_module, "renditions_make", made_once)
    monkeypatch.setenv("NEWSROOM_DEMO_PASSWORD", DEMO_PASSWORD)
    call_command("load_demo", verbosity=0)


# Runs before any of the page's own scripts, in every frame of every page.
REPORT_POLICY_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
    window.reportPolicyViolation(
        `${document.location.href}: ${event.effectiveDirective} refused ` +
        `${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber}) ` +
        `${event.sample}`
    );
});
"""
POLICY_WORDS = ("Content Security Policy", "Permissions-Policy", "Cross-Origin-Opener-Policy")


def policy_messages(page, message) -> list[str]:
    """The browser's console complaints about a security header, if `message` is one."""
    if any(words in message.text for words in POLICY_WORDS):
        return [f"{page.url}: {message.text}"]
    return []


class OffsiteRequests(AssertionError):
    pass


@pytest.fixture
def new_page(request, browser, site):
    """Make pages, each in its own browser context (own cookies), at a given viewport.

    Every request to a host other than the live site is blocked and recorded; so are
    JavaScript errors and whatever the browser refuses under the security headers
    (a `securitypolicyviolation` event, or a console message about a policy). Any of
    them fails the test. When the test fails, each open page is
    saved under artifacts/screenshots/failed/.
    """
    site_host = urlsplit(site.url).netloc
    offsite, script_errors, policy_problems, contexts = [], [], [], []

    def keep_on_site(route):
        if urlsplit(route.request.url).netloc == site_host:
            route.continue_()
        else:
            offsite.append(f"{route.request.url} (from {route.request.frame.url})")
            route.abort()

    def make(*, viewport=DESKTOP, locale="ky"):
        context = browser.new_context(base_url=site.url, viewport=viewport, locale=locale)
        context.set_default_timeout(15_000)
        context.route("**/*", keep_on_site)
        context.expose_function("reportPolicyViolation", lambda text: policy_problems.append(text))
        context.add_init_script(REPORT_POLICY_VIOLATIONS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: script_errors.append(f"{page.url}: {error}"))
        page.on("console", lambda message: policy_problems.extend(policy_messages(page, message)))
        return page

    yield make
    if getattr(request.node, "e2e_call_failed", False):
        pages = [page for context in contexts for page in context.pages]
        for number, page in enumerate(pages, start=1):
            screenshot(page, f"failed/{request.node.name}-{number}")
    for context in contexts:
        context.close()
    if offsite:
        raise OffsiteRequests("requests to other hosts:\n" + "\n".join(sorted(set(offsite))))
    assert not script_errors, "JavaScript errors:\n" + "\n".join(script_errors)
    assert not policy_problems, "refused by the security headers:\n" + "\n".join(
        sorted(set(policy_problems))
    )


@pytest.fixture
def page(new_page):
    return new_page()
