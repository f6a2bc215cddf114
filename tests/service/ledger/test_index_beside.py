"""The statement index a forked child builds beside the rebuild's fold (SQLite) holds exactly the rows the fold
would write itself, value for value; when the child or the fold fails, the rebuild is refused, nothing changes
and the scratch file is gone."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.db import connection

from corridor.service import clock
from corridor.service.ledger import index_beside
from corridor.service.ledger.models import StatementIndex
from corridor.service.ledger.rebuild import RebuildError, rebuild
from corridor.service.ledger.record import custodial, record_built
from corridor.service.parties.operations import do_rotate_key

from ..web.test_offline_submit import ARRIVAL, ARRIVED, BACK_ONLINE, INSPECTION
from ..web.test_signatures_offline import border, customs, scheduled  # noqa: F401 — fixtures
from .test_rebuild import dump, forge_a_signature, schema

# Outside a transaction, as `corridor rebuild` runs: inside one (the other tests') the fold writes the rows itself
pytestmark = pytest.mark.django_db(transaction=True)
DAYS = 4 * 24 * 3600  # past the 72 hours the fold keeps a relay's outcome
sqlite_only = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="PostgreSQL writes the rows from the fold")


@pytest.fixture
def varied(border, customs):  # noqa: F811
    """A log with every fold-given column at work: passkeys bound mid-log and signing (offline, relayed by the
    operator, one late), a rotated custodial key, and a revoked passkey (its party only the fold knows)."""
    border.send(border.sign("leg.arrive", ARRIVAL, ARRIVED))
    customs.send(customs.sign("leg.inspect", INSPECTION, ARRIVED + 900), BACK_ONLINE + 5)
    customs.send(customs.sign("leg.inspect", INSPECTION, ARRIVED + 1200), BACK_ONLINE + DAYS)
    with clock.frozen_at(BACK_ONLINE + DAYS + 10):
        do_rotate_key("org-a")
        record_built([custodial("border", "key.revoke", {"key": border.passkey.key_id, "reason": "device.lost"})])


def stored_rows() -> list[tuple]:
    """The index as stored, every column as the database holds it (the JSON and datetime texts on SQLite)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {StatementIndex._meta.db_table} ORDER BY idx")
        return cursor.fetchall()


@contextmanager
def in_the_fold():
    """Rebuild with the rows written by the fold's own process, as on PostgreSQL."""
    @contextmanager
    def none():
        yield None

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("corridor.service.ledger.rebuild.index_beside", none)
        yield


@pytest.fixture
def scratch_files(monkeypatch) -> list:
    """The scratch files the rebuilds of a test used (None where the fold wrote the rows)."""
    used, beside = [], index_beside.index_beside

    @contextmanager
    def recorded():
        with beside() as index:
            used.append(index and index.path)
            yield index

    monkeypatch.setattr("corridor.service.ledger.rebuild.index_beside", recorded)
    return used


def attached() -> list[str]:
    """The databases attached to SQLite's connection besides its own."""
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA database_list")
        return [name for _, name, _ in cursor.fetchall() if name not in ("main", "temp")]


@pytest.mark.parametrize("stride", [1, 3, 10_000])
def test_the_rows_built_beside_the_fold_are_those_the_fold_writes(varied, monkeypatch, scratch_files, stride):
    """Every few entries or all at once: keys registered mid-log arrive before the rows that need them."""
    monkeypatch.setattr(index_beside, "STRIDE", stride)
    assert StatementIndex.objects.filter(type="offline.relay").count() == 3
    assert StatementIndex.objects.filter(type="key.revoke", subject="border").exists()
    recorded = stored_rows()
    with in_the_fold():
        rebuild()
    by_the_fold = stored_rows()
    rebuild()
    assert stored_rows() == by_the_fold == recorded
    beside = connection.vendor == "sqlite"
    assert [path is not None and path.exists() for path in scratch_files] == [False]
    assert (scratch_files[0] is not None) == beside
    assert attached() == []  # detached after the rebuild


@sqlite_only
def test_the_index_is_copied_with_its_indexes(varied):
    before = schema()
    rebuild()
    assert schema() == before
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN SELECT idx FROM log_statement WHERE subject = 'border' ORDER BY idx")
        assert "log_statement_subject_idx" in str(cursor.fetchall())


@sqlite_only
def test_a_child_that_fails_refuses_the_rebuild_and_changes_nothing(varied, monkeypatch, scratch_files):
    def broken(*args):
        raise ValueError("no row for you")

    monkeypatch.setattr(index_beside, "index_row", broken)  # in the child only: the fold does not call it there
    before, indexes = dump(), schema()
    with pytest.raises(RuntimeError, match="(?s)statement index beside the fold failed.*no row for you"):
        rebuild()
    assert (dump(), schema()) == (before, indexes)
    assert not scratch_files[0].exists()
    assert attached() == []


@sqlite_only
def test_a_child_that_dies_refuses_the_rebuild(varied, monkeypatch):
    monkeypatch.setattr(index_beside, "_build", lambda *args: __import__("os")._exit(3))
    before = dump()
    with pytest.raises(RuntimeError, match="exit code 3"):
        rebuild()
    assert dump() == before


def test_a_refused_fold_stops_the_child_and_leaves_no_scratch_file(parties, scratch_files):
    from ..api_driver import drive
    from ..conftest import SCENARIO

    drive(SCENARIO, parties)
    before = dump()
    victim = forge_a_signature()
    with pytest.raises(RebuildError, match=f"entry {victim}: signature.invalid"):
        rebuild()
    assert dump() == before
    assert not any(path is not None and path.exists() for path in scratch_files)


def change_an_entry(change) -> None:
    """Apply `change` to the statement of a plan entry in the log's second half, in place."""
    import msgspec

    from corridor.service.guard import domain_writes
    from corridor.service.ledger.models import LogEntry

    entries = list(LogEntry.objects.order_by("idx"))
    victim = next(e for e in entries[len(entries) // 2:] if b'"type":"plan.' in bytes(e.data))
    value = msgspec.json.decode(bytes(victim.data))
    change(value)
    with domain_writes():
        LogEntry.objects.filter(pk=victim.pk).update(data=msgspec.json.encode(value, order="sorted"))


@pytest.mark.parametrize("change", ["signature", "seq"])
def test_an_entry_changed_under_the_checkpoint_refuses_the_rebuild_by_the_root_read_beside(varied, tiles, change,
                                                                                           scratch_files):
    """The root is computed by the child as it reads the entries; a change the fold itself trips on (a number
    out of sequence) is still told as the change it is."""
    import base64

    from corridor.service.ledger.integrator import integrate_now

    integrate_now()
    before = dump()
    change_an_entry({"signature": lambda value: value.update(signature=base64.b64encode(bytes(64)).decode()),
                     "seq": lambda value: value["statement"].update(seq=value["statement"]["seq"] + 7)}[change])
    with pytest.raises(RebuildError, match="do not match its signed checkpoint"):
        rebuild()
    assert dump() == before
    assert (scratch_files[0] is not None) == (connection.vendor == "sqlite")
