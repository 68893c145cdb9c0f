"""Project-level views that belong to no app: the health check, login protection around
Django's own admin login and password-reset views, and the admin's 403 page."""

import logging
import time
from importlib.metadata import PackageNotFoundError, version

from axes.helpers import get_cool_off
from axes.utils import reset as axes_reset
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from newsroom.routers import health_report

logger = logging.getLogger(__name__)

try:
    VERSION = version("newsroom") or "unknown"
except PackageNotFoundError:  # a checkout run without `pip install -e .`
    VERSION = "unknown"


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any failure to reach the database is the answer, not a 500
        logger.warning("healthz: database unreachable", exc_info=True)
        return False


def _cache_ok() -> bool:
    key = "healthz:probe"
    token = str(time.monotonic_ns())
    try:
        cache.set(key, token, timeout=10)
        return cache.get(key) == token
    except Exception:  # a cache outage is reported, never raised
        logger.warning("healthz: cache unreachable", exc_info=True)
        return False


@never_cache
@require_safe
def healthz(request):
    """200 while the site can serve pages (the database answers), 503 when it cannot.

    The cache and the read replicas ("ok", "lagging" or "error" each) are reported but
    do not fail the check: the site serves without them.
    No session, no authentication, never cached: load balancers poll this.
    """
    database = _database_ok()
    body = {
        "database": "ok" if database else "error",
        "cache": "ok" if _cache_ok() else "error",
        "version": VERSION,
    }
    replicas = health_report()
    if replicas:
        body["replicas"] = replicas
    return JsonResponse(body, status=200 if database else 503)


def login_username(request, credentials=None):
    """The username django-axes counts failures for (AXES_USERNAME_CALLABLE).

    Django's login form authenticates without checking the username's length, and
    axes' table holds 255 characters: a longer name would fail the insert on
    PostgreSQL (a 500). No account's name is longer than the user model allows, so
    cutting there merges nothing real.
    """
    source = credentials or getattr(request, "data", request.POST)
    username = source.get("username")
    if not username:
        return username
    user_model = get_user_model()
    return username[: user_model._meta.get_field(user_model.USERNAME_FIELD).max_length]


def login_locked_out(request, original_response=None, credentials=None):
    """The admin login page again, saying why even the right password is refused now.

    django-axes calls this (AXES_LOCKOUT_CALLABLE) instead of answering a bare 429.
    """
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    cool_off = get_cool_off(request)
    context = {
        **admin.site.each_context(request),
        "title": _("Log in"),
        "app_path": request.get_full_path(),
        "form": AdminAuthenticationForm(request, initial={"username": username}),
        "next": request.POST.get("next", request.GET.get("next", "")),
        "lockout_minutes": round(cool_off.total_seconds() / 60) if cool_off else None,
    }
    # Rendered now: axes swaps it in after the view's response has been rendered.
    return render(request, "registration/locked_out.html", context, status=429)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's view; a new password set through the e-mailed link also lifts the
    account's lockout, since the link proves its owner asked for it. (A lockout of
    the address stays: it may be someone else's attack from there.)"""

    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=form.user.get_username())
        return response


def permission_denied(request, exception):
    """A refusal in the admin looks like the admin and speaks the user's admin language."""
    if not request.path_info.startswith(reverse("admin:index")):
        return defaults.permission_denied(request, exception)
    context = {**admin.site.each_context(request), "title": gettext("Access denied")}
    return render(request, "admin/403.html", context, status=403)
