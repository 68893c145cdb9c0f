"""Querysets compiled once per process (newsroom.prepared) answer what a fresh queryset
answers, for every call's own values."""

import time
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from newsroom.prepared import PreparedQuery
from tests.factories import make_archive, make_article, make_rubric

pytestmark = pytest.mark.django_db


def _stories(*, shape, rubric_id, since, exclude_ids):
    (language,) = shape
    return (
        Article.objects.filter(**{f"has_{language}": True})
        .filter(rubric_id=rubric_id, published_at__gte=since)
        .exclude(pk__in=exclude_ids)
        .select_related("rubric")
        .order_by("-published_at", "-id")
    )


def titles(stories, language="ru"):
    return [getattr(story, f"title_{language}") for story in stories]


@pytest.fixture
def two_rubrics():
    now = timezone.now()
    politics, economy = make_rubric(name_ru="Политика"), make_rubric(name_ru="Экономика")
    stories = {}
    for days, rubric, title in [
        (1, politics, "Выборы"),
        (2, politics, "Парламент"),
        (3, economy, "Бюджет"),
        (10, politics, "Старая политика"),
    ]:
        stories[title] = make_article(
            rubric=rubric, title_ru=title, published_at=now - timedelta(days=days)
        )
    return now, politics, economy, stories


def test_each_call_answers_for_its_own_values(two_rubrics):
    now, politics, economy, stories = two_rubrics
    prepared = PreparedQuery(Article, _stories)

    week_ago = now - timedelta(days=7)
    politics_week = prepared(
        shape=("ru",), rubric_id=politics.pk, since=week_ago, exclude_ids=[stories["Выборы"].pk]
    )
    assert titles(politics_week) == ["Парламент"]
    # Objects come as the queryset makes them, select_related included.
    with CaptureQueriesContext(connection) as queries:
        assert politics_week[0].rubric.name_ru == "Политика"
    assert len(queries) == 0

    economy_month = prepared(
        shape=("ru",),
        rubric_id=economy.pk,
        since=now - timedelta(days=30),
        exclude_ids=[stories["Выборы"].pk],
    )
    assert titles(economy_month) == ["Бюджет"]
    politics_month = prepared(
        shape=("ru",),
        rubric_id=politics.pk,
        since=now - timedelta(days=30),
        exclude_ids=[stories["Парламент"].pk],
    )
    assert titles(politics_month) == ["Выборы", "Старая политика"]
    # Lists of another length are another shape, prepared in their turn.
    two_excluded = [stories["Выборы"].pk, stories["Парламент"].pk]
    assert (
        titles(
            prepared(shape=("ru",), rubric_id=politics.pk, since=week_ago, exclude_ids=two_excluded)
        )
        == []
    )
    assert titles(
        prepared(shape=("ru",), rubric_id=politics.pk, since=week_ago, exclude_ids=[])
    ) == ["Выборы", "Парламент"]


@pytest.mark.postgres
def test_on_postgresql_the_sql_is_compiled_once_and_reused(two_rubrics):
    now, politics, economy, stories = two_rubrics
    compiled = []

    def build(**values):
        compiled.append(values)
        return _stories(**values)

    prepared = PreparedQuery(Article, build)
    answers = []
    with CaptureQueriesContext(connection) as queries:
        for rubric in (politics, economy, politics):
            answers.append(
                prepared(
                    shape=("ru",),
                    rubric_id=rubric.pk,
                    since=now - timedelta(days=30),
                    exclude_ids=[stories["Выборы"].pk],
                )
            )
    # Built twice to find where the values go (see the module), never again.
    assert len(compiled) == 2
    assert len(queries) == 3
    assert [titles(answer) for answer in answers] == [
        ["Парламент", "Старая политика"],
        ["Бюджет"],
        ["Парламент", "Старая политика"],
    ]


