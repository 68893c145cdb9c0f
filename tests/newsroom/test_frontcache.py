"""A CDN in front: its pages carry its tag header and every change purges it by tag.

The CDN's purge API is played by a small HTTP server of the test's own, which records
what it is sent (never the real internet). The purge runs on the same events as the page
cache's (articles.signals), after the commit; a CDN that fails never fails a save.
"""

import json
import logging
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from newsroom import frontcache
from tests.articles.admin_client import change_url, form_data
from tests.factories import make_article, make_user
from tests.own_services import free_port

pytestmark = pytest.mark.django_db


class PurgeApi:
    """Records each request: method, path, headers and JSON body; answers `status`."""

    def __init__(self, status: int = 200):
        self.requests: list[dict] = []
        self.status = status
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", 0))
                api.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "json": json.loads(self.rfile.read(length) or b"null"),
                    }
                )
                self.send_response(api.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"success": true}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def purge_api():
    api = PurgeApi()
    yield api
    api.close()


@pytest.fixture
def cloudflare(settings, purge_api):
    settings.NEWSROOM_CDN = "cloudflare"
    settings.CLOUDFLARE_API_URL = purge_api.url + "/client/v4"
    settings.CLOUDFLARE_ZONE_ID = "zone123"
    settings.CLOUDFLARE_API_TOKEN = "cf-token"  # noqa: S105 (a test's own fake API)
    return purge_api


@pytest.fixture
def fastly(settings, purge_api):
    settings.NEWSROOM_CDN = "fastly"
    settings.FASTLY_API_URL = purge_api.url
    settings.FASTLY_SERVICE_ID = "svc42"
    settings.FASTLY_API_TOKEN = "fastly-token"  # noqa: S105 (a test's own fake API)
    return purge_api


@pytest.fixture
def save_story(client, django_capture_on_commit_callbacks):
    """An editor corrects a published story's Russian title in the admin."""
    editor = make_user("editor-cdn", role="Editor")

    def save(story, title):
        client.force_login(editor)
        form = client.get(change_url(story))
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(change_url(story), form_data(form, title_ru=title))
        assert response.status_code == 302
        client.logout()
        return response

    return save


def story_page(client, story):
    with translation.override("ru"):
        return client.get(story.get_absolute_url())


def test_cloudflare_pages_carry_cache_tag_and_a_correction_purges_them(
    client, cloudflare, save_story
):
    story = make_article(title_ru="Главная новость дня")
    page = story_page(client, story)
    tags = page["Cache-Tag"].split(",")
    assert f"story-{story.pk}" in tags
    assert tags == page["xkey"].split(), "the same tags as the application's own header"
    assert "Surrogate-Key" not in page

    save_story(story, "Исправленный заголовок")

    assert cloudflare.requests, "the save purged the CDN"
    for purge in cloudflare.requests:
        assert purge["method"] == "POST"
        assert purge["path"] == "/client/v4/zones/zone123/purge_cache"
        assert purge["headers"]["authorization"] == "Bearer cf-token"
        assert purge["headers"]["content-type"] == "application/json"
    purged = {tag for purge in cloudflare.requests for tag in purge["json"]["tags"]}
    assert {f"story-{story.pk}", "home", f"rubric-list-{story.rubric_id}"} <= purged
    assert "Исправленный заголовок" in story_page(client, story).content.decode()


def test_fastly_pages_carry_surrogate_key_and_a_correction_purges_them(
    client, fastly, settings, save_story
):
    settings.FASTLY_SOFT_PURGE = True
    story = make_article(title_ru="Главная новость дня")
    page = story_page(client, story)
    assert f"story-{story.pk}" in page["Surrogate-Key"].split()
    assert "Cache-Tag" not in page

    save_story(story, "Исправленный заголовок")

    assert fastly.requests, "the save purged the CDN"
    for purge in fastly.requests:
        assert purge["method"] == "POST"
        assert purge["path"] == "/service/svc42/purge"
        assert purge["headers"]["fastly-key"] == "fastly-token"
        assert purge["headers"]["fastly-soft-purge"] == "1"
    purged = {key for purge in fastly.requests for key in purge["json"]["surrogate_keys"]}
    assert {f"story-{story.pk}", "home"} <= purged


def test_many_tags_are_purged_in_batches_the_cdn_accepts(cloudflare):
    tags = [f"story-{n}" for n in range(250)]
    frontcache.front_cache().purge(tags)
    sent = [request["json"]["tags"] for request in cloudflare.requests]
    assert [len(batch) for batch in sent] == [100, 100, 50]
    assert sum(sent, []) == tags


def test_varnish_and_a_cdn_are_purged_together(cloudflare, settings):
    """Varnish behind the CDN: each gets its own header and its own purge."""
    settings.NEWSROOM_FRONT_CACHE_PURGE_URLS = [cloudflare.url + "/varnish/"]
    caches = frontcache.front_cache()
    assert caches.tag_headers(["a", "b"]) == {"xkey": "a b", "Cache-Tag": "a,b"}
    caches.purge(["a", "b"])
    # The recording server answers POST only: Varnish's PURGE fails, and is logged.
    assert [r["path"] for r in cloudflare.requests] == ["/client/v4/zones/zone123/purge_cache"]


def test_a_failing_cdn_never_fails_the_editors_save(
    client, cloudflare, save_story, caplog, settings
):
    cloudflare.status = 403
    story = make_article(title_ru="Главная новость дня")
    with caplog.at_level(logging.WARNING, logger="newsroom.frontcache"):
        save_story(story, "Исправленный заголовок")
    assert cloudflare.requests
    assert any("Cloudflare purge" in r.getMessage() for r in caplog.records)
    assert "cf-token" not in caplog.text, "the API token never reaches the log"

    settings.CLOUDFLARE_API_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens
    with caplog.at_level(logging.WARNING, logger="newsroom.frontcache"):
        save_story(story, "Ещё раз исправленный заголовок")
    assert "Ещё раз исправленный заголовок" in story_page(client, story).content.decode()


def test_without_a_cdn_pages_carry_only_the_applications_own_tag_header(client):
    assert django_settings.NEWSROOM_CDN == ""
    page = story_page(client, make_article())
    assert page["xkey"]
    assert "Cache-Tag" not in page and "Surrogate-Key" not in page


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"CDN_PROVIDER": "akamai"}, "CDN_PROVIDER='akamai' is not one of"),
        ({"CDN_PROVIDER": "cloudflare", "CLOUDFLARE_ZONE_ID": "z"}, "needs CLOUDFLARE_API_TOKEN"),
        ({"CDN_PROVIDER": "fastly", "FASTLY_API_TOKEN": "t"}, "needs FASTLY_SERVICE_ID"),
    ],
)
def test_a_cdn_that_could_not_be_purged_stops_the_start(environment, message):
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import django; django.setup()"],
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "newsroom.settings"}
        | {"NEWSROOM_ENV_FILE": "/dev/null"}
        | environment,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert message in result.stderr
