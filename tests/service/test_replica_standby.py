"""The read replica against a real PostgreSQL hot standby (`make test-replica`: tests/service/standby.py starts
a primary and a `pg_basebackup -R` standby streaming from it, and sets DATABASE_URL / DATABASE_REPLICA_URL).

Routing is proven from the standby's side, not only from Django's: with its replay paused, the standby
answers a stale page that only it could have answered, while the writer's own next read, a revoked token
and a replica lagging past the bound all go to the primary. Each request's SQL is captured per connection:
read models on the standby, nothing written there, ever.
"""

from __future__ import annotations

import logging
import os
import time
from contextlib import contextmanager

import psycopg
import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from corridor.service import clock, replica
from corridor.service.parties.models import ApiToken

from .api_driver import drive
from .conftest import SCENARIO
from .plans import plan_body

if "replica" not in settings.DATABASES:
    _why = "needs a hot standby: run `make test-replica` (it starts one and sets DATABASE_REPLICA_URL)"
    if os.environ.get("CORRIDOR_REQUIRE_REPLICA") == "1":
        pytest.fail(_why, pytrace=False)
    pytest.skip(_why, allow_module_level=True)

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])
MANAGES_STANDBY = True  # its tests pause the standby's replay: replica_plugin.py must not wait for it
T = 1694420000  # 2023-09-11, mid-morning
READS = ["/api/v1/plans", "/api/v1/plans/two-roads", "/api/v1/legs", "/api/v1/lines?plan=two-roads",
         "/api/v1/incidents", "/api/v1/waiting", "/", "/plans/two-roads", "/incidents"]
WRITES = ("INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP", "TRUNCATE")


@pytest.fixture(autouse=True)
def fresh_health():
    replica.reset_health()
    yield
    replica.reset_health()


@pytest.fixture
def standby():
    """A direct line to the standby (not through Django), to pause and resume its replay."""
    with psycopg.connect(_url("replica"), autocommit=True) as line:
        yield line
        line.execute("SELECT pg_wal_replay_resume()")


def _url(alias: str) -> str:
    db = connections[alias].settings_dict
    return f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def caught_up(timeout: float = 10.0) -> None:
    """Wait until the standby has replayed everything the primary committed so far."""
    target = replica.primary_lsn()
    deadline = time.monotonic() + timeout
    while (replica.replica_state().position or 0) < target:
        assert time.monotonic() < deadline, "the standby did not catch up"
        time.sleep(0.02)


@contextmanager
def captured():
    with CaptureQueriesContext(connections["default"]) as primary, \
            CaptureQueriesContext(connections["replica"]) as standby:
        yield primary, standby


def read_model_sql(queries) -> list[str]:
    tables = ('"plan"', '"leg"', '"manifest_line"', '"incident"', '"log_statement"', '"party"', '"route"')
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")
            and any(table in q["sql"] for table in tables)]


def writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


def test_the_replica_connection_is_a_streaming_standby_of_the_primary():
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), inet_server_port(), current_setting('transaction_read_only')")
        assert cursor.fetchone() == (True, int(settings.DATABASES["replica"]["PORT"]), "on")
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), count(*) FROM pg_stat_replication WHERE state = 'streaming'")
        assert cursor.fetchone() == (False, 1)


def test_public_reads_are_answered_by_the_standby_and_nothing_is_written_there(parties):
    drive(SCENARIO, parties)
    caught_up()
    public = Client()
    for path in READS:
        with captured() as (primary, standby):
            response = public.get(path)
        assert response.status_code == 200, (path, response.content[:300])
        assert read_model_sql(standby.captured_queries), f"{path}: no read-model query on the standby"
        assert read_model_sql(primary.captured_queries) == [], f"{path}: read models read on the primary"
        assert writes(standby.captured_queries) == []


def test_writes_and_the_writers_fold_stay_on_the_primary(parties):
    caught_up()
    with captured() as (primary, standby), clock.frozen_at(T):
        status, answer = parties["org-a"].post("/plans", plan_body("p-write"))
    assert status == 201, answer
    assert standby.captured_queries == []  # not even a read: record() reads inside its transaction
    assert any('"entries"' in sql for sql in writes(primary.captured_queries))


