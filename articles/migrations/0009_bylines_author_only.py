"""Bylines keep only their profile (see 0008): the account column goes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("articles", "0008_bylines_author_profiles")]

    operations = [
        migrations.RemoveField(model_name="byline", name="author"),
        migrations.RenameField(model_name="byline", old_name="profile", new_name="author"),
        migrations.AlterField(
            model_name="byline",
            name="author",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="bylines",
                to="authors.author",
                verbose_name="author",
            ),
        ),
        migrations.AddConstraint(
            model_name="byline",
            constraint=models.UniqueConstraint(fields=("article", "author"), name="unique_byline"),
        ),
        migrations.AddField(
            model_name="article",
            name="authors",
            field=models.ManyToManyField(
                blank=True,
                related_name="articles",
                through="articles.Byline",
                to="authors.author",
                verbose_name="authors",
            ),
        ),
    ]
