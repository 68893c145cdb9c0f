"""A database outage answers a static, localized 503 page: never a traceback, never a 500.

The page is rendered from a template without a request context, so nothing on it
touches the database (no user, no messages, no rubric menu). The site recovers by
itself: the next request simply opens a new connection.
"""

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.views import defaults

logger = logging.getLogger("newsroom.database")

# What psycopg (and SQLite) raise when the server is unreachable or the connection dies.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def database_unavailable_response(request, error: Exception) -> HttpResponse:
    """The static 503 page in the language of the URL (else the active one)."""
    language = translation.get_language_from_path(request.path_info) or (translation.get_language())
    if language not in LANGUAGE_CODES:
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        html = render_to_string("503.html", {"LANGUAGE_CODE": language})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(settings.NEWSROOM_DATABASE_RETRY_AFTER)
    add_never_cache_headers(response)
    logger.error(
        "Database unavailable, answered 503 to %s %s: %s",
        request.method,
        request.path,
        " ".join(str(error).split()) or type(error).__name__,
    )
    # Our line says it all: django.request must not add its own (with a traceback).
    response._has_been_logged = True
    return response


class DatabaseUnavailableMiddleware:
    """Turn a database outage inside a view or its template into the 503 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_UNAVAILABLE):
            return database_unavailable_response(request, exception)
        return None


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """handler500: the same 503 page when the database failed outside a view.

    E.g. while rendering the 404 page (its menu reads rubrics) or saving a session.
    """
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_UNAVAILABLE):
        return database_unavailable_response(request, error)
    return defaults.server_error(request, template_name)
