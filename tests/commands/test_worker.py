"""`corridor worker`: checkpoints are published while the slow publications (the public figures, the page's
aggregates) are still computing in their own process; a thread or that process failing stops the worker; an
entry appended just after a checkpoint is covered by the next within the interval, not a second later;
witnesses are asked no more often than their interval. (The schedule's exact bounds:
tests/service/ledger/test_checkpoint_schedule.py.)"""

from __future__ import annotations

import os
import threading
import time

import pytest

from corridor.cli import main
from corridor.commands import service as commands
from corridor.ledger.note import Cosigner, parse_verifier
from corridor.ledger.witness import Witness, serve
from corridor.service import clock
from corridor.service.config import CONFIG
from corridor.service.ledger.keys import log_signer

pytestmark = pytest.mark.django_db(transaction=True)  # the worker's threads have connections of their own
T = 1694421000  # 2023-09-11T08:30:00Z


@pytest.fixture
def stopped_after():
    yield
    commands.STOP.set()
    time.sleep(1.2)  # the loops see it after their pass
    commands.STOP.clear()


def published_size(tiles) -> int:
    path = tiles / "checkpoint"
    return int(path.read_text().split("\n")[1]) if path.is_file() else 0


def test_checkpoints_are_published_while_the_figures_are_being_computed(parties, tiles, tmp_path, monkeypatch,
                                                                        stopped_after):
    from tests.service.plans import plan_body

    computing = tmp_path / "computing"

    def slow_publications() -> None:
        computing.write_text(str(os.getpid()))
        time.sleep(60)

    monkeypatch.setattr(commands, "_publications_pass", slow_publications)
    worker = threading.Thread(target=main, args=(["worker"],), daemon=True)
    worker.start()
    deadline = time.monotonic() + 10
    while not computing.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    child = int(computing.read_text())
    assert child != os.getpid()  # in a process of its own: its interpreter lock is not the checkpoints'
    with clock.frozen_at(T):
        assert parties["org-a"].post("/plans", plan_body())[0] == 201
    deadline = time.monotonic() + 30  # the figures take 60 s: any checkpoint before then came without them
    while published_size(tiles) < 17 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert published_size(tiles) == 17  # the 16 registry entries and the plan, with the figures still pending
    commands.STOP.set()
    worker.join(10)
    assert not worker.is_alive()
    with pytest.raises(ProcessLookupError):  # the worker ended its figures process with it
        os.kill(child, 0)


def test_a_failing_figures_process_stops_the_worker(parties, tiles, monkeypatch):
    def broken() -> None:
        raise RuntimeError("the figures' database went away")

    monkeypatch.setattr(commands, "_publications_pass", broken)
    with pytest.raises(RuntimeError, match=r"the publications process ended \(exit status 1\)"):
        main(["worker"])


def test_a_failing_thread_stops_the_worker(parties, tiles, monkeypatch):
    def broken() -> None:
        raise RuntimeError("the outbox's database went away")

    monkeypatch.setattr(commands, "_outbox_pass", broken)
    with pytest.raises(RuntimeError, match="went away"):
        main(["worker"])


@pytest.fixture
def intervals():
    """Set the worker's intervals (and witnesses) for one test; the defaults come back after it."""
    saved = {name: getattr(CONFIG, name) for name in ("checkpoint_interval", "witness_interval", "witnesses",
                                                       "witness_quorum")}

    def configure(**values) -> None:
        for name, value in values.items():
            object.__setattr__(CONFIG, name, value)

    yield configure
    configure(**saved)


class PublishedWatch:
    """The checkpoint file's size each time it changes, with when (polled every 2 ms in a thread)."""

    def __init__(self, tiles) -> None:
        self.tiles, self.seen, self.stop = tiles, [(time.monotonic(), 0)], threading.Event()
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        while not self.stop.is_set():
            size = published_size(self.tiles)
            if size != self.seen[-1][1]:
                self.seen.append((time.monotonic(), size))
            time.sleep(0.002)

    def wait_for(self, size: int, seconds: float = 10) -> float:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for at, published in list(self.seen):
                if published >= size:
                    return at
            time.sleep(0.005)
        raise AssertionError(f"no checkpoint of size {size} within {seconds} s (saw {self.seen[-3:]})")


def start_worker(monkeypatch) -> threading.Thread:
    monkeypatch.setattr(commands, "_publications_pass", lambda: None)
    worker = threading.Thread(target=main, args=(["worker"],), daemon=True)
    worker.start()
    return worker


def test_an_entry_appended_just_after_a_checkpoint_is_covered_within_the_interval(
        parties, tiles, monkeypatch, intervals, stopped_after):
    from tests.service.plans import plan_body

    intervals(checkpoint_interval=0.25)
    watch = PublishedWatch(tiles)
    start_worker(monkeypatch)
    published_at = watch.wait_for(16)  # the registry's entries: the worker's first pass
    posted = time.monotonic()
    with clock.frozen_at(T):
        assert parties["org-a"].post("/plans", plan_body())[0] == 201
    post_took = time.monotonic() - posted
    covered_at = watch.wait_for(17)
    watch.stop.set()
    # the old rule (one checkpoint a second) made it wait ~1 s after the previous checkpoint
    assert covered_at - published_at < max(0.25, post_took) + 0.5, (covered_at - published_at, post_took)


class CountedWitness(Witness):
    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.asked: list[float] = []

    def add_checkpoint(self, body: bytes):
        self.asked.append(time.monotonic())
        return super().add_checkpoint(body)


@pytest.fixture
def counted_witness(tmp_path):
    cosigner = Cosigner.generate("witness.example/w1")
    witness = CountedWitness(tmp_path / "w1.db", cosigner,
                             {CONFIG.log_origin: [parse_verifier(log_signer().verifier.encode())]})
    server = serve(witness, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield witness, (f"http://127.0.0.1:{server.server_address[1]}", cosigner.verifier.encode())
    server.shutdown()


def test_witnesses_are_asked_no_more_often_than_their_interval_and_not_when_nothing_waits(
        parties, tiles, monkeypatch, intervals, counted_witness, stopped_after):
    from tests.service.plans import plan_body

    witness, endpoint = counted_witness
    intervals(checkpoint_interval=0.05, witness_interval=0.5, witnesses=(endpoint,), witness_quorum=1)
    watch = PublishedWatch(tiles)
    start_worker(monkeypatch)
    watch.wait_for(16)
    size, started = 16, time.monotonic()
    while len(witness.asked) < 4 and time.monotonic() - started < 20:  # a stream of plans, as fast as they go
        with clock.frozen_at(T):
            assert parties["org-a"].post("/plans", plan_body(f"p{size}"))[0] == 201
        size += 1
    watch.wait_for(size)
    quiet = len(witness.asked)
    time.sleep(1.2)  # nothing waits: no request
    watch.stop.set()
    gaps = [b - a for a, b in zip(witness.asked, witness.asked[1:], strict=False)]
    assert len(witness.asked) >= 4 and min(gaps) >= 0.5, gaps  # from one pass's end to the next's start
    assert len(witness.asked) == quiet
    assert "— witness.example/w1 " in (tiles / "checkpoint").read_text()
