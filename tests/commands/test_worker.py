"""`corridor worker`: checkpoints are published while the slow publications (the public figures, the page's
aggregates) are still computing in their own thread; a thread that fails stops the worker."""

from __future__ import annotations

import threading
import time

import pytest

from corridor.cli import main
from corridor.commands import service as commands
from corridor.service import clock

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


def test_checkpoints_are_published_while_the_figures_are_being_computed(parties, tiles, monkeypatch, stopped_after):
    from tests.service.plans import plan_body

    computing, release = threading.Event(), threading.Event()

    def slow_publications() -> None:
        computing.set()
        release.wait(30)

    monkeypatch.setattr(commands, "_publications_pass", slow_publications)
    worker = threading.Thread(target=main, args=(["worker"],), daemon=True)
    worker.start()
    assert computing.wait(10)
    with clock.frozen_at(T):
        assert parties["org-a"].post("/plans", plan_body())[0] == 201
    deadline = time.monotonic() + 5
    while published_size(tiles) < 17 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert published_size(tiles) == 17  # the 16 registry entries and the plan, with the figures still pending
    assert not release.is_set()
    commands.STOP.set()
    release.set()
    worker.join(5)
    assert not worker.is_alive()


def test_a_failing_thread_stops_the_worker(parties, tiles, monkeypatch):
    def broken() -> None:
        raise RuntimeError("the outbox's database went away")

    monkeypatch.setattr(commands, "_outbox_pass", broken)
    with pytest.raises(RuntimeError, match="went away"):
        main(["worker"])