@pytest.mark.postgres
def test_a_value_the_build_makes_itself_is_never_frozen_into_the_sql(two_rubrics, monkeypatch):
    """A build that reads the clock itself cannot be prepared: it is built on every
    call, so the time is always the present one."""
    now, politics, economy, stories = two_rubrics

    def recent(*, shape, rubric_id):
        since = timezone.now() - timedelta(days=shape[0])
        return Article.objects.filter(rubric_id=rubric_id, published_at__gte=since)

    prepared = PreparedQuery(Article, recent)
    assert titles(prepared(shape=(5,), rubric_id=politics.pk)) == ["Выборы", "Парламент"]
    later = now + timedelta(days=3, hours=12)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert titles(prepared(shape=(5,), rubric_id=politics.pk)) == ["Выборы"]


def test_a_flag_must_be_part_of_the_shape(two_rubrics):
    _, politics, _, _ = two_rubrics

    def build(*, shape, rubric_id, urgent):
        return Article.objects.filter(rubric_id=rubric_id, is_urgent=urgent)

    with pytest.raises(TypeError, match="shape"):
        PreparedQuery(Article, build)(rubric_id=politics.pk, urgent=True)


@pytest.mark.postgres
def test_postgresql_prepares_a_story_pages_queries_once_per_connection(client):
    """Production settings bind parameters on the server (DATABASE_PREPARED_STATEMENTS):
    once a connection has served a page a few times, every query of that page is a
    prepared statement that PostgreSQL no longer parses and plans."""
    rubric = make_rubric(name_ky="Саясат")
    story = make_article(rubric=rubric, title_ky="Парламент жыйыны")
    make_article(rubric=rubric, title_ky="Шайлоо")
    path = story.get_absolute_url()  # in the active language; ky by default here

    sent = []

    def record(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    for _ in range(connection.settings_dict["OPTIONS"].get("prepare_threshold") or 5):
        assert client.get(path).status_code == 200
    with connection.execute_wrapper(record):
        response = client.get(path)
    assert "Парламент жыйыны" in response.content.decode()
    assert sent, "the page ran queries"

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = {row[0] for row in cursor.fetchall()}

    def numbered(sql):
        # psycopg sends %s as $1, $2, ... when it prepares a statement.
        parts = sql.split("%s")
        return "".join(f"{part}${n}" for n, part in enumerate(parts[:-1], 1)) + parts[-1]

    assert [sql for sql in sent if numbered(sql) not in prepared] == []


@pytest.mark.postgres
def test_a_bulk_insert_larger_than_one_statements_parameters_is_split():
    """Bound on the server, every value is a protocol parameter and one statement may
    carry 65,535 of them: 2,000 stories of some 45 columns each go in several."""
    rubric = make_rubric()
    Article.objects.bulk_create(
        Article(title_ru=f"Новость {n}", slug=f"novost-{n}", has_ru=True, rubric=rubric)
        for n in range(2000)
    )
    assert Article.objects.filter(rubric=rubric).count() == 2000


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pages_keep_answering_after_a_migration_changes_a_columns_type(client):
    """A migration run while the site serves (a longer rubric name, say) changes the
    result type of statements the workers prepared before it: PostgreSQL refuses them
    ("cached plan must not change result type") until they are dropped. The site drops
    them and answers, as a site without prepared statements would."""
    import psycopg

    rubric = make_rubric(name_ky="Саясат")
    story = make_article(rubric=rubric, title_ky="Парламент жыйыны")
    path = story.get_absolute_url()
    for _ in range(connection.settings_dict["OPTIONS"].get("prepare_threshold") or 5):
        assert client.get(path).status_code == 200

    settings = connection.settings_dict
    migration = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"] or "postgres",
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        autocommit=True,
    )
    try:
        migration.execute("ALTER TABLE articles_rubric ALTER COLUMN name_ky TYPE varchar(120)")
        for _ in range(2):
            response = client.get(path)
            assert response.status_code == 200
            assert "Парламент жыйыны" in response.content.decode()
            assert "Саясат" in response.content.decode()
    finally:
        migration.execute("ALTER TABLE articles_rubric ALTER COLUMN name_ky TYPE varchar(100)")
        migration.close()
    assert client.get(path).status_code == 200


