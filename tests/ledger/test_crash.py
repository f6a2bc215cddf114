"""Crash safety: an appending process is killed (SIGKILL) at random moments, 200 times.

After each kill the store is reopened: every acknowledged entry must be there, unchanged; the tree must
recompute to the stored state; and every checkpoint ever signed must be a prefix of the same tree.
"""

import os
import random
import signal
import time

from corridor.ledger.merkle import MemoryTree
from corridor.ledger.note import Signer
from corridor.ledger.store import LogStore
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
        for hashed in store.leaf_hashes():
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
