"""App configurations of the project: the Django admin as the newsroom needs it (in the
user's own admin language, everywhere), and django-axes under a name editors understand."""

from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def boolean_icon(value):
    # Django 5.2 writes alt="True" / alt="False" in English whatever the language.
    icon = {True: "yes", False: "no", None: "unknown"}[value]
    label = {True: gettext("Yes"), False: gettext("No"), None: gettext("Unknown")}[value]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), label)


class NewsroomAdminConfig(AdminConfig):
    def ready(self):
        # Before the admin modules load (super().ready() imports them): see lazyimports.
        from newsroom.lazyimports import defer_rich_pretty

        defer_rich_pretty()
        super().ready()
        from django.contrib import admin
        from django.contrib.admin import widgets

        # On a 1366 px laptop the app sidebar takes a quarter of the width from the
        # story list; the breadcrumbs and the front page lead everywhere it did.
        admin.site.enable_nav_sidebar = False
        from django.contrib.admin.templatetags import admin_list

        # Every caller imports the helper from admin_list when it runs.
        admin_list._boolean_icon = boolean_icon
        # Select2 ships no Kyrgyz; ours is static/admin/js/vendor/select2/i18n/ky.js.
        widgets.SELECT2_TRANSLATIONS.setdefault("ky", "ky")


class NewsroomConfig(AppConfig):
    """The project package as an app: its management commands (backup, restore)."""

    name = "newsroom"
    verbose_name = _("Newsroom")


class LoginLockoutsConfig(AxesConfig):
    """django-axes under a name editors understand in the admin's app list."""

    verbose_name = _("Login lockouts")

    def ready(self):
        super().ready()
        from axes.models import AccessFailureLog, AccessLog
        from django.contrib import admin

        # Editors need the lockouts (to lift one), not a log of every login: the
        # request log (JSON lines) has that, and these pages would show raw browser
        # strings in no language.
        for model in (AccessLog, AccessFailureLog):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