def test_a_stale_standby_is_seen_by_the_public_but_never_by_the_writer(parties, standby):
    caught_up()
    standby.execute("SELECT pg_wal_replay_pause()")
    with clock.frozen_at(T):
        response = parties["org-a"].client.post("/api/v1/plans", plan_body("p-new"), content_type="application/json")
    assert response.status_code == 201
    position = response[replica.LSN_HEADER]
    assert replica.read_position(position) and response.cookies[replica.LSN_COOKIE].value == position

    with captured() as (primary, on_standby):
        stale = Client().get("/api/v1/plans/p-new")
    assert stale.status_code == 404 and read_model_sql(on_standby.captured_queries)  # only the standby lags

    # the writer's own next reads: the cookie a browser sends back (no token: it would read from the standby
    # without it), the API client that keeps cookies, or the header a script sends back
    browser = Client()
    browser.cookies[replica.LSN_COOKIE] = response.cookies[replica.LSN_COOKIE].value
    for client, headers in ((browser, {}), (parties["org-a"].client, {}), (Client(), {"Corridor-LSN": position})):
        with captured() as (primary, on_standby):
            fresh = client.get("/api/v1/plans/p-new", headers=headers)
        assert fresh.status_code == 200
        assert read_model_sql(on_standby.captured_queries) == [] and read_model_sql(primary.captured_queries)

    standby.execute("SELECT pg_wal_replay_resume()")
    caught_up()
    with captured() as (primary, on_standby):
        assert Client().get("/api/v1/plans/p-new", headers={"Corridor-LSN": position}).status_code == 200
    assert read_model_sql(on_standby.captured_queries) and read_model_sql(primary.captured_queries) == []


def test_a_revoked_token_stops_at_once_whatever_the_standby_still_holds(parties, standby):
    client = parties["org-a"].client
    assert client.get("/api/v1/me").status_code == 200
    caught_up()
    standby.execute("SELECT pg_wal_replay_pause()")
    assert ApiToken.objects.all().delete()[0] > 0  # revoked, on the primary
    for headers in ({}, {"Corridor-LSN": replica.issue_position(0)}):  # a position: reads would use the replica
        with captured() as (_, on_standby):
            answer = client.get("/api/v1/plans/two-roads", headers=headers)
        assert answer.status_code == 401 and answer.json()["code"] == "auth.invalid"
        assert not any('"api_token"' in q["sql"] for q in on_standby.captured_queries)


def test_a_lagging_standby_is_left_for_the_primary_and_the_change_logged(parties, standby, caplog):
    replica.reset_health(replica.ReplicaHealth(max_lag=0.3))
    caught_up()
    assert Client().get("/api/v1/plans").status_code == 200
    standby.execute("SELECT pg_wal_replay_pause()")
    with clock.frozen_at(T):
        assert parties["org-a"].post("/plans", plan_body("p-lag"))[0] == 201
    Client().get("/api/v1/plans")  # a look: the primary's position is sampled
    time.sleep(replica.CHECK_INTERVAL + 0.4)
    with caplog.at_level(logging.INFO, logger="corridor.replica"), captured() as (primary, on_standby):
        assert Client().get("/api/v1/plans/p-lag").status_code == 200  # fresh: from the primary
    assert read_model_sql(on_standby.captured_queries) == [] and read_model_sql(primary.captured_queries)
    assert "lags more than 0.3 s behind the primary" in caplog.text

    standby.execute("SELECT pg_wal_replay_resume()")
    caught_up()
    time.sleep(replica.CHECK_INTERVAL)
    with caplog.at_level(logging.INFO, logger="corridor.replica"), captured() as (primary, on_standby):
        assert Client().get("/api/v1/plans/p-lag").status_code == 200
    assert read_model_sql(on_standby.captured_queries) and "read replica serves read-model reads" in caplog.text


def test_an_unreachable_standby_is_left_for_the_primary(parties, caplog, monkeypatch):
    caught_up()
    connections["replica"].close()
    monkeypatch.setitem(connections["replica"].settings_dict, "PORT", "5439")  # nothing listens there
    with caplog.at_level(logging.WARNING, logger="corridor.replica"), \
            CaptureQueriesContext(connections["default"]) as primary:
        assert Client().get("/api/v1/plans").status_code == 200
    assert read_model_sql(primary.captured_queries)
    assert "read replica not used, reads go to the primary: unreachable" in caplog.text
    connections["replica"].close()
