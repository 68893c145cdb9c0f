"""Read replicas: which database a request reads from, and when a replica is skipped.

The real thing (a primary, a streaming replica, gunicorn) is tests/deploy/test_replicas.py;
these pin the rules one by one, with the replica's answers to the health probe given.
"""

import json
import time

import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from articles.models import Article
from newsroom import routers
from tests.newsroom.test_settings import PRODUCTION, run_manage

REPLICA = "replica_0"


@pytest.fixture(autouse=True)
def one_replica(monkeypatch):
    """Settings with one replica, its health as each test says (healthy by default)."""
    routers.forget_verdicts()
    monkeypatch.setattr(routers, "replica_aliases", lambda: [REPLICA])
    monkeypatch.setattr(routers, "last_purge", lambda: 0.0)
    answers = {"in_recovery": True, "caught_up": True, "replayed_at": None, "fails": False}

    def probe(alias):
        if answers["fails"]:
            return routers.Verdict("error", None, 0.0, time.monotonic())
        fields = {k: v for k, v in answers.items() if k != "fails"}
        return routers.judge(started=time.time(), **fields)

    monkeypatch.setattr(routers, "probe", probe)
    yield answers
    routers.forget_verdicts()


def read_database(request) -> str:
    """The database the view of `request` reads stories from."""
    seen = {}

    def view(request):
        seen["read"] = routers.ReplicaRouter().db_for_read(Article)
        seen["write"] = routers.ReplicaRouter().db_for_write(Article)
        return HttpResponse("ok")

    routers.ReplicaMiddleware(view)(request)
    assert seen["write"] == DEFAULT_DB_ALIAS, "writes always go to the primary"
    return seen["read"]


def test_an_anonymous_readers_public_page_reads_from_the_replica():
    factory = RequestFactory()
    assert read_database(factory.get("/ky/")) == REPLICA
    assert read_database(factory.head("/ru/news/some-story/")) == REPLICA
    assert read_database(factory.get("/ky/", HTTP_COOKIE="csrftoken=abc")) == REPLICA


@pytest.mark.parametrize(
    "request_",
    [
        pytest.param(lambda f: f.post("/ky/comments/post/"), id="a POST"),
        pytest.param(lambda f: f.get("/admin/articles/article/"), id="the admin"),
        pytest.param(lambda f: f.get("/accounts/profile/"), id="accounts"),
        pytest.param(lambda f: f.get("/healthz"), id="healthz"),
        pytest.param(lambda f: f.get("/ky/", HTTP_COOKIE="sessionid=abc"), id="a logged-in user"),
        pytest.param(lambda f: f.get("/ky/", HTTP_COOKIE="messages=abc"), id="a pending message"),
    ],
)
def test_writes_the_admin_and_logged_in_users_read_from_the_primary(request_):
    assert read_database(request_(RequestFactory())) == DEFAULT_DB_ALIAS


def test_outside_a_request_everything_reads_from_the_primary():
    """Management commands, migrations, background jobs."""
    assert routers.ReplicaRouter().db_for_read(Article) == DEFAULT_DB_ALIAS
    assert routers.ReplicaRouter().allow_migrate(REPLICA, "articles") is False
    assert routers.ReplicaRouter().allow_migrate(DEFAULT_DB_ALIAS, "articles") is True


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_read_inside_a_transaction_on_the_primary_stays_there():
    seen = {}

    def view(request):
        with transaction.atomic():
            seen["read"] = routers.ReplicaRouter().db_for_read(Article)
        return HttpResponse("ok")

    routers.ReplicaMiddleware(view)(RequestFactory().get("/ky/"))
    assert seen["read"] == DEFAULT_DB_ALIAS


def test_a_replica_lagging_more_than_the_limit_is_skipped(one_replica, settings):
    settings.NEWSROOM_REPLICA_MAX_LAG_SECONDS = 5
    one_replica |= {"caught_up": False, "replayed_at": time.time() - 30}
    assert read_database(RequestFactory().get("/ky/")) == DEFAULT_DB_ALIAS
    assert routers.health_report() == {REPLICA: "lagging"}


