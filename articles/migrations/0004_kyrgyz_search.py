"""Kyrgyz search by stems, and typo tolerance for both languages.

* `search_ky` holds each story's Kyrgyz stems (articles.search_document), filled
  here for the stories that exist; the Kyrgyz full-text index moves from the
  `simple` expression of 0003 to a GIN index on that column.
* pg_trgm and a trigram index on each language's titles let a misspelt query
  (`мектпе`, `Бишкк`) still find its stories.

Indexes are PostgreSQL only; other databases search with icontains.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

import articles.search_document

LIVE = "WHERE status = 'published' AND has_{language}"


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


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS article_search_ky")
    schema_editor.execute(
        "CREATE INDEX article_search_ky ON articles_article USING gin (search_ky) "
        + LIVE.format(language="ky")
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
    schema_editor.execute("DROP INDEX IF EXISTS article_search_ky")
    schema_editor.execute(
        "CREATE INDEX article_search_ky ON articles_article USING gin (("
        "(setweight(to_tsvector('simple'::regconfig, COALESCE(title_ky, '')), 'A')"
        " || setweight(to_tsvector('simple'::regconfig, COALESCE(lead_ky, '')), 'B'))"
        " || setweight(to_tsvector('simple'::regconfig, COALESCE(body_ky, '')), 'C'))) "
        + LIVE.format(language="ky")
    )


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_search_indexes")]

    operations = [
        TrigramExtension(),
        migrations.AddField(
            model_name="article",
            name="search_ky",
            field=articles.search_document.SearchDocumentField(editable=False, null=True),
        ),
        migrations.RunPython(fill_search_documents, migrations.RunPython.noop),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
