"""What manage.py and the WSGI entry point do before Django starts."""

import sys


def load_settings_or_exit() -> None:
    """Import the settings; a missing production value ends the process with one line.

    The settings raise ImproperlyConfigured naming the variable; an operator starting
    the service should read that sentence, not a 30-line traceback around it.
    """
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018 (the first access imports the settings module)
    except ImproperlyConfigured as error:
        sys.exit(f"newsroom: {error}")


def warm_up() -> None:
    """Do in the server's master process what every worker would otherwise do on its
    first requests: compile the readers' templates, read both languages' message
    catalogs and load the URL patterns.

    gunicorn forks its workers from the master after loading the application
    (`preload_app`) and replaces each after `max_requests`; a fresh worker used to spend
    some 400 ms of CPU on its first story page, most of it compiling templates. Forked
    after this, it inherits them.
    """
    from django.conf import settings
    from django.template import engines
    from django.urls import get_resolver, reverse
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 (imports the URLconf and the views)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            reverse("articles:home")  # the language's URL patterns, reversed once
    environment = engines["jinja2"].env
    for name in environment.list_templates(filter_func=_is_page_template):
        environment.get_template(name)


def _is_page_template(name: str) -> bool:
    return name.endswith((".html", ".xml", ".txt"))