def test_a_replica_a_little_behind_is_used(one_replica, settings):
    settings.NEWSROOM_REPLICA_MAX_LAG_SECONDS = 5
    one_replica |= {"caught_up": False, "replayed_at": time.time() - 2}
    assert read_database(RequestFactory().get("/ky/")) == REPLICA


def test_an_idle_primary_does_not_make_its_replica_lag(one_replica, settings):
    """No transaction for an hour, but the replica has replayed all the primary has."""
    settings.NEWSROOM_REPLICA_MAX_LAG_SECONDS = 5
    one_replica |= {"caught_up": True, "replayed_at": time.time() - 3600}
    assert read_database(RequestFactory().get("/ky/")) == REPLICA
    assert routers.health_report() == {REPLICA: "ok"}


def test_a_replica_that_is_down_or_promoted_is_skipped(one_replica):
    one_replica["fails"] = True
    assert read_database(RequestFactory().get("/ky/")) == DEFAULT_DB_ALIAS
    assert routers.health_report() == {REPLICA: "error"}
    routers.forget_verdicts()
    one_replica |= {"fails": False, "in_recovery": False}
    assert read_database(RequestFactory().get("/ky/")) == DEFAULT_DB_ALIAS


def test_after_a_purge_readers_use_the_primary_until_the_replica_holds_it(
    one_replica, monkeypatch, settings
):
    """A page rendered from rows older than its purge must never be cached as new."""
    settings.NEWSROOM_REPLICA_MAX_LAG_SECONDS = 600
    purged = time.time() - 1.5
    monkeypatch.setattr(routers, "last_purge", lambda: purged)
    one_replica |= {"caught_up": False, "replayed_at": purged - 0.5}
    assert read_database(RequestFactory().get("/ky/")) == DEFAULT_DB_ALIAS
    assert read_database(RequestFactory().get("/ru/")) == DEFAULT_DB_ALIAS

    # It has now replayed all the primary has: readers are back on it within moments.
    one_replica |= {"caught_up": True}
    time.sleep(routers.RECHECK_AFTER_PURGE)
    assert read_database(RequestFactory().get("/ky/")) == REPLICA


def test_a_replica_failing_mid_request_is_answered_from_the_primary(monkeypatch):
    monkeypatch.setattr(routers, "replica_failed", lambda alias: alias == REPLICA)
    monkeypatch.setattr(routers, "_close_quietly", lambda alias: None)
    reads = []
    middleware = None

    def view(request):
        alias = routers.ReplicaRouter().db_for_read(Article)
        reads.append(alias)
        if alias == REPLICA:
            response = middleware.process_exception(request, OperationalError("gone"))
            assert response is not None
            return response
        return HttpResponse("from the primary")

    middleware = routers.ReplicaMiddleware(view)
    response = middleware(RequestFactory().get("/ky/"))
    assert response.content == b"from the primary"
    assert reads == [REPLICA, DEFAULT_DB_ALIAS]
    assert routers.health_report() == {REPLICA: "error"}, "marked down, not asked again"


def test_the_primarys_own_failure_is_left_to_the_outage_page(monkeypatch):
    monkeypatch.setattr(routers, "replica_failed", lambda alias: False)
    request = RequestFactory().get("/ky/")
    middleware = routers.ReplicaMiddleware(lambda request: HttpResponse())
    token = routers._read_alias.set(REPLICA)
    try:
        assert middleware.process_exception(request, OperationalError("primary")) is None
    finally:
        routers._read_alias.reset(token)


SHOW_DATABASES = """
import json
from django.conf import settings
print(json.dumps({"databases": settings.DATABASES, "routers": settings.DATABASE_ROUTERS}))
"""


