"""Bylines point at author profiles (authors.Author) instead of user accounts.

Every user who signs a story, now or in a saved version of one, gets a staff profile
named after the account (full name, else username); bylines keep their order. Saved
versions of bylines are rewritten to name the profile, so a restore still works; a
version naming an account deleted since is dropped from its revision (the story comes
back without that byline rather than not at all). Migration 0009 then drops the account
column (in its own transaction: PostgreSQL alters no table with pending trigger events).
"""

import json

import django.db.models.deletion
from django.db import migrations, models

from articles.slugs import slug_from_title, unique_slug


def _profile_maker(apps):
    Author = apps.get_model("authors", "Author")
    User = apps.get_model("auth", "User")
    made = {author.user_id: author.pk for author in Author.objects.exclude(user=None)}

    def profile_for(user_id):
        if user_id not in made:
            user = User.objects.filter(pk=user_id).first()
            if user is None:
                return None
            name = f"{user.first_name} {user.last_name}".strip() or user.username
            slug = unique_slug(
                slug_from_title(name) or "author",
                taken=lambda s: Author.objects.filter(slug=s).exists(),
            )
            made[user_id] = Author.objects.create(
                user=user, kind="staff", name_ky=name, name_ru=name, slug=slug
            ).pk
        return made[user_id]

    return profile_for


def bylines_to_profiles(apps, schema_editor):
    Byline = apps.get_model("articles", "Byline")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Version = apps.get_model("reversion", "Version")
    profile_for = _profile_maker(apps)
    for byline in Byline.objects.order_by("pk"):
        byline.profile_id = profile_for(byline.author_id)
        byline.save(update_fields=["profile"])
    byline_type = ContentType.objects.filter(app_label="articles", model="byline").first()
    if byline_type is None:
        return
    for version in Version.objects.filter(content_type=byline_type, format="json"):
        data = json.loads(version.serialized_data)
        profile_id = profile_for(data[0]["fields"].get("author"))
        if profile_id is None:
            version.delete()
            continue
        data[0]["fields"]["author"] = profile_id
        version.serialized_data = json.dumps(data)
        version.save(update_fields=["serialized_data"])


def profiles_to_bylines(apps, schema_editor):
    Byline = apps.get_model("articles", "Byline")
    for byline in Byline.objects.select_related("profile"):
        if byline.profile.user_id is None:
            byline.delete()
        else:
            byline.author_id = byline.profile.user_id
            byline.save(update_fields=["author"])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_merge_image_content_check"),
        ("authors", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
    ]

    operations = [
        migrations.RemoveField(model_name="article", name="authors"),
        migrations.RemoveConstraint(model_name="byline", name="unique_byline"),
        migrations.AddField(
            model_name="byline",
            name="profile",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="bylines",
                to="authors.author",
                verbose_name="author",
            ),
        ),
        migrations.AlterField(
            model_name="byline",
            name="author",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="auth.user",
            ),
        ),
        migrations.RunPython(bylines_to_profiles, profiles_to_bylines),
    ]
