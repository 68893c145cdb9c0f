"""The public templates' `_()` (newsroom.jinja2.gettext) shows what Jinja's i18n
extension with Django's gettext shows, message for message, in both languages."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.test import override_settings
from django.utils import translation
from jinja2 import Environment

from newsroom import jinja2 as newsroom_jinja2

TEMPLATES = Path(settings.BASE_DIR) / "jinja2"
PLACEHOLDER = re.compile(r"%\((\w+)\)([sdf])")


def reference_environment():
    """The extension as it comes, calling Django's gettext."""
    environment = Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    environment.install_gettext_callables(
        gettext=translation.gettext, ngettext=translation.ngettext, newstyle=True
    )
    return environment


def messages():
    """Every message the public templates show through `_()` or `gettext()`."""
    environment = engines["jinja2"].env
    found = set()
    for path in TEMPLATES.rglob("*.html"):
        for _line, function, message in environment.extract_translations(path.read_text()):
            if function in {"_", "gettext"} and isinstance(message, str):
                found.add(message)
    return sorted(found)


def shown(environment, message, context):
    # Every text placeholder gets text a template must escape.
    variables = {
        name: f"<{name}>" if kind == "s" else 3 for name, kind in PLACEHOLDER.findall(message)
    }
    source = "{{ _(message, **variables) }}|{{ gettext(message) if not variables else '' }}"
    if not variables:  # also as the templates write it: a literal, which ours compiles
        source += "|{{ _(%s) }}" % json.dumps(message)  # to a lookup
    template = environment.from_string(source)
    return template.render(message=message, variables=variables, **context)


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_every_message_is_shown_as_the_i18n_extension_shows_it(language):
    ours, reference = engines["jinja2"].env, reference_environment()
    checked = 0
    with translation.override(language):
        for message in messages():
            expected = shown(reference, message, {})
            assert shown(ours, message, {"LANGUAGE_CODE": language}) == expected, message
            assert shown(ours, message, {}) == expected, message  # no LANGUAGE_CODE
            checked += 1
    assert checked > 80  # the templates' messages, not a handful


def test_a_message_is_in_the_language_of_the_page_being_rendered(rf):
    """A page's messages are in the language its render starts in (Django's i18n
    context and page_context), including those its code turned into lookups."""
    template = engines["jinja2"].from_string('{{ _("Search") }}|{{ _("%(n)s", n=_("Search")) }}')
    with translation.override("ru"):
        russian = translation.gettext("Search")
        assert template.render(request=rf.get("/")) == f"{russian}|{russian}"
        assert template.render() == f"{russian}|{russian}"  # no request: the active one
    with translation.override("ky"):
        kyrgyz = translation.gettext("Search")
        assert template.render(request=rf.get("/")) == f"{kyrgyz}|{kyrgyz}"
    assert kyrgyz != russian


def test_a_variable_named_underscore_is_called_as_the_template_says():
    template = engines["jinja2"].env.from_string(
        '{% for _ in [upper] %}{{ _("search") }}{% endfor %}|{{ _("Search") }}'
    )
    with translation.override("ru"):
        assert template.render(upper=str.upper) == f"SEARCH|{translation.gettext('Search')}"


def test_variables_are_escaped_and_percent_signs_kept():
    template = engines["jinja2"].env.from_string(
        '{{ _("%(amount)s soms = %(result)s %(code)s",'
        ' amount="<b>1</b>", result="2", code="USD") }}'
        "{{ _('100%% sure') }}"
    )
    with translation.override("ru"):
        html = template.render(LANGUAGE_CODE="ru")
    assert "&lt;b&gt;1&lt;/b&gt;" in html
    assert html.endswith("100% sure")


def test_changed_catalog_paths_are_read_again(tmp_path):
    template = engines["jinja2"].env.from_string('{{ _("Search") }}')
    with translation.override("ru"):
        before = template.render()
    assert newsroom_jinja2._MESSAGES
    with override_settings(LOCALE_PATHS=[str(tmp_path)]):
        assert not newsroom_jinja2._MESSAGES
    with translation.override("ru"):
        assert template.render() == before
