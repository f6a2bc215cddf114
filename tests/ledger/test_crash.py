"""Crash safety: an appending process is killed (SIGKILL) at random moments, 200 times.

After each kill the store is reopened: every acknowledged entry must be there, unchanged; the tree must
recompute to the stored state; and every checkpoint ever signed must be a prefix of the same tree.
"""

import os
import random
import signal
import sqlite3
import time

import pytest

from corridor.ledger.database import SqliteDatabase
from corridor.ledger.merkle import MemoryTree, consistency_proof, inclusion_proof
from corridor.ledger.note import Signer
from corridor.ledger.store import LogCorrupt, LogStore
from corridor.ledger.tilecheck import GOOD
from corridor.ledger.verify import Source, verify_log

ORIGIN = "corridor.example/crash"
KILLS = 200


def appender(tmp_path, database, signer, cycle, ack_fd):
    """Child: append small batches; acknowledge each after its commit; integrate and publish often."""
    store = LogStore(database, tmp_path / "tiles", ORIGIN, signer)
    rng, counter = random.Random(cycle), 0
    while True:
        count = rng.randint(1, 40)
        first = store.append([f"{cycle}:{counter + j}".encode() for j in range(count)])
        os.write(ack_fd, f"{first} {count} {counter}\n".encode())
        counter += count
        if rng.random() < 0.5:
            store.integrate(rng.choice([1, 7, 256]))
            store.publish()


def run_and_kill(tmp_path, database, signer, cycle, delay):
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_fd)
        try:
            appender(tmp_path, database, signer, cycle, write_fd)
        finally:
            os._exit(1)
    os.close(write_fd)
    time.sleep(delay)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    acks = b""
    while chunk := os.read(read_fd, 65536):
        acks += chunk
    os.close(read_fd)
    return [line.split() for line in acks.decode().splitlines() if line.count(" ") == 2]


def test_acknowledged_entries_survive_sigkill_and_checkpoints_never_fork(tmp_path, log_database):
    signer = Signer.generate(ORIGIN)
    acknowledged: dict[int, bytes] = {}
    rng = random.Random(20231918)
    for cycle in range(KILLS):
        for first, count, counter in run_and_kill(tmp_path, log_database, signer, cycle, rng.uniform(0.002, 0.06)):
            for j in range(int(count)):
                acknowledged[int(first) + j] = f"{cycle}:{int(counter) + j}".encode()
        store = LogStore(log_database, tmp_path / "tiles", ORIGIN, signer)  # recovery checks the root
        stored = dict(store.db.execute("SELECT idx, data FROM entries"))
        missing = [i for i, data in acknowledged.items() if stored.get(i) != data]
        assert missing == [], f"after kill {cycle}: acknowledged entries lost or changed: {missing[:5]}"
        tree = MemoryTree()
        for hashed in store.stream_leaf_hashes(store.sequenced_size()):
            tree.append_hash(hashed)
        for size, root, _ in store.signed_checkpoints():
            assert tree.root(size) == root, f"after kill {cycle}: checkpoint {size} is inconsistent"
        store.close()
    assert len(acknowledged) > KILLS, "the appender hardly ran: the test proves nothing"
    print(f"{len(acknowledged)} acknowledged entries over {KILLS} kills")
    store = LogStore(log_database, tmp_path / "tiles", ORIGIN, signer)
    while store.integrate(1000) < store.sequenced_size():
        pass
    store.publish()
    assert verify_log(Source(str(tmp_path / "tiles")), signer.verifier).size == store.sequenced_size()


# -- recovery from the tiles' right edge -------------------------------------------------------------------

def integrated_store(tmp_path, database, count, signer):
    store = LogStore(database, tmp_path / "tiles", ORIGIN, signer)
    store.append([f"entry {i}".encode() for i in range(count)])
    while store.integrate(100_000) < store.sequenced_size():
        pass
    store.publish()
    return store


def test_tiles_written_past_the_committed_tree_are_taken_up_again(tmp_path, log_database):
    """Killed between writing tiles and committing the tree state that covers them: the next start takes up
    the committed state, and integrating again writes the same tiles."""
    signer = Signer.generate(ORIGIN)
    store = integrated_store(tmp_path, log_database, 300, signer)
    store.append([f"late {i}".encode() for i in range(400)])
    rows = store.db.execute("SELECT data, leaf FROM entries WHERE idx >= 300 ORDER BY idx").fetchall()
    store.writer.append([bytes(r[0]) for r in rows], [bytes(r[1]) for r in rows])  # tiles, but no commit
    store.close()
    store = LogStore(log_database, tmp_path / "tiles", ORIGIN, signer)
    assert store.tree_state()[0] == store.writer.size == 300
    while store.integrate(128) < store.sequenced_size():
        pass
    store.publish()
    assert verify_log(Source(str(tmp_path / "tiles")), signer.verifier).size == 700
    assert store.audit() == 700


