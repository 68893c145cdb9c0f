"""Every response, public or admin, carries the security headers; the policy allows
only our own origin (and, for frames, the video players) and no inline code.
(tests/e2e/test_security_headers.py shows the pages still work under it in Chromium.)"""

import pytest
from django.conf import settings

from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.fixture
def pages(client):
    story = make_article()
    editor = make_user("editor", role="Editor")
    urls = ["/ky/", "/ru/", story.get_absolute_url(), "/ky/no-such-page/", "/admin/login/"]
    responses = [client.get(url) for url in urls]
    client.force_login(editor)
    responses.append(client.get("/admin/"))
    responses.append(client.get(f"/admin/articles/article/{story.pk}/change/"))
    return responses


def test_every_page_carries_the_security_headers(pages):
    for response in pages:
        url = response.request["PATH_INFO"]
        assert response.status_code in (200, 404), url
        assert "Content-Security-Policy" in response.headers, url
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin", url
        policy = response.headers["Permissions-Policy"]
        assert "camera=()" in policy and "geolocation=()" in policy, url
        assert response.headers["X-Frame-Options"] == "DENY", url


def test_the_policy_allows_no_inline_code_and_no_other_origin(pages):
    for response in pages:
        url = response.request["PATH_INFO"]
        policy = directives(response)
        assert policy["default-src"] == ["'none'"], url
        assert policy["frame-ancestors"] == ["'none'"], url
        assert policy["object-src"] == ["'none'"], url
        for directive, sources in policy.items():
            assert "'unsafe-inline'" not in sources, (url, directive)
            assert "'unsafe-eval'" not in sources, (url, directive)
            if directive == "frame-src":
                # Only the video players a reader starts with a click (articles.embeds).
                assert sources == settings.EMBED_FRAME_ORIGINS, url
                assert all(source.startswith("https://") for source in sources), url
            else:
                assert not any(source.startswith(("http", "*")) for source in sources), url
        assert policy["script-src"][0] == "'self'", url


def test_an_inline_script_carries_the_nonce_of_its_response(pages):
    """The story form's import map (rich-text editor) is the one inline script."""
    change_form = pages[-1]
    nonce = next(s for s in directives(change_form)["script-src"] if s.startswith("'nonce-"))
    html = change_form.content.decode()
    assert f'<script type="importmap" nonce="{nonce[7:-1]}">' in html


def test_the_raw_version_comparison_uses_a_stylesheet_not_an_inline_style(rf):
    """django-reversion-compare's fallback page (two versions it cannot compare field
    by field) ships an inline <style>, which the policy would refuse."""
    from django.template.loader import render_to_string

    request = rf.get("/admin/articles/article/1/history/compare/")
    request.user = make_user("editor", role="Editor")
    html = render_to_string(
        "reversion-compare/compare_raw.html", {"app_label": "articles"}, request=request
    )
    assert "<style" not in html
    assert 'href="/static/reversion_compare.css"' in html
    assert 'id="content-main"' in html  # still the package's page around it
