import os

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import translation


@pytest.fixture(autouse=True, scope="session")
def _jinja2_templates_report_their_context():
    """The test client's `response.context` for pages rendered with Jinja2 too: Django's
    test setup instruments only its own engine to send `template_rendered`."""
    from django.template.backends import jinja2
    from django.test.signals import template_rendered

    render = jinja2.Template.render

    def instrumented(self, context=None, request=None):
        template_rendered.send(sender=self, template=self.template, context=dict(context or {}))
        return render(self, context, request)

    jinja2.Template.render = instrumented
    yield
    jinja2.Template.render = render


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with an empty cache (Redis in CI is shared between runs), and
    no worker's copy of a page from an earlier test."""
    from newsroom.pagecache import forget_local_copies

    cache.clear()
    forget_local_copies()
    yield
    cache.clear()
    forget_local_copies()


@pytest.fixture(autouse=True)
def _default_language():
    """A request leaves its page's language active in the thread; the next test starts
    from the site's default, whatever ran before it."""
    yield
    translation.deactivate()


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://... (CI does)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI (NEWSROOM_NO_SKIPS=1) a skipped test is a failure: nothing may skip there."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("NEWSROOM_NO_SKIPS") == "1":
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where nothing may skip: {reason}"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing costs half a second per user; tests check behaviour, not bcrypt."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def reader():
    """An anonymous browser in front of the page-cached WSGI application."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from tests.page_reader import Reader

    # As Django's test client does: the test's transaction must outlive each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield Reader()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        # The requests activated their page's language in this thread.
        translation.deactivate()


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Run a change and its after-commit purges, as a committed admin save does."""

    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            return change()

    return run


@pytest.fixture
def own_redis(settings, tmp_path):
    """The cache on a Redis server of the test's own: it can stop and start it, and its
    counters count this test alone. `own_redis.admin` is a client of the test's."""
    import redis

    from newsroom.caching import resilient_cache
    from tests.own_services import RedisServer

    server = RedisServer(tmp_path)
    server.start()
    settings.CACHES = {
        "default": resilient_cache(
            {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": server.url}
        )
    }
    server.admin = redis.Redis.from_url(server.url)
    try:
        yield server
    finally:
        server.admin.close()
        server.stop()