def test_replica_urls_become_replica_aliases_with_the_primarys_connection_settings():
    result = run_manage(
        "shell",
        "-c",
        SHOW_DATABASES,
        **PRODUCTION,
        DATABASE_REPLICA_URLS=(
            "postgres://reader@replica1.example.kg:5432/newsroom,"
            "postgres://reader@replica2.example.kg:5432/newsroom"
        ),
        DATABASE_CONNECT_TIMEOUT="2",
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    databases = shown["databases"]
    assert sorted(databases) == ["default", "replica_0", "replica_1"]
    assert databases["replica_1"]["HOST"] == "replica2.example.kg"
    for alias in ("replica_0", "replica_1"):
        assert databases[alias]["OPTIONS"]["connect_timeout"] == 2
        # Prepared statements on every connection, as on the primary's.
        assert databases[alias]["OPTIONS"]["server_side_binding"] is True
        assert databases[alias]["OPTIONS"]["prepare_threshold"] == 5
        assert databases[alias]["CONN_HEALTH_CHECKS"] is True
        assert databases[alias]["TEST"]["MIRROR"] == "default"
    assert shown["routers"] == ["newsroom.routers.ReplicaRouter"]


def test_without_replicas_there_is_no_router():
    result = run_manage("shell", "-c", SHOW_DATABASES, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert list(shown["databases"]) == ["default"]
    assert shown["routers"] == []


POOLED_QUERY = """
from django.db import connection, connections
with connection.cursor() as cursor:
    cursor.execute("SELECT 1")
    one = cursor.fetchone()[0]
print(one, connection.pool is not None, connections["replica_0"].pool is not None)
"""


@pytest.mark.postgres
def test_database_pool_pools_the_primarys_and_the_replicas_connections():
    """DATABASE_POOL=1: Django's own pool (psycopg_pool) for every PostgreSQL alias."""
    from django.conf import settings

    default = settings.DATABASES["default"]
    url = f"postgres://{default['USER'] or 'postgres'}@{default['HOST']}:{default['PORT']}/"
    url += default["NAME"]
    environment = PRODUCTION | {"DATABASE_URL": url, "DATABASE_REPLICA_URLS": url}
    result = run_manage("shell", "-c", POOLED_QUERY, **environment, DATABASE_POOL="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["1", "True", "True"]

    refused = run_manage("check", **environment, DATABASE_POOL="1", CONN_MAX_AGE="60")
    assert refused.returncode != 0
    assert "DATABASE_POOL=1 needs CONN_MAX_AGE=0" in refused.stderr


def test_behind_pgbouncer_no_server_side_cursors_or_prepared_statements_are_used():
    """PgBouncer's transaction mode hands the server connection to another client
    after each transaction: a cursor or a prepared statement kept across them would
    be looked for on a connection that does not have it."""
    environment = PRODUCTION | {"DATABASE_REPLICA_URLS": PRODUCTION["DATABASE_URL"]}
    result = run_manage("shell", "-c", SHOW_DATABASES, **environment, DATABASE_PGBOUNCER="1")
    assert result.returncode == 0, result.stderr
    databases = json.loads(result.stdout.strip().splitlines()[-1])["databases"]
    for alias in ("default", "replica_0"):
        assert databases[alias]["DISABLE_SERVER_SIDE_CURSORS"] is True
        assert "server_side_binding" not in databases[alias]["OPTIONS"]
        assert "prepare_threshold" not in databases[alias]["OPTIONS"]

    # PgBouncer 1.21+ follows prepared statements (max_prepared_statements).
    result = run_manage(
        "shell",
        "-c",
        SHOW_DATABASES,
        **environment,
        DATABASE_PGBOUNCER="1",
        DATABASE_PREPARED_STATEMENTS="1",
    )
    assert result.returncode == 0, result.stderr
    databases = json.loads(result.stdout.strip().splitlines()[-1])["databases"]
    assert databases["default"]["OPTIONS"]["server_side_binding"] is True


@pytest.mark.django_db
def test_healthz_reports_each_replica_without_failing_for_it(client, one_replica):
    one_replica["fails"] = True
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["replicas"] == {REPLICA: "error"}
