"""Login protection around Django's own admin login and password-reset views."""

from axes.helpers import get_cool_off
from axes.utils import reset as axes_reset
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils.translation import gettext as _


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
