"""Full-text search indexes for the public search page (PostgreSQL only).

Each index holds exactly the weighted vector articles.search builds for its
language, restricted to the stories that page can find. Other databases search
with icontains and need no index.
"""

from django.db import migrations

CONFIGS = {"ky": "simple", "ru": "russian"}


def vector(language, config):
    parts = [
        f"setweight(to_tsvector('{config}'::regconfig, COALESCE({field}_{language}, '')), '{weight}')"
        for field, weight in (("title", "A"), ("lead", "B"), ("body", "C"))
    ]
    return f"(({parts[0]} || {parts[1]}) || {parts[2]})"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for language, config in CONFIGS.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS article_search_{language} ON articles_article "
            f"USING gin ({vector(language, config)}) "
            f"WHERE status = 'published' AND has_{language}"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for language in CONFIGS:
        schema_editor.execute(f"DROP INDEX IF EXISTS article_search_{language}")


class Migration(migrations.Migration):
    dependencies = [("articles", "0002_editorial_groups")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
