"""Moderators and editors moderate comments and keep the stop-word list; journalists do not.

Permissions are created here rather than left to post_migrate so that the
groups are complete right after `migrate`, on a fresh database.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODERATION = [
    "view_comment",
    "change_comment",
    "view_stopword",
    "add_stopword",
    "change_stopword",
    "delete_stopword",
]
GROUPS = ["Moderator", "Editor"]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="comments", codename__in=MODERATION)
    for name in GROUPS:
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*perms)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="comments", codename__in=MODERATION)
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("articles", "0002_editorial_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
