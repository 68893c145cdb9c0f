"""Production static files: `collectstatic` with the hashed, compressed manifest."""

import json
import re

import pytest
from django.templatetags.static import static
from django.test import override_settings

from .test_settings import run_manage

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
    "ALLOWED_HOSTS": "news.example.kg",
    "STATIC_MANIFEST": "1",
}


def test_collectstatic_writes_the_manifest_and_rewrites_real_references(tmp_path):
    result = run_manage("collectstatic", "--noinput", STATIC_ROOT=str(tmp_path), **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr

    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    theme = (tmp_path / manifest["jquery-ui/jquery-ui.theme.css"]).read_text()
    # The stylesheet's real rules point at the hashed icon files ...
    icon = manifest["jquery-ui/images/ui-icons_555555_256x240.png"]
    assert f'url("{icon.removeprefix("jquery-ui/")}")' in theme
    # ... while the ThemeRoller link in its header comment, which names no file, is kept.
    assert re.search(r"/\*!.*iconsHover=url\(%22images%2Fui-icons_555555", theme, re.S)
    # Compressed copies for the front server and WhiteNoise.
    assert (tmp_path / (manifest["css/site.css"] + ".gz")).exists()


def test_every_template_reference_resolves_in_the_manifest(tmp_path):
    """A `{% static %}` name missing from the manifest is a 500 on every page using it."""
    result = run_manage("collectstatic", "--noinput", STATIC_ROOT=str(tmp_path), **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    from django.conf import settings

    names = set()
    for template in (settings.BASE_DIR / "templates").rglob("*.html"):
        names |= set(re.findall(r"{%\s*static\s+['\"]([^'\"]+)['\"]", template.read_text()))
    assert names, "the templates use {% static %}"
    assert sorted(names - manifest.keys()) == []


def stylesheets(response) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="([^"]+)"', response.content.decode())


@pytest.mark.django_db
def test_a_public_page_links_the_static_files_of_the_current_settings(client):
    """The public templates' `static()` keeps each address for the process, and a
    changed STATIC_URL (or storage) is followed, never an address from before."""
    before = stylesheets(client.get("/ru/"))
    assert static("css/site.css") in before
    with override_settings(STATIC_URL="/assets/"):
        assert "/assets/css/site.css" in stylesheets(client.get("/ru/"))
    assert stylesheets(client.get("/ru/")) == before