def test_a_start_reads_only_the_right_edge(tmp_path):
    """70,000 entries (three tile levels): opening reads the last partial bundle's entries and at most 255 tiles
    a level, never every leaf hash. A leaf hash changed in the middle of the database is therefore not noticed
    at start, but the explicit audit (and the full tile check) finds it."""
    signer, database = Signer.generate(ORIGIN), tmp_path / "log.db"
    integrated_store(tmp_path, database, 70_000, signer).close()
    db = sqlite3.connect(database)
    db.execute("UPDATE entries SET leaf = ? WHERE idx = 1000", (b"\0" * 32,))
    db.commit()
    db.close()
    read: list[int] = []
    original = SqliteDatabase.execute

    def counting(self, sql, params=()):
        cursor = original(self, sql, params)
        if "FROM entries" in sql:
            rows = cursor.fetchall()
            read.append(len(rows))
            return _Rows(rows)
        return cursor

    SqliteDatabase.execute = counting
    try:
        store = LogStore(database, tmp_path / "tiles", ORIGIN, signer)
    finally:
        SqliteDatabase.execute = original
    assert sum(read) == 70_000 % 256
    with pytest.raises(LogCorrupt):
        store.audit()
    assert [path for path, status in store.check_tiles() if status != GOOD] == \
        ["tile/0/003", "tile/1/000", "tile/2/000.p/1"]  # the leaf, and the tiles above it


class _Rows(list):
    def fetchall(self):
        return list(self)

    def fetchone(self):
        return self[0] if self else None


def memory_tree(store, size):
    tree = MemoryTree()
    for hashed in store.stream_leaf_hashes(size):
        tree.append_hash(hashed)
    return tree


@pytest.mark.parametrize("damage", ["stale level-1 partial", "missing full tile", "damaged full tile"])
def test_right_edge_files_lost_or_damaged_in_a_crash_are_rebuilt_at_start(tmp_path, log_database, damage):
    signer = Signer.generate(ORIGIN)
    store = integrated_store(tmp_path, log_database, 600, signer)
    store.close()
    tiles = tmp_path / "tiles" / "tile"
    if damage == "stale level-1 partial":  # partial files are not fsync'd: a crash may leave them empty
        (tiles / "1" / "000.p" / "2").write_bytes(b"")
    elif damage == "missing full tile":
        (tiles / "0" / "001").unlink()
    else:
        (tiles / "0" / "001").write_bytes(b"\1" * 8192)
    store = LogStore(log_database, tmp_path / "tiles", ORIGIN, signer)
    assert verify_log(Source(str(tmp_path / "tiles")), signer.verifier).size == 600
    store.append([b"after the crash"])
    store.integrate()
    store.publish()
    assert verify_log(Source(str(tmp_path / "tiles")), signer.verifier).size == 601


def test_a_database_that_disagrees_with_its_tiles_and_root_stops_the_log(tmp_path, log_database):
    """Tiles that do not give the stored root send the start to the database; if that does not recompute the
    root either, the log refuses to run (it would sign a fork)."""
    signer = Signer.generate(ORIGIN)
    store = integrated_store(tmp_path, log_database, 600, signer)
    store.db.execute("UPDATE entries SET leaf = ? WHERE idx = 5", (b"\0" * 32,))
    store.close()
    (tmp_path / "tiles" / "tile" / "0" / "000").unlink()
    with pytest.raises(LogCorrupt):
        LogStore(log_database, tmp_path / "tiles", ORIGIN, signer)


@pytest.mark.parametrize("size", [1, 255, 256, 600, 65_536 + 300])
def test_proofs_read_from_tiles_equal_proofs_from_the_whole_tree(tmp_path, size):
    signer = Signer.generate(ORIGIN)
    store = integrated_store(tmp_path, tmp_path / "log.db", size, signer)
    tree = memory_tree(store, size)
    for index in sorted({0, size // 3, size - 1}):
        assert store.inclusion(index) == inclusion_proof(index, size, tree.range_hash)
        assert store.inclusion(index, size) == inclusion_proof(index, size, tree.range_hash)
    for old in sorted({1, size // 2 or 1, size}):
        assert store.hashes.consistency(old, size) == consistency_proof(old, size, tree.range_hash)
