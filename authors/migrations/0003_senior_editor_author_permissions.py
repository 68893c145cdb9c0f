"""A senior editor may do everything an editor may, author profiles included.

The Senior editor group (articles 0009) copies the Editor group's permissions when it
is made; whichever of the two migrations runs first, this one completes it.
"""

from django.db import migrations

EDITOR = ["view_author", "add_author", "change_author", "delete_author"]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    senior = Group.objects.filter(name="Senior editor").first()
    if senior is not None:
        senior.permissions.add(
            *Permission.objects.filter(content_type__app_label="authors", codename__in=EDITOR)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    senior = Group.objects.filter(name="Senior editor").first()
    if senior is not None:
        senior.permissions.remove(*Permission.objects.filter(content_type__app_label="authors"))


class Migration(migrations.Migration):
    dependencies = [
        ("authors", "0002_bylines_author_permissions"),
        ("articles", "0009_notes_senior_editor_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
