"""Fold snapshots in the service: the worker writes one after a checkpoint; a process's first use of the
fold (a web request, a CLI command that records) starts from it and applies only the tail; a snapshot that
does not check out is passed over with a warning, never used."""

from __future__ import annotations

import logging

import pytest

from corridor import snapshot
from corridor.cli import main
from corridor.fold import LogFold
from corridor.service.ledger import record, snapshots
from corridor.service.ledger.integrator import integrate_now
from corridor.service.ledger.keys import OPERATOR, operator_public
from corridor.service.ledger.models import LogEntry, SignedCheckpoint
from corridor.service.ledger.origins import policy
from corridor.snapshot_plans import MappedPlans

pytestmark = pytest.mark.django_db


def replayed_in_full() -> LogFold:
    """The fold from scratch, every signature checked: what a snapshot and its tail must equal."""
    fold = LogFold(OPERATOR, operator_public(), webauthn=policy())
    for data in LogEntry.objects.order_by("idx").values_list("data", flat=True):
        fold.apply_entry(bytes(data))
    return fold


def checkpoint_and_snapshot() -> int:
    integrate_now()
    snapshots.after_checkpoint(wait=True)
    return SignedCheckpoint.objects.order_by("-size").first().size


def createparty(name: str) -> None:
    assert main(["createparty", name, "--name", name.title(), "--kind", "humanitarian"]) == 0


def restart() -> None:
    """What a new process sees: no fold in memory."""
    record.reset_for_tests()


@pytest.fixture
def loads(monkeypatch) -> list[int | None]:
    """The size of each fold snapshots.load() returned (None: it found none that checks out)."""
    sizes: list[int | None] = []
    load = snapshots.load

    def spy(*args, **kwargs):
        fold = load(*args, **kwargs)
        sizes.append(fold.size if fold else None)
        return fold

    monkeypatch.setattr(snapshots, "load", spy)
    return sizes


def test_a_restart_starts_from_the_snapshot_and_folds_as_a_full_replay(parties, tiles, loads, capsys):
    size = checkpoint_and_snapshot()
    assert [path.name for path in snapshots.paths()] == [f"fold-{size:015d}.snapshot"]
    createparty("after-the-snapshot")  # the tail
    restart()
    createparty("after-the-restart")  # a CLI command that records: its first use of the fold
    assert loads == [size]
    assert snapshot.encode_body(record.current_fold()) == snapshot.encode_body(replayed_in_full())


def test_an_altered_snapshot_is_passed_over_with_a_warning(parties, tiles, loads, caplog):
    checkpoint_and_snapshot()
    path = snapshots.paths()[0]
    data = bytearray(path.read_bytes())
    data[len(snapshot.MAGIC) + 5] ^= 0xFF  # in the body
    path.write_bytes(bytes(data))
    restart()
    with caplog.at_level(logging.WARNING, logger="corridor.snapshots"):
        fold = record.current_fold()
    assert loads == [None] and "snapshot.digest" in caplog.text
    assert snapshot.encode_body(fold) == snapshot.encode_body(replayed_in_full())


def test_a_snapshot_of_a_tree_the_log_did_not_sign_is_refused(parties, tiles, loads, caplog):
    size = checkpoint_and_snapshot()
    SignedCheckpoint.objects.filter(size=size).update(root=b"\0" * 32)  # e.g. the database restored elsewhere
    restart()
    with caplog.at_level(logging.WARNING, logger="corridor.snapshots"):
        record.current_fold()
    assert loads == [None] and "snapshot.root" in caplog.text


def test_an_older_snapshot_is_used_when_the_newest_does_not_check_out(parties, tiles, loads, monkeypatch):
    monkeypatch.setattr(snapshots, "EVERY_ENTRIES", 1)
    monkeypatch.setattr(snapshots, "MIN_SECONDS", 0)
    first = checkpoint_and_snapshot()
    for n in range(3):
        createparty(f"party-{n}")
        checkpoint_and_snapshot()
    assert len(snapshots.paths()) == snapshots.KEEP  # the oldest are removed
    newest, older = snapshots.paths()
    newest.write_bytes(b"not a snapshot")
    restart()
    fold = record.current_fold()
    assert loads == [int(older.name[5:20])] and int(older.name[5:20]) > first
    assert snapshot.encode_body(fold) == snapshot.encode_body(replayed_in_full())


def test_the_worker_writes_again_only_once_the_log_has_grown(parties, tiles, monkeypatch):
    size = checkpoint_and_snapshot()
    createparty("one-more")
    checkpoint_and_snapshot()  # one entry more: not due (EVERY_ENTRIES, or EVERY_SECONDS)
    assert [path.name for path in snapshots.paths()] == [f"fold-{size:015d}.snapshot"]
    monkeypatch.setattr(snapshots, "EVERY_SECONDS", 0)  # the same, after the time it waits for any growth
    grown = checkpoint_and_snapshot()
    assert [path.name for path in snapshots.paths()] == [f"fold-{grown:015d}.snapshot", f"fold-{size:015d}.snapshot"]


def test_a_loaded_fold_reads_its_plans_from_the_mapped_file_even_once_the_file_is_removed(parties, tiles, loads):
    """The worker keeps the newest two snapshots and removes older ones, which processes may still have
    mapped: a map outlives the file's name, so their plans stay readable."""
    from tests.service.web.stages import consented, submitted

    submitted(parties, "p1")
    submitted(parties, "p2")
    size = checkpoint_and_snapshot()
    consented(parties, "p1")  # the tail changes a plan the snapshot holds
    restart()
    fold = record.current_fold()
    assert loads == [size] and isinstance(fold.state.plans, MappedPlans)
    for path in snapshots.paths():
        path.unlink()
    full = replayed_in_full()
    assert fold.state.plans["p2"] == full.state.plans["p2"] and fold.state.plans["p1"] == full.state.plans["p1"]
    assert snapshot.encode_body(fold) == snapshot.encode_body(full)


def test_an_empty_snapshot_file_is_passed_over(parties, tiles, loads, caplog):
    checkpoint_and_snapshot()
    snapshots.paths()[0].write_bytes(b"")  # e.g. a disk that filled up
    restart()
    with caplog.at_level(logging.WARNING, logger="corridor.snapshots"):
        fold = record.current_fold()
    assert loads == [None] and "not used" in caplog.text
    assert snapshot.encode_body(fold) == snapshot.encode_body(replayed_in_full())


def test_a_snapshot_is_written_whole_or_not_at_all(parties, tiles):
    size = checkpoint_and_snapshot()
    (path,) = snapshots.paths()
    assert path.stat().st_mode & 0o777 == 0o600
    assert snapshots.save(size + 1, lambda out: out.write(b"partial") and False) is None  # the fold moved on
    with pytest.raises(RuntimeError):
        snapshots.save(size + 2, _failing)
    assert [file.name for file in snapshots.directory().iterdir()] == [path.name]  # no temporary file left


def _failing(out) -> bool:
    out.write(b"half a snapshot")
    raise RuntimeError("the disk is full")


def test_after_an_upgrade_the_worker_writes_a_snapshot_at_once(parties, tiles, monkeypatch):
    """Snapshots of other folding code do not count as written: the worker's first checkpoint writes one."""
    size = checkpoint_and_snapshot()
    assert snapshots.Writer()._newest_size() == size
    monkeypatch.setattr(snapshot, "code_fingerprint", lambda: "0" * 64)
    assert snapshots.Writer()._newest_size() == -1
