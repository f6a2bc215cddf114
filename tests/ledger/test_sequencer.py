"""The sequencer: concurrent submitters get distinct, durable indices; checkpoints follow within a beat."""

import threading
import time

from corridor.ledger.note import Signer
from corridor.ledger.sequencer import Sequencer
from corridor.ledger.store import LogStore
from corridor.ledger.verify import Source, verify_log

ORIGIN = "corridor.example/seq"


def test_concurrent_submissions_are_sequenced_and_checkpointed(tmp_path, log_database):
    signer = Signer.generate(ORIGIN)
    store = LogStore(log_database, tmp_path / "tiles", ORIGIN, signer)
    sequencer = Sequencer(store, batch_wait=0.02, checkpoint_interval=0.1).start()
    results: dict[bytes, int] = {}

    def submitter(worker):
        for n in range(50):
            entry = f"{worker}:{n}".encode()
            results[entry] = sequencer.submit(entry).result(timeout=10)

    threads = [threading.Thread(target=submitter, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == list(range(400))
    assert all(store.entry(index) == entry for entry, index in results.items())
    deadline = time.monotonic() + 5
    while sequencer.published_size < 400 and time.monotonic() < deadline:
        time.sleep(0.02)
    sequencer.stop()
    assert verify_log(Source(str(tmp_path / "tiles")), signer.verifier).size == 400


def test_batches_close_at_the_size_limit(tmp_path, log_database):
    store = LogStore(log_database, tmp_path / "tiles", ORIGIN, Signer.generate(ORIGIN))
    sequencer = Sequencer(store, batch_size=10, batch_wait=5.0)
    futures = [sequencer.submit(str(i).encode()) for i in range(25)]
    sequencer.start()
    assert [f.result(timeout=1) for f in futures[:20]] == list(range(20))  # two full batches, no 5 s wait
    sequencer.stop()
    assert futures[24].result() == 24


def test_a_failing_beat_is_recorded_and_the_next_one_recovers(tmp_path, log_database):
    store = LogStore(log_database, tmp_path / "tiles", ORIGIN, Signer.generate(ORIGIN))
    original, failures = store.publish, []

    def flaky_publish(cosigning=None):
        if not failures:
            failures.append(1)
            raise OSError("disk full")
        return original(cosigning)

    store.publish = flaky_publish
    sequencer = Sequencer(store, batch_wait=0.01, checkpoint_interval=0.05).start()
    assert sequencer.submit(b"first").result(timeout=5) == 0
    deadline = time.monotonic() + 5
    while sequencer.published_size < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    sequencer.stop()
    assert isinstance(sequencer.last_error, OSError) and sequencer.published_size == 1
