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
from datetime import datetime

from django.conf import settings
from django.core.signals import setting_changed
from django.template import defaultfilters
from django.templatetags.static import static as django_static
from django.urls import get_script_prefix, reverse
from django.utils import formats, timezone, translation
from jinja2 import ChainableUndefined, Environment, nodes, pass_context
from jinja2.compiler import CodeGenerator
from jinja2.idtracking import VAR_LOAD_RESOLVE
from markupsafe import Markup

from newsroom import numbers
from newsroom.dates import date_format


def page_language(context) -> str | None:
    """The language of the page a template renders: the `LANGUAGE_CODE` of its context
    (Django's i18n context processor reads the active language when the render starts),
    else the active language. Cheaper than asking for the active language, which
    Django keeps in context-local storage (5 µs a read, a hundred reads a page)."""
    return context.get("LANGUAGE_CODE") or translation.get_language()


def page_zone(context):
    """The time zone of the page a template renders (see page_context), else the
    current one: Django keeps that in context-local storage too."""
    return context.get("PAGE_TIME_ZONE") or timezone.get_current_timezone()


def page_localtime(context, value):
    """`value` in the page's local time, as Django's templates show datetimes
    (django.utils.timezone.template_localtime)."""
    if (
        isinstance(value, datetime)
        and settings.USE_TZ
        and not timezone.is_naive(value)
        and getattr(value, "convert_to_local_time", True)
    ):
        return timezone.localtime(value, page_zone(context))
    return value


def page_context(request):
    """A context processor of the public templates: the time zone the page is shown in
    (page_zone) and the messages of its language (MessagesCodeGenerator), each read once
    per page."""
    return {
        "PAGE_TIME_ZONE": timezone.get_current_timezone(),
        "_page_messages": PageMessages(translation.get_language()),
    }


@pass_context
def url(context, viewname, *args, **kwargs):
    """`{% url %}`: the path of a named view, in the page's language."""
    if args or kwargs:
        return reverse(viewname, args=args or None, kwargs=kwargs or None)
    return _fixed_url(viewname, page_language(context), get_script_prefix())


@functools.lru_cache(maxsize=256)
def _fixed_url(viewname: str, language: str | None, script_prefix: str) -> str:
    """A view's path without arguments: the same for a language and prefix until the
    URLconf changes (a restart), and a page asks for a dozen (menu, footer, forms)."""
    with translation.override(language):
        return reverse(viewname)


@functools.lru_cache(maxsize=512)
def static(path):
    """`{% static %}`: a static file's address (its hashed name in production).

    A page asks for ten (styles, script, fonts, logo), and each went through the storage
    again; the answer depends only on the storage and its manifest, read once when the
    process starts. A test that changes them empties this (see _forget_settings).
    """
    return django_static(path)


@pass_context
def date(context, value, arg=None):
    """Django's `date` filter, in local time as Django's templates show datetimes
    (newsroom.dates formats it; what that cannot format, Django's filter does)."""
    if value in (None, ""):
        return ""
    value = page_localtime(context, value)
    language = page_language(context)
    try:
        return date_format(value, arg or "DATE_FORMAT", language)
    except AttributeError:
        with translation.override(language):
            return defaultfilters.date(value, arg)


@pass_context
def floatformat(context, value, arg=-1):
    """Django's `floatformat` filter (newsroom.numbers), in the page's language."""
    return numbers.floatformat(value, arg, page_language(context))


def linebreaks(value):
    """Django's `linebreaks`: paragraphs and <br>, the text escaped."""
    return defaultfilters.linebreaks_filter(value, autoescape=True)


# Each language's messages as the templates show them (see gettext below): by language
# and autoescaping, the message, and the message as shown with no variables.
_MESSAGES: dict[tuple[str | None, bool], dict[str, tuple[str, str | None]]] = {}


