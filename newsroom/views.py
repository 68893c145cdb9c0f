from django.contrib import admin
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views import defaults


def permission_denied(request, exception):
    """A refusal in the admin looks like the admin and speaks the user's admin language."""
    if not request.path_info.startswith(reverse("admin:index")):
        return defaults.permission_denied(request, exception)
    context = {**admin.site.each_context(request), "title": gettext("Access denied")}
    return render(request, "admin/403.html", context, status=403)
