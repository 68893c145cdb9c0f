"""Kyrgyz search by stems, stored search vectors, typo tolerance.

* `search_ky` holds each story's Kyrgyz stems (articles.search_document), filled
  here for the stories that exist; the Kyrgyz full-text index moves from the
  `simple` expression of 0003 to a GIN index on that column.
* `search_ru` holds the Russian vector of 0003's index, kept by a trigger, so
  ranking reads it instead of parsing every matching story again.
* pg_trgm and a trigram index on each language's titles let a misspelt query
  (`мектпе`, `Бишкк`) still find its stories.

Indexes are PostgreSQL only; other databases search with icontains.
"""

import django.contrib.postgres.search
from django.db import migrations

import articles.search_document

LIVE = "WHERE status = 'published' AND has_{language}"


def create_trigram_extension(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


def fill_search_documents(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    stories = Article.objects.only("title_ky", "lead_ky", "body_ky").order_by("pk")
    batch = []
    for story in stories.iterator(chunk_size=500):
        story.search_ky = articles.search_document.kyrgyz_document(
            title=story.title_ky or "", lead=story.lead_ky or "", body=story.body_ky or ""
        )
        batch.append(story)
        if len(batch) == 500:
            Article.objects.bulk_update(batch, ["search_ky"])
            batch = []
    Article.objects.bulk_update(batch, ["search_ky"])


RUSSIAN_VECTOR = (
    "setweight(to_tsvector('russian', COALESCE(NEW.title_ru, '')), 'A')"
    " || setweight(to_tsvector('russian', COALESCE(NEW.lead_ru, '')), 'B')"
    " || setweight(to_tsvector('russian', COALESCE(NEW.body_ru, '')), 'C')"
)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The updates above leave deferred foreign key checks pending, and
    # PostgreSQL builds no index on a table with pending trigger events.
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    schema_editor.execute(
        "CREATE FUNCTION article_search_ru() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN NEW.search_ru := {RUSSIAN_VECTOR}; RETURN NEW; END $$"
    )
    schema_editor.execute(
        "CREATE TRIGGER article_search_ru BEFORE INSERT OR UPDATE OF title_ru, lead_ru, body_ru "
        "ON articles_article FOR EACH ROW EXECUTE FUNCTION article_search_ru()"
    )
    schema_editor.execute("UPDATE articles_article SET title_ru = title_ru")
    for language in ("ky", "ru"):
        schema_editor.execute(f"DROP INDEX IF EXISTS article_search_{language}")
        schema_editor.execute(
            f"CREATE INDEX article_search_{language} ON articles_article "
            f"USING gin (search_{language}) " + LIVE.format(language=language)
        )
    for language in ("ky", "ru"):
        schema_editor.execute(
            f"CREATE INDEX article_title_trigram_{language} ON articles_article "
            f"USING gin (title_{language} gin_trgm_ops) " + LIVE.format(language=language)
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for language in ("ky", "ru"):
        schema_editor.execute(f"DROP INDEX IF EXISTS article_title_trigram_{language}")
    schema_editor.execute("DROP TRIGGER IF EXISTS article_search_ru ON articles_article")
    schema_editor.execute("DROP FUNCTION IF EXISTS article_search_ru()")
    for language, config in (("ky", "simple"), ("ru", "russian")):
        schema_editor.execute(f"DROP INDEX IF EXISTS article_search_{language}")
        vector = " || ".join(
            f"setweight(to_tsvector('{config}'::regconfig, COALESCE({field}_{language}, '')), "
            f"'{weight}')"
            for field, weight in (("title", "A"), ("lead", "B"), ("body", "C"))
        )
        schema_editor.execute(
            f"CREATE INDEX article_search_{language} ON articles_article USING gin (({vector})) "
            + LIVE.format(language=language)
        )


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_search_indexes")]

    operations = [
        # Not TrigramExtension(): its reverse queries pg_extension on SQLite too,
        # and the extension may serve other objects, so it stays on the way back.
        migrations.RunPython(create_trigram_extension, migrations.RunPython.noop),
        migrations.AddField(
            model_name="article",
            name="search_ky",
            field=articles.search_document.SearchDocumentField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="article",
            name="search_ru",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(fill_search_documents, migrations.RunPython.noop),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
