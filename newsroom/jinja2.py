"""The Jinja2 environment of the public pages (templates in jinja2/).

Readers' pages are rendered with Jinja2, which compiles a template to Python: a cold
story page spent most of its time in Django's template engine (docs/performance.md,
seventh pass). The admin keeps Django's templates (templates/).

Messages: the i18n extension calls Django's own gettext, so the catalogs in locale/ serve
both engines. Templates mark messages with `_()`, `gettext()`, `ngettext()` and
`pgettext()`, newstyle (they escape and fill `%(name)s` themselves); `make catalogs`
reads them through newsroom's makemessages, and tests/test_translations.py checks that
every one of them is translated.
"""

import functools

from django.conf import settings
from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils import formats, translation
from django.utils.timezone import template_localtime
from jinja2 import ChainableUndefined, Environment

from newsroom.dates import date_format


def url(viewname, *args, **kwargs):
    """`{% url %}`: the path of a named view, in the active language."""
    if args or kwargs:
        return reverse(viewname, args=args or None, kwargs=kwargs or None)
    return _fixed_url(viewname, translation.get_language(), get_script_prefix())


@functools.lru_cache(maxsize=256)
def _fixed_url(viewname: str, language: str | None, script_prefix: str) -> str:
    """A view's path without arguments: the same for a language and prefix until the
    URLconf changes (a restart), and a page asks for a dozen (menu, footer, forms)."""
    return reverse(viewname)


def date(value, arg=None):
    """Django's `date` filter, in local time as Django's templates show datetimes
    (newsroom.dates formats it; what that cannot format, Django's filter does)."""
    if value in (None, ""):
        return ""
    value = template_localtime(value)
    try:
        return date_format(value, arg or "DATE_FORMAT")
    except AttributeError:
        return defaultfilters.date(value, arg)


def linebreaks(value):
    """Django's `linebreaks`: paragraphs and <br>, the text escaped."""
    return defaultfilters.linebreaks_filter(value, autoescape=True)


# Django's filters of the same names, where Jinja2 has none or one that differs.
FILTERS = {
    "date": date,
    "floatformat": defaultfilters.floatformat,
    "linebreaks": linebreaks,
    "localize": formats.localize,
    "urlencode": defaultfilters.urlencode,
}


def environment(**options):
    from articles.templating import FILTERS as ARTICLE_FILTERS
    from articles.templating import GLOBALS as ARTICLE_GLOBALS
    from comments.templating import FILTERS as COMMENT_FILTERS
    from comments.templating import GLOBALS as COMMENT_GLOBALS
    from rates.templating import GLOBALS as RATE_GLOBALS

    # Like Django's templates, a missing variable or attribute renders as nothing
    # (Django's backend would print it back in DEBUG).
    options["undefined"] = ChainableUndefined
    options.setdefault("extensions", []).append("jinja2.ext.i18n")
    options.pop("autoescape", None)
    env = Environment(autoescape=True, **options)
    env.install_gettext_callables(
        gettext=translation.gettext,
        ngettext=translation.ngettext,
        pgettext=translation.pgettext,
        npgettext=translation.npgettext,
        newstyle=True,
    )
    env.globals.update(
        url=url,
        static=static,
        get_language=translation.get_language,
        LANGUAGE_COOKIE_NAME=settings.LANGUAGE_COOKIE_NAME,
        **ARTICLE_GLOBALS,
        **COMMENT_GLOBALS,
        **RATE_GLOBALS,
    )
    env.filters.update(**FILTERS, **ARTICLE_FILTERS, **COMMENT_FILTERS)
    return env
