"""The editorial roles as groups: Journalist, Editor, Moderator.

Permissions are created here rather than left to post_migrate so that the
groups are complete right after `migrate`, on a fresh database.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

JOURNALIST = [
    ("articles", "add_article"),
    ("articles", "change_article"),
    ("articles", "view_article"),
    ("articles", "view_rubric"),
    ("articles", "view_place"),
    ("articles", "view_tag"),
    ("articles", "add_tag"),
    ("articles", "add_byline"),
    ("articles", "change_byline"),
    ("articles", "delete_byline"),
    ("articles", "view_byline"),
]
EDITOR = JOURNALIST + [
    ("articles", "delete_article"),
    ("articles", "publish_article"),
    ("articles", "edit_any_article"),
    ("articles", "add_rubric"),
    ("articles", "change_rubric"),
    ("articles", "delete_rubric"),
    ("articles", "add_place"),
    ("articles", "change_place"),
    ("articles", "delete_place"),
    ("articles", "change_tag"),
    ("articles", "delete_tag"),
]


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in [("Journalist", JOURNALIST), ("Editor", EDITOR), ("Moderator", [])]:
        group, _created = Group.objects.get_or_create(name=name)
        for app_label, codename in perms:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["Journalist", "Editor", "Moderator"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
