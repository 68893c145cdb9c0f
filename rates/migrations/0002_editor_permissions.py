"""Editors manage currencies and rates; journalists and moderators do not touch them.

Permissions are created here rather than left to post_migrate so that the Editor group is
complete right after `migrate`, on a fresh database.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = [
    f"{action}_{model}"
    for model in ("currency", "rate")
    for action in ("add", "change", "delete", "view")
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("rates")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor, _created = Group.objects.get_or_create(name="Editor")
    editor.permissions.add(
        *Permission.objects.filter(content_type__app_label="rates", codename__in=EDITOR)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Editor"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="rates", codename__in=EDITOR)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("rates", "0001_initial"),
        ("articles", "0002_editorial_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