@pass_context
def gettext(context, message, **variables):
    """`_()` and `gettext()` in a template: the i18n extension's newstyle gettext (the
    message in the page's language (page_language), marked safe where the template
    escapes, then filled with `variables`), each language's messages looked up once per
    process.

    A page shows some forty messages, and each cost 25 µs through the extension: two
    calls through the template's context, Django's gettext reading the active language
    from its context-local storage, the catalogs searched one after another, and the
    Markup built and formatted again. The catalogs do not change while the
    process runs; a test that changes the languages or the catalogs' paths empties this
    (see _forget_settings).
    """
    autoescape = context.eval_ctx.autoescape
    language = page_language(context)
    if type(message) is not str:  # a variable's value, say: not kept
        return _translated(message, language, autoescape) % variables
    translated, shown = _message(message, language, autoescape)
    if variables or shown is None:
        return translated % variables
    return shown


def _message(message, language, autoescape):
    """The message translated, and as shown with no variables (None if it needs some)."""
    messages = _MESSAGES.setdefault((language, autoescape), {})
    try:
        return messages[message]
    except KeyError:
        translated = _translated(message, language, autoescape)
        # As the extension does, a message is a format string even with no variables.
        try:
            shown = translated % {}
        except (KeyError, TypeError, ValueError):
            shown = None  # it needs its variables
        messages[message] = translated, shown
        return translated, shown


class PageMessages:
    """The messages of a language (the active one if None) as `_("…")` shows them with
    no variables, for MessagesCodeGenerator."""

    __slots__ = ("language",)

    def __init__(self, language=None):
        self.language = language

    def __getitem__(self, message):
        translated, shown = _message(message, self.language or translation.get_language(), True)
        return translated % {} if shown is None else shown  # raises as the extension does


class MessagesCodeGenerator(CodeGenerator):
    """Compiles `_("a literal message")`, with no variables, to a lookup in the page's
    messages (`context.parent["_page_messages"]["…"]`) instead of a call.

    A call from a template goes through its context (which looks at what it calls,
    then calls it with the context) and costs ten times the lookup; a page shows some
    forty such messages. A public page's context has its language's messages
    (page_context); any other render has the environment's global, which follows the
    active language. Only the compiled code changes: the template's source, which
    makemessages reads, and what the message shows stay the same (gettext above;
    tests/newsroom/test_template_messages.py). A template that names a variable `_`
    of its own keeps the call.
    """

    def visit_Call(self, node, frame, forward_caller=False):
        callee, arguments = node.node, node.args
        if (
            isinstance(callee, nodes.Name)
            and callee.name == "_"
            and len(arguments) == 1
            and isinstance(arguments[0], nodes.Const)
            and type(arguments[0].value) is str
            and not node.kwargs
            and node.dyn_args is None
            and node.dyn_kwargs is None
            and not forward_caller
            and frame.symbols.find_load(frame.symbols.ref("_")) == (VAR_LOAD_RESOLVE, "_")
        ):
            self.write(f"context.parent['_page_messages'][{arguments[0].value!r}]")
            return
        super().visit_Call(node, frame, forward_caller=forward_caller)


def _translated(message, language, autoescape):
    with translation.override(language):
        translated = translation.gettext(message)
    # Our own catalogs' text, trusted as the extension trusts it.
    return Markup(translated) if autoescape else translated  # noqa: S704


def _forget_settings(*, setting, **kwargs):
    """What this module keeps from settings, forgotten when a test changes them."""
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS"}:
        _MESSAGES.clear()
    if setting in {"STATIC_URL", "STATIC_ROOT", "STORAGES", "STATICFILES_DIRS"}:
        static.cache_clear()


setting_changed.connect(_forget_settings)


# Django's filters of the same names, where Jinja2 has none or one that differs.
FILTERS = {
    "date": date,
    "floatformat": floatformat,
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
    env.code_generator_class = MessagesCodeGenerator
    env.install_gettext_callables(
        gettext=translation.gettext,
        ngettext=translation.ngettext,
        pgettext=translation.pgettext,
        npgettext=translation.npgettext,
        newstyle=True,
    )
    # The extension's `_` calls whatever `gettext` is: both are the faster one.
    env.globals.update(_=gettext, gettext=gettext, _page_messages=PageMessages())
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
