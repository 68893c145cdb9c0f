"""The switch of bylines from accounts to author profiles keeps every signature."""

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("articles", "0007_merge_image_content_check"), ("authors", None)]
AFTER = [("articles", "0009_bylines_author_only"), ("authors", "0002_bylines_author_permissions")]
# What the test reads and writes besides the stories.
OTHERS = [
    ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
    ("contenttypes", "0002_remove_content_type_name"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    state = [node for node in targets if node[1] is not None] + OTHERS
    return executor.loader.project_state(state).apps


# PostgreSQL only: on SQLite, unapplying parallel branches' migrations rebuilds the
# story table from a state without the other branches' indexes (a Django limitation
# with merged migration graphs), so going back to 0007 fails there.
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_each_signing_user_gets_a_profile_and_bylines_keep_their_order():
    try:
        old = migrate(BEFORE)
        User = old.get_model("auth", "User")
        Rubric = old.get_model("articles", "Rubric")
        Article = old.get_model("articles", "Article")
        Byline = old.get_model("articles", "Byline")
        ContentType = old.get_model("contenttypes", "ContentType")
        Revision = old.get_model("reversion", "Revision")
        Version = old.get_model("reversion", "Version")
        named = User.objects.create(username="aibek", first_name="Айбек", last_name="Осмонов")
        bare = User.objects.create(username="nurgul")
        gone = User.objects.create(username="left")
        rubric = Rubric.objects.create(name_ky="Саясат", slug_ky="sayasat", slug_ru="politika")
        story = Article.objects.create(slug="kabar", rubric=rubric, title_ky="Кабар")
        Byline.objects.create(article=story, author=bare, position=0)
        Byline.objects.create(article=story, author=named, position=1)
        byline_type, _ = ContentType.objects.get_or_create(app_label="articles", model="byline")
        revision = Revision.objects.create(comment="", date_created=timezone.now())

        def saved_byline(pk, user):
            fields = {"article": story.pk, "author": user.pk, "position": 0}
            data = [{"model": "articles.byline", "pk": pk, "fields": fields}]
            return Version.objects.create(
                revision=revision,
                object_id=str(pk),
                content_type=byline_type,
                db="default",
                format="json",
                serialized_data=json.dumps(data),
                object_repr="",
            )

        kept, dropped = saved_byline(900, named), saved_byline(901, gone)
        gone.delete()

        new = migrate(AFTER)
        Author = new.get_model("authors", "Author")
        Byline = new.get_model("articles", "Byline")
        Version = new.get_model("reversion", "Version")
        signed = Byline.objects.filter(article_id=story.pk).order_by("position")
        assert [(b.author.name_ky, b.author.name_ru, b.author.user_id) for b in signed] == [
            ("nurgul", "nurgul", bare.pk),
            ("Айбек Осмонов", "Айбек Осмонов", named.pk),
        ]
        assert Author.objects.get(user_id=named.pk).slug == "aybek-osmonov"
        profile = Author.objects.get(user_id=named.pk).pk
        assert json.loads(Version.objects.get(pk=kept.pk).serialized_data)[0]["fields"] == {
            "article": story.pk,
            "author": profile,
            "position": 0,
        }
        assert not Version.objects.filter(pk=dropped.pk).exists()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
