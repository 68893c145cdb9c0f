from django.apps import AppConfig
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def translated_group_name(group):
    return gettext(group.name)


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.models import Group

        # The editorial roles keep their English names in the database (the code
        # looks groups up by name); people see them in their own admin language.
        Group.__str__ = translated_group_name
