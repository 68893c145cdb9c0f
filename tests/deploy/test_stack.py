"""The site as deployed: nginx -> Varnish -> `make serve` (gunicorn), production settings.

One stack is started for the module (about half a minute): its own PostgreSQL database
with the demo loaded, `collectstatic` with the hashed manifest, gunicorn, Varnish from
deploy/varnish/newsroom.vcl and nginx from deploy/nginx/newsroom.conf. Every request
goes over TCP through nginx. Needs PostgreSQL, nginx and Varnish with xkey; skipped
without them, saying why (in CI nothing may skip).
"""

import json
import re
import shutil
import tempfile
import time
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import pytest

from . import stack as stack_module

pytestmark = [pytest.mark.postgres, pytest.mark.stack]

LANGUAGES = ("ky", "ru")
HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}


@pytest.fixture(scope="module")
def stack():
    if stack_module.nginx_binary() is None:
        pytest.skip("nginx is not installed: `apt-get install -y nginx-light` (`make stack-deps`)")
    if stack_module.varnish_binary() is None or not stack_module.varnish_has_xkey():
        pytest.skip(
            "Varnish with xkey is not installed: "
            "`apt-get install -y varnish varnish-modules` (`make stack-deps`)"
        )
    # Not under pytest's tmp_path (mode 0700): nginx's workers run as another user and
    # must read the static and media files, as www-data does in production.
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-stack-"))
    try:
        yield from stack_module.start(workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


class References(HTMLParser):
    """Links, stylesheets, scripts and images a page asks the browser to load."""

    def __init__(self):
        super().__init__()
        self.assets: set[str] = set()
        self.links: set[str] = set()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.add(attrs["href"])
        if tag == "link" and attrs.get("href") and "stylesheet" in (attrs.get("rel") or ""):
            self.assets.add(attrs["href"])
        if tag == "link" and attrs.get("href") and "icon" in (attrs.get("rel") or ""):
            self.assets.add(attrs["href"])
        if tag in ("script", "img", "source") and attrs.get("src"):
            self.assets.add(attrs["src"])
        for candidate in (attrs.get("srcset") or "").split(","):
            if candidate.strip():
                self.assets.add(candidate.split()[0])
        if tag == "form":
            self.forms.append({"action": attrs.get("action", ""), "fields": {}})
        if tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""


def references(html: str) -> References:
    parser = References()
    parser.feed(html)
    return parser


def first_link(page, prefix: str, pattern: str = ".+") -> str:
    links = sorted(
        link
        for link in references(page.text).links
        if link.startswith(prefix) and re.fullmatch(pattern, link.removeprefix(prefix))
    )
    assert links, f"no link {prefix}{pattern} on {page.url}"
    return links[0]


@pytest.fixture(scope="module")
def public_pages(stack):
    """Every public page type, in both languages, found by following the home page's links."""
    pages = {}
    for language in LANGUAGES:
        home = stack.get(f"/{language}/")
        assert home.status == 200, home.text[:500]
        story = first_link(home, f"/{language}/news/")
        story_page = stack.get(story)
        pages[f"{language} home"] = f"/{language}/"
        pages[f"{language} story"] = story
        pages[f"{language} rubric"] = first_link(home, f"/{language}/rubric/")
        pages[f"{language} tag"] = first_link(story_page, f"/{language}/tag/")
        archive = stack.get(f"/{language}/archive/")  # redirects to the latest day with news
        assert archive.status == 302, archive.status
        pages[f"{language} day archive"] = urllib.parse.urlsplit(archive.header("location")).path
        pages[f"{language} search"] = f"/{language}/search/?q=" + urllib.parse.quote("Бишкек")
        pages[f"{language} rates"] = f"/{language}/rates/"
        pages[f"{language} rss"] = f"/{language}/rss/"
    pages["sitemap"] = "/sitemap.xml"
    pages["robots"] = "/robots.txt"
    pages["admin login"] = "/admin/login/"
    return pages


def test_every_public_page_type_answers_through_nginx_with_security_headers(stack, public_pages):
    failures = []
    for name, path in public_pages.items():
        page = stack.get(path)
        if page.status != 200:
            failures.append(f"{name} {path}: {page.status}")
            continue
        for header, value in SECURITY_HEADERS.items():
            if page.header(header) != value:
                failures.append(f"{name} {path}: {header}={page.header(header)!r}")
        if not re.fullmatch(r"[0-9a-f]{32}", page.header("x-request-id")):
            failures.append(f"{name} {path}: no request id ({page.header('x-request-id')!r})")
    assert not failures, "\n".join(failures)


def test_unknown_pages_answer_the_localized_404(stack):
    kyrgyz = stack.get("/ky/news/no-such-story/")
    russian = stack.get("/ru/news/no-such-story/")
    assert (kyrgyz.status, russian.status) == (404, 404)
    assert kyrgyz.header("x-content-type-options") == "nosniff"
    assert "<html" in kyrgyz.text and kyrgyz.text != russian.text
    assert 'lang="ky"' in kyrgyz.text and 'lang="ru"' in russian.text


def test_every_static_file_a_page_references_is_hashed_and_cached_for_a_year(stack, public_pages):
    """The CSS, JS and images of public pages and of the admin (logged in as the editor)."""
    editor = stack.client()
    login_page = stack.get("/admin/login/", opener=editor)
    form = references(login_page.text).forms[0]
    fields = form["fields"] | {"username": "editor", "password": stack_module.DEMO_PASSWORD}
    logged_in = stack.request(
        "POST",
        "/admin/login/?next=/admin/",
        data=urllib.parse.urlencode(fields).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        opener=editor,
    )
    assert logged_in.status == 302, logged_in.text[:2000]
    story_list = stack.get("/admin/articles/article/", opener=editor)
    assert story_list.status == 200
    change_form = next(
        link
        for link in sorted(references(story_list.text).links)
        if re.fullmatch(r"/admin/articles/article/\d+/change/", link)
    )
    admin_pages = ["/admin/", "/admin/articles/article/", change_form]

    assets = set()
    for path in [p for p in public_pages.values() if not p.endswith((".xml", ".txt", "/rss/"))]:
        assets |= references(stack.get(path).text).assets
    for path in admin_pages:
        page = stack.get(path, opener=editor)
        assert page.status == 200, f"{path}: {page.status}"
        assets |= references(page.text).assets

    static = sorted(a for a in assets if a.startswith("/static/"))
    assert any("jquery-ui" in a for a in static), "the admin's language tabs load jQuery UI"
    assert any("django_prose_editor" in a for a in static), "the rich-text editor is loaded"
    failures = []
    for asset in static:
        response = stack.get(asset, headers={"Accept-Encoding": "gzip"})
        cache_control = response.header("cache-control")
        if response.status != 200:
            failures.append(f"{asset}: {response.status}")
        elif not HASHED.search(urllib.parse.urlsplit(asset).path):
            failures.append(f"{asset}: not a hashed name")
        elif "max-age=31536000" not in cache_control or "immutable" not in cache_control:
            failures.append(f"{asset}: Cache-Control {cache_control!r}")
    assert not failures, "\n".join(failures)

    css = next(a for a in static if a.endswith(".css") and "site" in a)
    compressed = stack.get(css, headers={"Accept-Encoding": "gzip"})
    assert compressed.header("content-encoding") == "gzip"

    media = sorted(a for a in assets if a.startswith("/media/"))
    assert media, "the demo's photos are on the pages"
    for asset in media:
        response = stack.get(asset)
        assert response.status == 200, asset
        assert response.header("content-type").startswith("image/"), asset


def test_healthz_reports_database_cache_and_version_and_is_never_cached(stack):
    started = time.monotonic()
    response = stack.get("/healthz")
    elapsed = time.monotonic() - started
    assert response.status == 200
    body = json.loads(response.body)
    assert body["database"] == "ok"
    assert body["cache"] == "ok"
    assert body["version"]
    assert "no-store" in response.header("cache-control")
    assert "set-cookie" not in response.headers
    # Warm: a load balancer polls it every few seconds.
    timings = []
    for _ in range(5):
        started = time.monotonic()
        stack.get("/healthz")
        timings.append(time.monotonic() - started)
    assert min(timings) < 0.05, f"healthz took {timings} (first {elapsed:.3f} s)"


def test_each_request_is_one_json_log_line_with_the_request_id_of_the_response(stack):
    """nginx writes the access log, a JSON line per request, a cached page's too."""
    marker = f"log-{time.time_ns()}"  # a new address: rendered, not served from a cache
    seen = []
    for _first_then_cached in range(2):
        response = stack.get(f"/ky/rates/?{marker}")
        seen.append(response.header("x-front-cache"))
        request_id = response.header("x-request-id")
        lines = []
        deadline = time.monotonic() + 5  # nginx writes its buffer at least every second
        while not lines and time.monotonic() < deadline:
            time.sleep(0.2)
            lines = [line for line in stack.access_lines() if line["request_id"] == request_id]
        assert len(lines) == 1, lines
        line = lines[0]
        assert (line["path"], line["query"], line["status"]) == ("/ky/rates/", marker, 200)
        assert line["remote_addr"] == "127.0.0.1" and line["bytes"] == len(response.body)
        assert isinstance(line["duration_s"], float) and line["duration_s"] < 5
        assert line["cache"] == response.header("x-front-cache"), (line, response.headers)
        assert not [x for x in stack.log_lines() if x.get("request_id") == request_id], (
            "one line per request: the application server writes no second one"
        )
    assert seen == ["miss", "hit"], "the second request was answered by the front cache"


def test_bad_input_gets_a_clean_4xx(stack):
    huge = b"x" * (13 * 1024 * 1024)
    too_big = stack.request(
        "POST",
        "/ky/",
        data=huge,
        headers={"Content-Type": "application/octet-stream"},
    )
    assert too_big.status == 413

    bad_host = stack.get("/ky/", headers={"Host": "evil.example"})
    assert bad_host.status == 400
    assert "Traceback" not in bad_host.text

    forged = stack.get("/ky/", headers={"X-Forwarded-For": "::::not-an-address, <script>"})
    assert forged.status == 200

    for raw_path in (b"/ky/news/%FF%FE/", b"/%C0%AF", b"/ky/search/?q=%FF%FE"):
        status = stack.raw_request(
            b"GET " + raw_path + b" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        assert 200 <= status < 500 and status != 500, (raw_path, status)
    assert stack.raw_request(b"GET /\xff\xfe HTTP/1.1\r\nHost: localhost\r\n\r\n") == 400

    time.sleep(1.5)  # nginx writes its access log buffer at least every second
    errors = [line for line in stack.access_lines() if line.get("status") == 500]
    assert not errors, errors
    assert [line for line in stack.access_lines() if line["status"] == 413], "logged"


def test_anonymous_pages_come_from_the_front_cache_and_editors_never_do(stack):
    stack.get("/ru/rates/")
    again = stack.get("/ru/rates/")
    assert again.header("x-front-cache") == "hit"
    assert "xkey" not in again.headers
    assert re.fullmatch(r"[0-9a-f]{32}", again.header("x-request-id"))

    editor = stack.client()
    login_page = stack.get("/admin/login/", opener=editor)
    fields = references(login_page.text).forms[0]["fields"]
    fields |= {"username": "editor", "password": stack_module.DEMO_PASSWORD}
    stack.request(
        "POST",
        "/admin/login/?next=/admin/",
        data=urllib.parse.urlencode(fields).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        opener=editor,
    )
    for _ in range(2):
        page = stack.get("/ru/rates/", opener=editor)
        assert page.status == 200
        assert page.header("x-front-cache") == "miss"


# What the workflow's publish does to the row, from another process (as an editor's
# request on another application server would).
PUBLISH = """
from django.utils import timezone
from articles.models import Article, Rubric
Article.objects.create(
    title_ky={title!r}, lead_ky="Лид.", body_ky="<p>Текст.</p>",
    rubric=Rubric.objects.active().first(), status="published", published_at=timezone.now(),
)
"""


def test_a_published_story_is_on_the_cached_pages_within_two_seconds(stack):
    for path in ("/ky/", "/ky/rss/"):
        stack.get(path)
        assert stack.get(path).header("x-front-cache") == "hit"
    title = f"Шашылыш кабар {time.time_ns()}"
    stack_module.run(
        [stack_module.python(), "manage.py", "shell", "-c", PUBLISH.format(title=title)],
        stack.env,
    )
    published = time.monotonic()
    # Each page on its own: nginx keeps a page for a second in front of Varnish
    # (which the application purges), so the two may turn fresh a moment apart.
    for path in ("/ky/", "/ky/rss/"):
        while title not in stack.get(path).text:
            assert time.monotonic() - published < 2, f"the new story is not on {path}"
            time.sleep(0.1)
    assert time.monotonic() - published < 2


def test_each_worker_answers_a_hot_page_from_its_copy_and_a_publish_reaches_them_all_at_once(
    stack,
):
    """gunicorn's workers each keep the pages they served last (newsroom.pagecache.
    LocalPages); asked directly, with no nginx or Varnish copy in between, every worker
    shows a story the moment another process has published it."""
    app = stack_module.Stack.gunicorn_only(stack.app_url, stack.log_path)
    path = "/ru/"
    app.get(path)
    for _ in range(40):  # both workers serve it and keep it
        assert app.get(path).header("x-page-cache") == "hit"

    title = f"Срочная новость {time.time_ns()}"
    stack_module.run(
        [
            stack_module.python(),
            "manage.py",
            "shell",
            "-c",
            PUBLISH.format(title=title).replace("_ky=", "_ru="),
        ],
        stack.env,
    )
    for _ in range(20):  # whichever worker answers, at once: no waiting
        assert title in app.get(path).text


def test_the_comment_form_works_on_a_cached_story_page_with_each_readers_own_tokens(
    stack, public_pages
):
    """What static/js/site.js does: fetch this reader's tokens, then post the form."""
    story = public_pages["ky story"]
    stack.get(story)
    tokens_seen = []
    for name in ("Биринчи окурман", "Экинчи окурман"):
        reader = stack.client()
        page = stack.get(story, opener=reader)
        assert page.header("x-front-cache") == "hit"
        form = next(f for f in references(page.text).forms if "/comments/post/" in f["action"])
        assert form["fields"]["csrfmiddlewaretoken"] == "" and form["fields"]["started"] == ""
        token_url = re.search(r'data-token-url="([^"]+)"', page.text).group(1)
        tokens = json.loads(stack.get(token_url, opener=reader).body)
        assert set(tokens) == {"csrfmiddlewaretoken", "started"}
        tokens_seen.append(tokens["csrfmiddlewaretoken"])
        time.sleep(3.5)  # a person takes a moment to write (the fill-time check)
        fields = form["fields"] | tokens | {"name": name, "text": "Жакшы макала, рахмат."}
        posted = stack.request(
            "POST",
            form["action"],
            data=urllib.parse.urlencode(fields).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": stack.base_url,
            },
            opener=reader,
        )
        assert posted.status == 302, posted.text[:3000]
        thanks = stack.get(posted.header("location"), opener=reader)
        assert thanks.header("x-front-cache") == "miss"  # a message is waiting: not shared
        assert "Рахмат" in thanks.text
    assert tokens_seen[0] != tokens_seen[1]


def test_a_comment_sent_without_tokens_comes_back_with_what_was_typed(stack, public_pages):
    """A reader without JavaScript: the form returns, filled in, ready to send again."""
    story = public_pages["ru story"]
    page = stack.get(story)
    form = next(f for f in references(page.text).forms if "/comments/post/" in f["action"])
    fields = form["fields"] | {"name": "Читатель", "text": "Текст, который нельзя терять."}
    answer = stack.request(
        "POST",
        form["action"],
        data=urllib.parse.urlencode(fields).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": stack.base_url},
    )
    assert answer.status == 403
    assert "Текст, который нельзя терять." in answer.text
    assert "Ваш комментарий пока не отправлен" in answer.text
    again = next(f for f in references(answer.text).forms if "/comments/post/" in f["action"])
    assert again["fields"]["csrfmiddlewaretoken"] and again["fields"]["started"]


def test_twenty_wrong_passwords_lock_the_account_through_nginx(stack):
    """django-axes behind the proxy: the lock holds, and says why in the reader's language."""

    def log_in(password):
        browser = stack.client()
        page = stack.get("/admin/login/", opener=browser, headers={"Accept-Language": "ky"})
        fields = references(page.text).forms[0]["fields"]
        fields |= {"username": "moderator", "password": password}
        return stack.request(
            "POST",
            "/admin/login/?next=/admin/",
            data=urllib.parse.urlencode(fields).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept-Language": "ky",
            },
            opener=browser,
        )

    answers = [log_in("not-the-password").status for _ in range(20)]
    assert answers[0] == 200 and answers[-1] == 429, answers
    refused = log_in(stack_module.DEMO_PASSWORD)
    assert refused.status == 429
    assert "туура эмес сырсөз өтө көп жолу терилди" in refused.text
    assert "Traceback" not in refused.text
