"""A tag link carries its story's publication time, so a tag page reads the tag's newest
stories from an index of (tag, time) instead of walking every story's time for the tag.

On PostgreSQL two triggers keep the time equal to the story's, whatever writes the rows
(the ORM, taggit, a bulk insert, a revision being restored, a queryset update of the
story's time): a link takes its story's time when it is written, and a story's links
follow when its time changes. Other databases leave it empty and list a tag's stories
as before (articles.views.TagView).
"""

from django.db import migrations, models

LINK_TIME = (
    "CREATE FUNCTION tagged_article_time() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "NEW.published_at := (SELECT published_at FROM articles_article "
    "WHERE id = NEW.content_object_id); RETURN NEW; END $$"
)
STORY_TIME = (
    "CREATE FUNCTION article_tag_links_time() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "UPDATE articles_taggedarticle SET published_at = NEW.published_at "
    "WHERE content_object_id = NEW.id; RETURN NULL; END $$"
)


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(LINK_TIME)
    schema_editor.execute(
        "CREATE TRIGGER tagged_article_time BEFORE INSERT OR UPDATE ON articles_taggedarticle "
        "FOR EACH ROW EXECUTE FUNCTION tagged_article_time()"
    )
    schema_editor.execute(STORY_TIME)
    schema_editor.execute(
        "CREATE TRIGGER article_tag_links_time AFTER UPDATE OF published_at ON articles_article "
        "FOR EACH ROW WHEN (OLD.published_at IS DISTINCT FROM NEW.published_at) "
        "EXECUTE FUNCTION article_tag_links_time()"
    )
    schema_editor.execute(
        "UPDATE articles_taggedarticle AS link SET published_at = story.published_at "
        "FROM articles_article AS story WHERE story.id = link.content_object_id"
    )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS article_tag_links_time ON articles_article")
    schema_editor.execute("DROP FUNCTION IF EXISTS article_tag_links_time()")
    schema_editor.execute("DROP TRIGGER IF EXISTS tagged_article_time ON articles_taggedarticle")
    schema_editor.execute("DROP FUNCTION IF EXISTS tagged_article_time()")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0014_perf_embargo_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="taggedarticle",
            name="published_at",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="taggedarticle",
            index=models.Index(
                fields=["tag", "-published_at", "-content_object"], name="tagged_article_newest"
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
