"""Kyrgyz headlines are drawn in the self-hosted PT Serif, ң ө ү included.

Debian's Chromium has no system serif with ң ө ү: before static/fonts/, those
letters came out of a fallback typeface in the middle of a Georgia headline.
"""

import pytest
from django.utils import translation

from tests.factories import make_article

from .helpers import SCREENSHOTS_DIR

KYRGYZ_LETTERS = "ңөүҢӨҮ"

# Measured with the family first and two different fallbacks behind it: the
# widths agree only if PT Serif itself has every letter.
DRAWN_BY_PT_SERIF = """(text) => {
    const context = document.createElement('canvas').getContext('2d');
    const width = (family) => {
        context.font = `bold 40px ${family}`;
        return context.measureText(text).width;
    };
    return {
        withSerifFallback: width('"PT Serif", serif'),
        withMonospaceFallback: width('"PT Serif", monospace'),
        monospaceAlone: width('monospace'),
    };
}"""


@pytest.fixture
def kyrgyz_story(site):
    story = make_article(title_ky="Жаңы көпүрө: үч жүз өкмөттүк долбоор", languages=("ky",))
    with translation.override("ky"):
        return story.get_absolute_url()


def test_a_kyrgyz_headline_is_drawn_in_the_vendored_pt_serif(page, kyrgyz_story):
    fonts = []
    page.on(
        "response",
        lambda response: (
            fonts.append((response.url, response.status))
            if response.url.endswith(".woff2")
            else None
        ),
    )
    page.goto(kyrgyz_story)
    page.evaluate("document.fonts.ready")
    headline = page.locator("h1.story-title")
    assert "ң" in headline.inner_text()

    family = headline.evaluate("(el) => getComputedStyle(el).fontFamily")
    assert family.startswith('"PT Serif"')

    loaded = page.evaluate(
        """() => [...document.fonts]
            .filter((face) => face.family.replaceAll('"', '') === 'PT Serif'
                              && face.status === 'loaded')
            .map((face) => `${face.weight} ${face.style} ${face.unicodeRange}`)"""
    )
    assert any(face.startswith("700 normal U+460-52F") for face in loaded), loaded
    assert page.evaluate(
        "(text) => document.fonts.check('bold 40px \"PT Serif\"', text)", KYRGYZ_LETTERS
    )

    widths = page.evaluate(DRAWN_BY_PT_SERIF, KYRGYZ_LETTERS)
    assert widths["withSerifFallback"] == widths["withMonospaceFallback"], widths
    assert widths["withMonospaceFallback"] != widths["monospaceAlone"], widths

    served = {url.rsplit("/", 1)[-1].split(".")[0]: status for url, status in fonts}
    assert served.get("pt-serif-cyrillic-ext-700-normal") == 200, served

    path = SCREENSHOTS_DIR / "fonts" / "kyrgyz-headline.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    headline.screenshot(path=str(path))


def test_preloads_are_the_fonts_the_first_screen_uses(page, kyrgyz_story):
    """Bold cyrillic and latin (spaces, digits, punctuation) on every page, bold
    cyrillic-ext (ң ө ү) on Kyrgyz pages only, and each of them really used."""
    preloads = """() => [...document.querySelectorAll('link[rel=preload][as=font]')]
        .map((link) => link.href.split('/').pop().split('.')[0])"""
    used = """() => [...document.fonts]
        .filter((face) => face.status === 'loaded' && face.weight === '700')
        .map((face) => face.unicodeRange.split(',')[0])"""
    page.goto(kyrgyz_story)
    assert page.evaluate(preloads) == [
        "pt-serif-cyrillic-700-normal",
        "pt-serif-latin-700-normal",
        "pt-serif-cyrillic-ext-700-normal",
    ]
    page.evaluate("document.fonts.ready")
    # The first range of each subset: cyrillic-ext, cyrillic, latin.
    assert set(page.evaluate(used)) == {"U+460-52F", "U+301", "U+0-FF"}
    make_article(title_ru="Новости дня", languages=("ru",))
    page.goto("/ru/")
    assert page.evaluate(preloads) == [
        "pt-serif-cyrillic-700-normal",
        "pt-serif-latin-700-normal",
    ]
    page.evaluate("document.fonts.ready")
    assert set(page.evaluate(used)) == {"U+301", "U+0-FF"}
