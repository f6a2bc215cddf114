"""The durable store: append, integrate, publish, recover; checked by the independent verifier."""

import os

import pytest

from corridor.ledger.merkle import root_of
from corridor.ledger.note import Signer
from corridor.ledger.store import LogCorrupt, LogStore
from corridor.ledger.verify import Source, verify_log

ORIGIN = "corridor.example/log"


@pytest.fixture
def signer():
    return Signer.generate(ORIGIN)


def open_store(tmp_path, signer, database):
    return LogStore(database, tmp_path / "tiles", ORIGIN, signer)


def test_appended_entries_integrate_and_verify(tmp_path, signer, log_database):
    store = open_store(tmp_path, signer, log_database)
    assert store.append([b"one", b"two"]) == 0
    assert store.append([f"e{i}".encode() for i in range(600)]) == 2
    while store.integrate(256) < store.sequenced_size():
        pass
    store.publish()
    report = verify_log(Source(str(tmp_path / "tiles")), signer.verifier)
    assert report.size == 602
    assert report.entries[:2] == [b"one", b"two"]


def test_reopening_recovers_the_edge_and_continues(tmp_path, signer, log_database):
    store = open_store(tmp_path, signer, log_database)
    store.append([f"a{i}".encode() for i in range(300)])
    store.integrate(1000)
    store.publish()
    store.close()
    store = open_store(tmp_path, signer, log_database)
    store.append([b"after restart"])
    store.integrate()
    store.publish()
    assert verify_log(Source(str(tmp_path / "tiles")), signer.verifier).size == 301
    sizes = [size for size, _, _ in store.signed_checkpoints()]
    assert sizes == [300, 301]


def test_a_tampered_store_refuses_to_start(tmp_path, signer, log_database):
    store = open_store(tmp_path, signer, log_database)
    store.append([b"x", b"y"])
    store.integrate()
    store.db.execute("UPDATE entries SET leaf = ? WHERE idx = 1", (b"\0" * 32,))
    store.close()
    with pytest.raises(LogCorrupt):
        open_store(tmp_path, signer, log_database)


def test_entries_over_64k_are_refused(tmp_path, signer, log_database):
    with pytest.raises(ValueError):
        open_store(tmp_path, signer, log_database).append([b"x" * 70000])


def test_publish_is_idempotent_and_records_every_checkpoint(tmp_path, signer, log_database):
    store = open_store(tmp_path, signer, log_database)
    store.append([b"a"])
    store.integrate()
    assert store.publish() == store.publish()
    size, root, _ = store.signed_checkpoints()[0]
    assert (size, root) == (1, root_of(list(store.stream_leaf_hashes(1))))


def test_stale_right_edge_files_are_rewritten_at_start(tmp_path, signer, log_database):
    store = open_store(tmp_path, signer, log_database)
    store.append([f"x{i}".encode() for i in range(10)])
    store.integrate()
    store.publish()
    store.close()
    partial = tmp_path / "tiles" / "tile" / "0" / "000.p" / "10"
    partial.write_bytes(b"\0" * len(partial.read_bytes()))  # as if a crash left it half-written
    open_store(tmp_path, signer, log_database).close()
    assert verify_log(Source(str(tmp_path / "tiles")), signer.verifier).size == 10


@pytest.fixture
def strict_umask():
    previous = os.umask(0o077)
    yield
    os.umask(previous)


def test_every_public_file_is_world_readable_whatever_the_umask(tmp_path, signer, strict_umask):
    store = open_store(tmp_path, signer, tmp_path / "log.db")
    store.append([f"e{i}".encode() for i in range(300)])  # one full tile and bundle, and partial ones
    store.integrate(1000)
    store.publish()
    store.close()
    files = [path for path in (tmp_path / "tiles").rglob("*") if path.is_file()]
    assert {path.name for path in files} >= {"checkpoint", "000", "44"}
    assert {path.relative_to(tmp_path): oct(path.stat().st_mode & 0o777) for path in files} == \
        {path.relative_to(tmp_path): "0o644" for path in files}
    directories = [tmp_path / "tiles", *(path for path in (tmp_path / "tiles").rglob("*") if path.is_dir())]
    assert {oct(path.stat().st_mode & 0o777) for path in directories} == {"0o755"}
