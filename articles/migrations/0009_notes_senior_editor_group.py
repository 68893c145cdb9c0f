"""Corrections are the editors' work; lifting an embargo early is a senior editor's.

"Senior editor" is a whole role: everything an editor may do, and lifting an embargo
before its time. Permissions are created here, as in 0002, so the groups are
complete right after `migrate`.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

NOTES = [
    ("articles", "add_storynote"),
    ("articles", "change_storynote"),
    ("articles", "delete_storynote"),
    ("articles", "view_storynote"),
]
SENIOR_ONLY = [("articles", "lift_embargo")]


def create_permissions_now(apps):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None


def add_roles(apps, schema_editor):
    create_permissions_now(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(pairs):
        return [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in pairs
        ]

    editor, _created = Group.objects.get_or_create(name="Editor")
    editor.permissions.add(*permissions(NOTES))
    senior, _created = Group.objects.get_or_create(name="Senior editor")
    senior.permissions.add(*editor.permissions.all(), *permissions(SENIOR_ONLY))


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name="Senior editor").delete()
    editor = Group.objects.filter(name="Editor").first()
    if editor is not None:
        editor.permissions.remove(
            *editor.permissions.filter(
                content_type__app_label="articles", codename__in=[c for _a, c in NOTES]
            )
        )


class Migration(migrations.Migration):
    dependencies = [("articles", "0008_notes_embargo_and_story_notes")]

    operations = [migrations.RunPython(add_roles, remove_roles)]
