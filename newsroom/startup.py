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
