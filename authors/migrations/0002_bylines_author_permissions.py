"""Journalists pick authors for their bylines; editors keep the profiles."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

JOURNALIST = ["view_author"]
EDITOR = ["view_author", "add_author", "change_author", "delete_author"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("authors")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in [("Journalist", JOURNALIST), ("Editor", EDITOR)]:
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label="authors", codename__in=codenames)
            )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=["Journalist", "Editor"]):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="authors"))


class Migration(migrations.Migration):
    dependencies = [
        ("authors", "0001_initial"),
        ("articles", "0002_editorial_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