def test_constants_are_written_into_the_sql_and_only_the_values_stay_parameters():
    """On PostgreSQL a shape's constants become literals (quoted, a percent sign
    doubled for the adapter); values, and text the adapter is better at, stay
    parameters."""
    from newsroom.prepared import _Constant, _constants_written_in

    sql = (
        "SELECT 1 FROM t WHERE status = %s AND id = %s AND title LIKE '%%s' "
        "AND note = %s AND path = %s AND kind = %s AND flag = %s"
    )
    slots = [
        _Constant("published"),
        ("story_id", None),
        _Constant("50% o'clock"),
        _Constant("C:\\dir"),
        _Constant(7),
        _Constant(True),
    ]
    written, kept = _constants_written_in(sql, slots)
    assert written == (
        "SELECT 1 FROM t WHERE status = 'published' AND id = %s AND title LIKE '%%s' "
        "AND note = '50%% o''clock' AND path = %s AND kind = 7 AND flag = %s"
    )
    assert [slot if isinstance(slot, tuple) else slot.value for slot in kept] == [
        ("story_id", None),
        "C:\\dir",
        True,
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_story_pages_related_stories_are_planned_once_not_on_every_page(client):
    """With the published status written into its SQL, PostgreSQL can use the partial
    indexes of published stories in a plan for any story, and keeps that one plan for
    the related stories instead of planning them for each page."""
    make_archive(size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    stories = Article.objects.live("ky").order_by("-published_at")[100:112]
    for story in stories:
        assert client.get(story.get_absolute_url()).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE '%%\"shared\"%%'"
        )
        ((generic, custom),) = cursor.fetchall()
    assert generic >= 2 and custom <= 6


@pytest.mark.postgres
def test_timestamps_are_read_by_psycopgs_own_loader_in_utc_as_django_reads_them():
    """In a UTC session psycopg's C loader parses timestamps (newsroom.postgresql);
    what it answers is what Django's own loader answered: aware, in UTC."""
    from datetime import UTC, datetime

    from newsroom.postgresql.base import UtcTimestamptzLoader

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT '2021-05-19 14:05:06.789+06'::timestamptz, NULL::timestamptz,"
            " '1999-12-31 23:59:59.999999+00'::timestamptz"
        )
        row = cursor.fetchone()
        loader = cursor.cursor.adapters.get_loader(1184, 0)
    assert row == (
        datetime(2021, 5, 19, 8, 5, 6, 789000, tzinfo=UTC),
        None,
        datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    )
    assert row[0].tzinfo is UTC
    assert loader is UtcTimestamptzLoader
    story = make_article()
    assert Article.objects.get(pk=story.pk).published_at == story.published_at


@pytest.mark.postgres
def test_a_healthy_connection_is_not_asked_and_one_the_server_closed_is_replaced(monkeypatch):
    """The health check before a request's first query (CONN_HEALTH_CHECKS) costs no
    round trip on a healthy connection, and still finds one the server has closed."""
    from django.db.backends.postgresql.base import DatabaseWrapper as DjangoWrapper

    asked = []
    real = DjangoWrapper.is_usable
    monkeypatch.setattr(DjangoWrapper, "is_usable", lambda self: asked.append(1) or real(self))
    reader, terminator = (connections.create_connection("default") for _ in range(2))
    try:
        with reader.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        assert reader.is_usable()
        assert asked == []  # nothing to read on its socket: no SELECT 1

        with terminator.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _attempt in range(50):  # the server closes the socket at once, yet not in step
            if not reader.is_usable():
                break
            time.sleep(0.05)
        assert not reader.is_usable()
        assert asked, "a socket with something to read is asked with Django's query"
    finally:
        reader.close()
        terminator.close()
