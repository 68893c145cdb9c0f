"""The catalogs are complete, and no page shows the other language's interface.

The agency's own site once showed the Russian "Оставить комментарий" on a Kyrgyz
page; these tests keep that from happening here.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import timezone, translation

from articles.models import Tag
from tests.factories import make_article, make_place, make_rubric

CATALOGS = sorted(Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/django.po"))
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{?\s*\w+\s*\}?\}")
EDGE_PUNCTUATION = " \t\n.,:;!?«»“”\"'()—–-…©#№"


def entries(path):
    return [entry for entry in polib.pofile(str(path)) if not entry.obsolete]


def translations_of(entry):
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def test_there_is_a_catalog_for_every_language():
    assert {path.parts[-3] for path in CATALOGS} == {code for code, _ in settings.LANGUAGES}


@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: path.parts[-3])
def test_every_message_is_translated_and_none_is_fuzzy(path):
    untranslated = [e.msgid for e in entries(path) if not all(translations_of(e))]
    fuzzy = [e.msgid for e in entries(path) if "fuzzy" in e.flags]
    assert not untranslated, f"untranslated in {path}: {untranslated}"
    assert not fuzzy, f"fuzzy in {path}: {fuzzy}"


def jinja2_messages():
    """(context, msgid, plural) of every message the public pages' templates mark."""
    from django.template import engines

    environment = engines["jinja2"].env
    found = set()
    for path in sorted(Path(settings.BASE_DIR, "jinja2").rglob("*.html")):
        for _line, function, message in environment.extract_translations(path.read_text()):
            strings = message if isinstance(message, tuple) else (message,)
            if function in ("pgettext", "npgettext"):
                context, *strings = strings
            else:
                context = None
            plural = strings[1] if function.endswith("ngettext") else ""
            found.add((context, strings[0], plural))
    return found


@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: path.parts[-3])
def test_every_message_of_the_public_templates_is_in_the_catalog_translated(path):
    """Django's makemessages cannot read Jinja2's plural and context calls; the catalogs
    must hold them all the same (newsroom's makemessages gathers them)."""
    messages = jinja2_messages()
    assert ("heading of the comments block", "Comments", "") in messages
    assert (None, "%(counter)s comment", "%(counter)s comments") in messages
    translated = {
        (entry.msgctxt, entry.msgid, entry.msgid_plural)
        for entry in entries(path)
        if all(translations_of(entry))
    }
    assert sorted(messages - translated, key=str) == []


def test_make_catalogs_reads_the_jinja2_templates_plural_and_context_calls():
    from newsroom.management.commands.makemessages import jinja2_calls

    source = (
        '<h2>{{ pgettext("heading", "Comments") }}</h2>\n\n'
        '{{ ngettext("%(n)s comment", "%(n)s comments", count, n=count) }} {{ _("Reply") }}'
    )
    assert jinja2_calls(source).splitlines() == [
        "pgettext('heading', 'Comments'); ",
        "",
        "ngettext('%(n)s comment', '%(n)s comments', None, None); _('Reply'); ",
    ]


ALL_CATALOGS = CATALOGS + sorted(
    Path(settings.BASE_DIR, "newsroom", "locale").glob("*/LC_MESSAGES/*.po")
)


@pytest.mark.parametrize("path", ALL_CATALOGS, ids=lambda path: "/".join(path.parts[-4:]))
def test_translations_keep_placeholders_plural_forms_and_newlines(path):
    """What `msgfmt -c` checks, so a broken catalog fails here and not in production."""
    catalog = polib.pofile(str(path))
    nplurals = int(re.search(r"nplurals=(\d+)", catalog.metadata["Plural-Forms"]).group(1))
    named = re.compile(r"%\(\w+\)[sd]")
    for entry in catalog:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            assert len(entry.msgstr_plural) == nplurals, entry.msgid
        for text in translations_of(entry):
            if not text:
                continue
            assert text.startswith("\n") == entry.msgid.startswith("\n"), entry.msgid
            assert text.endswith("\n") == entry.msgid.endswith("\n"), entry.msgid
            if "python-format" in entry.flags:
                wanted = set(named.findall(entry.msgid_plural or entry.msgid))
                assert set(named.findall(text)) <= wanted | set(named.findall(entry.msgid))
                assert wanted - {"%(count)d", "%(counter)s"} <= set(named.findall(text)), (
                    entry.msgid
                )


def phrases(text):
    """The fixed parts of a translation, between its placeholders."""
    for part in PLACEHOLDER.split(text):
        part = " ".join(part.split()).strip(EDGE_PUNCTUATION)
        if sum(ch.isalpha() for ch in part) >= 3:
            yield part


def foreign_phrases(page_language):
    """Phrases of the other languages' catalogs that this language does not use too."""
    own, foreign = set(), set()
    for path in CATALOGS:
        bucket = own if path.parts[-3] == page_language else foreign
        for entry in entries(path):
            for text in translations_of(entry):
                bucket.update(phrases(text))
    own_text = "\n".join(own)
    return {phrase for phrase in foreign - own if phrase not in own_text}


class VisibleText(HTMLParser):
    """Text a reader sees or hears, leaving out passages marked as another language."""

    ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "content", "value"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self, language):
        super().__init__()
        self.language = language
        self.stack = []
        self.chunks = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        foreign = self.inside_foreign() or attrs.get("lang", self.language) != self.language
        if not foreign:
            self.chunks.extend(v for k, v in attrs.items() if k in self.ATTRIBUTES and v)
        if tag not in self.VOID:
            self.stack.append((tag, foreign or tag in ("script", "style")))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not self.inside_foreign() and data.strip():
            self.chunks.append(data)

    def inside_foreign(self):
        return bool(self.stack) and any(hidden for _tag, hidden in self.stack)

    def text(self):
        return "\n".join(" ".join(chunk.split()) for chunk in self.chunks)


@pytest.fixture
def site(db):
    rubric = make_rubric(
        name_ky="Саясат", name_ru="Политика", slug_ky="sayasat", slug_ru="politika"
    )
    tag = Tag.objects.create(name_ky="Шайлоо", name_ru="Выборы", slug="shayloo")
    story = make_article(rubric=rubric, place=make_place(), tags=[tag], is_urgent=True)
    make_article(rubric=rubric, tags=[tag], view_count=5)
    return {"story": story, "rubric": rubric}


def page_paths(language, site):
    story, rubric = site["story"], site["rubric"]
    with translation.override(language):
        story_url = story.get_absolute_url()
        rubric_url = rubric.get_absolute_url()
    day = timezone.localdate(story.published_at)
    return [
        f"/{language}/",
        rubric_url,
        f"/{language}/tag/shayloo/",
        f"/{language}/archive/{day.year}/{day.month}/{day.day}/",
        story_url,
        f"/{language}/search/?q=",
        f"/{language}/search/?q=zzzz",
        f"/{language}/search/?q=%3F%21",
        f"/{language}/news/no-such-story/",
        f"/{language}/rates/",
    ]


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_pages_show_no_interface_text_of_the_other_language(client, site, language):
    phrases_to_avoid = foreign_phrases(language)
    assert phrases_to_avoid, "the catalogs should differ between the languages"
    for path in page_paths(language, site):
        response = client.get(path)
        assert response.status_code in (200, 404), path
        parser = VisibleText(language)
        parser.feed(response.content.decode())
        text = parser.text()
        leaks = sorted(
            phrase
            for phrase in phrases_to_avoid
            if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text)
        )
        assert not leaks, f"{path} shows text of another language: {leaks}"
