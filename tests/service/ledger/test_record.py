"""record(): all or nothing, and the process's fold never runs ahead of what was committed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corridor.service import clock
from corridor.service.ledger import record as recording
from corridor.service.ledger.models import LogEntry, StatementIndex
from corridor.service.ledger.record import Refused, custodial, record_as, record_built
from corridor.service.passages.models import Plan

from ..plans import plan_body
from ..snapshot import counts

pytestmark = pytest.mark.django_db
T = 1694420000


def content(**overrides):
    return {k: v for k, v in plan_body(**overrides).items() if k != "plan"}


def test_a_batch_is_all_or_nothing(parties):
    before = counts()
    with clock.frozen_at(T), pytest.raises(Refused) as caught:
        record_built([custodial("org-a", "plan.submit", content(), plan="a1"),
                      custodial("org-a", "plan.submit", content(), plan="a1")])
    assert caught.value.code == "plan.exists" and caught.value.status == 409
    assert counts() == before
    with clock.frozen_at(T):
        record_as("org-a", "plan.submit", content(), plan="a1")  # the fold was not left holding a1
    assert Plan.objects.filter(pk="a1").exists()


def test_a_failure_after_the_fold_changed_drops_the_fold_and_nothing_is_lost(parties, monkeypatch):
    def broken_projection(folded, fold, private):
        raise RuntimeError("disk full")

    monkeypatch.setattr(recording, "_after_apply", [*recording._after_apply, broken_projection])
    with clock.frozen_at(T), pytest.raises(RuntimeError, match="disk full"):
        record_as("org-a", "plan.submit", content(), plan="b1")
    assert recording._process_fold is None
    monkeypatch.setattr(recording, "_after_apply", recording._after_apply[:-1])
    with clock.frozen_at(T + 60):
        recorded = record_as("org-a", "plan.submit", content(), plan="b1")
    assert recorded.folded.statement.seq == 1  # the failed statement never happened
    assert LogEntry.objects.count() == StatementIndex.objects.count() == recorded.index + 1


def test_statements_dated_ahead_of_the_server_are_refused(parties):
    with clock.frozen_at(T), pytest.raises(Refused) as caught:
        record_built([lambda fold: custodial("org-a", "plan.submit", content(), plan="c1")(fold)
                      .replace(b"2023-09-11T08:13:20Z", b"2023-09-11T09:13:20Z")])
    assert caught.value.code == "time.future"


def test_the_fold_catches_up_with_entries_other_processes_committed(parties):
    with clock.frozen_at(T):
        record_as("org-a", "plan.submit", content(), plan="d1")
    recording.reset_for_tests()  # as if this were another process that starts now
    fold = recording.current_fold()
    assert fold.size == LogEntry.objects.count() and "d1" in fold.state.plans


def test_a_catch_up_that_finds_fewer_entries_than_it_asks_for_asks_no_more(parties):
    with clock.frozen_at(T):
        record_as("org-a", "plan.submit", content(), plan="e1")
    behind = recording._catch_up(recording.LogFold(recording.OPERATOR, recording.operator_public(),
                                                   webauthn=recording.policy()), until=1)
    with CaptureQueriesContext(connection) as queries:
        recording._catch_up(behind)
    assert behind.size == LogEntry.objects.count()
    assert len(queries) == 1, queries.captured_queries


def test_on_postgresql_the_lock_and_its_catch_up_and_then_the_writes_each_leave_in_one_query(parties):
    """A note's transaction: the writer lock with the read of entries others committed, then at its end the
    plan row's UPDATE with the entry's and index row's INSERTs; on SQLite one statement a call."""
    from corridor.service.ledger.rebuild import rebuild

    from .test_rebuild import dump

    with clock.frozen_at(T):
        record_as("org-a", "plan.submit", content(), plan="f1")
    with clock.frozen_at(T + 60), CaptureQueriesContext(connection) as queries:
        recorded = record_as("org-a", "plan.note", {"sha256": "f" * 64}, plan="f1")
    sql = [query["sql"] for query in queries.captured_queries]
    together = [query for query in sql if "pg_advisory_xact_lock" in query and "FROM entries" in query]
    writes = [query for query in sql if 'UPDATE "plan"' in query and 'INSERT INTO "entries"' in query
              and 'INSERT INTO "log_statement"' in query]
    expected = 1 if connection.vendor == "postgresql" else 0
    assert (len(together), len(writes)) == (expected, expected), sql
    assert LogEntry.objects.get(idx=recorded.index).data == recorded.entry
    incremental = dump()
    rebuild()
    assert dump() == incremental


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_the_writes_sent_together_are_written_as_psycopgs_client_side_binding_writes_them():
    import datetime
    from decimal import Decimal

    sql = 'UPDATE "plan" SET "a" = %s, "b" = %s WHERE "id" = %s;\nINSERT INTO "t" VALUES (%s, %s, %s, %s, %s, %s)'
    values = [None, "it's a \\ back'slash ; --", "plan-ü", b"\x00\xff'", datetime.datetime(2023, 9, 11,
              tzinfo=datetime.UTC), True, 7, Decimal("2.5"), "100%s %% done"]
    connection.ensure_connection()
    with connection.cursor() as cursor:
        assert recording._bound(sql, values) == cursor.cursor.mogrify(sql, values)


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_on_postgresql_a_notes_transaction_is_two_round_trips_its_reads_leaving_with_the_writer_lock(parties):
    """The reads every recording transaction makes (the parties' contacts, the stored digests of the plans
    its statements name) leave in the writer lock's query; then the writes; nothing else while it is held."""
    with clock.frozen_at(T):
        record_as("org-a", "plan.submit", content(), plan="f1")
    with clock.frozen_at(T + 60), CaptureQueriesContext(connection) as queries:
        record_as("org-a", "plan.note", {"sha256": "f" * 64}, plan="f1")
    sql = [query["sql"] for query in queries.captured_queries if "SAVEPOINT" not in query["sql"]]
    sql = sql[next(n for n, query in enumerate(sql) if "pg_advisory_xact_lock" in query):]  # from the lock on
    assert len(sql) == 2, sql
    assert "pg_advisory_xact_lock" in sql[0] and "legs_digest" in sql[0] and "partycontact" in sql[0], sql[0]
    assert 'UPDATE "plan"' in sql[1], sql[1]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_on_postgresql_a_transaction_of_its_own_commits_in_its_writes_query(parties, monkeypatch):
    """Outside any caller's transaction the writes' query ends with COMMIT (one round trip fewer under the
    writer lock): Django's own commit then finds the transaction ended, and psycopg sends nothing."""
    with clock.frozen_at(T):
        record_as("org-a", "plan.submit", content(), plan="g1")
    states = []
    django_commit = connection._commit
    monkeypatch.setattr(connection, "_commit", lambda: states.append(connection.connection.info.transaction_status)
                        or django_commit())
    with clock.frozen_at(T + 60), CaptureQueriesContext(connection) as queries:
        recorded = record_as("org-a", "plan.note", {"sha256": "a" * 64}, plan="g1")
    writes = [query["sql"] for query in queries.captured_queries if 'UPDATE "plan"' in query["sql"]]
    assert len(writes) == 1 and writes[0].rstrip().endswith("COMMIT"), writes
    import psycopg

    assert states == [psycopg.pq.TransactionStatus.IDLE]
    assert LogEntry.objects.get(idx=recorded.index).data == recorded.entry


@pytest.mark.django_db(transaction=True)
def test_a_write_that_fails_at_the_end_commits_nothing_and_the_next_records(parties, monkeypatch):
    """A statement of the writes' query that fails stops it before its COMMIT: nothing of the transaction is
    kept, the fold is dropped, and the connection records the next statement as usual."""
    def failing_write(folded, fold, private):
        recording.defer_write("INSERT INTO no_such_table VALUES (1)", [])

    with clock.frozen_at(T):
        record_as("org-a", "plan.submit", content(), plan="h1")
    before = counts()
    monkeypatch.setattr(recording, "_after_apply", [*recording._after_apply, failing_write])
    with clock.frozen_at(T + 60), pytest.raises(Exception, match="no_such_table"):
        record_as("org-a", "plan.note", {"sha256": "b" * 64}, plan="h1")
    assert counts() == before and recording._process_fold is None
    monkeypatch.setattr(recording, "_after_apply", recording._after_apply[:-1])
    with clock.frozen_at(T + 120):
        recorded = record_as("org-a", "plan.note", {"sha256": "c" * 64}, plan="h1")
    assert LogEntry.objects.count() == StatementIndex.objects.count() == recorded.index + 1
