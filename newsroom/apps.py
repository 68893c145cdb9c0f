from axes.apps import AppConfig as AxesConfig
from django.utils.translation import gettext_lazy as _


class LoginLockoutsConfig(AxesConfig):
    """django-axes under a name editors understand in the admin's app list."""

    verbose_name = _("Login lockouts")
