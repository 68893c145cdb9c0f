"""The admin speaks the language its user chose, not the public site's last language.

Public pages take their language from the URL (/ky/, /ru/) and remember it in
the language cookie; Django's LocaleMiddleware would carry that cookie into the
admin too. For admin URLs this middleware, placed after the authentication
middleware, activates the user's own `Profile.admin_language` instead, and without
one the browser's language, never the cookie.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from .models import Profile


def browser_language(request) -> str:
    """The first of the browser's languages (Accept-Language) that the site speaks.

    Django's own `get_language_from_request()` would read the public site's language
    cookie first, which is exactly what the admin must not follow.
    """
    supported = {code for code, _name in settings.LANGUAGES}
    for accepted, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        try:
            code = translation.get_supported_language_variant(accepted)
        except LookupError:
            continue
        if code in supported:
            return code
    return settings.LANGUAGE_CODE


def admin_language(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        chosen = Profile.objects.filter(user=user).values_list("admin_language", flat=True).first()
        if chosen:
            return chosen
    return browser_language(request)


class AdminLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(reverse("admin:index")):
            language = admin_language(request)
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
