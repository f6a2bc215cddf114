"""Threaded web workers: a request that read the in-memory fold keeps it as it was until the request ends,
while other threads record (corridor/service/ledger/fold_access.py); a thread holding the fold can still
record itself, and threads that hold it and record at once never wait on each other."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.test import Client

from corridor.service.ledger import record as recording
from corridor.service.ledger.fold_access import FoldAccess
from corridor.service.ledger.record import current_fold, known_fold, reading_fold, record_as

from ..plans import plan_body

pytestmark = pytest.mark.django_db(transaction=True)


def note(party: str, n: int, plan: str = "p1"):
    return record_as(party, "plan.note", {"sha256": f"{n:064x}", "title": f"note {n}"}, plan=plan)


def in_thread(work) -> tuple[threading.Thread, dict]:
    out: dict = {}

    def run() -> None:
        try:
            out["result"] = work()
        except BaseException as error:  # checked by the test
            out["error"] = error
        finally:
            out["finished"] = time.monotonic()
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


@pytest.fixture
def plan(parties):
    record_as("org-a", "plan.submit", {k: v for k, v in plan_body().items() if k != "plan"}, plan="p1")


def test_a_request_reading_the_fold_sees_no_statement_recorded_meanwhile(plan):
    with reading_fold():
        fold = current_fold()
        size, notes = fold.size, len(fold.state.plans["p1"].notes)
        writer, out = in_thread(lambda: note("border", 1))
        writer.join(timeout=1.0)
        assert writer.is_alive() and "result" not in out  # waits for the request to end
        assert fold.size == size and len(fold.state.plans["p1"].notes) == notes
        assert current_fold() is fold and known_fold() is fold and fold.size == size
        released = time.monotonic()
    writer.join(timeout=30)
    assert "error" not in out and out["finished"] >= released
    assert current_fold().size == size + 1  # outside a request: caught up, nothing held


def test_a_request_holding_the_fold_records_and_then_sees_its_own_statement(plan):
    with reading_fold():
        fold = current_fold()
        size = fold.size
        recorded = note("border", 1)  # holds the fold: must not wait on itself
        assert recorded.index == size and current_fold().size == size + 1


def test_requests_holding_the_fold_and_recording_at_once_do_not_wait_on_each_other(plan):
    start = threading.Barrier(4)

    def request(party: str):
        with reading_fold():
            current_fold()
            start.wait(timeout=10)
            return [note(party, n).index for n in range(5)]

    runs = [in_thread(lambda party=party: request(party)) for party in ("org-a", "border", "customs", "recv")]
    for thread, _ in runs:
        thread.join(timeout=60)
    assert all("error" not in out and len(out["result"]) == 5 for _, out in runs)
    indexes = sorted(index for _, out in runs for index in out["result"])
    assert indexes == list(range(indexes[0], indexes[0] + 20))


def test_another_processs_entries_are_caught_up_once_per_request(plan, monkeypatch):
    size = current_fold().size
    recording._drop_fold()  # this process has seen all but the last entry (another process appended it)
    behind = recording._catch_up(recording._current_fold(), until=size - 1)
    monkeypatch.setattr(recording, "_known_caught_up", True)
    with reading_fold():
        assert known_fold() is behind and behind.size == size - 1  # names only: no query
        assert current_fold() is behind and behind.size == size  # the request's first current_fold() catches up
        assert current_fold().size == size


def test_a_page_through_the_middleware_lets_go_of_the_fold(plan, client: Client):
    assert client.get("/plans/p1").status_code in (200, 302)
    thread, out = in_thread(lambda: note("border", 2))
    thread.join(timeout=30)
    assert "result" in out  # nothing was left held by the request


def test_the_lock_itself_never_lets_a_writer_in_beside_a_reader_of_another_thread():
    access, seen, stop = FoldAccess(), [], threading.Event()
    shared = {"value": 0}

    def reader() -> None:
        while not stop.is_set():
            with access.request_reads():
                access.hold_read()
                first = shared["value"]
                time.sleep(0.001)
                seen.append(first == shared["value"])

    def writer() -> None:
        for _ in range(200):
            with access.request_reads():
                access.hold_read()
                with access.changing():  # a request that read, then records
                    shared["value"] += 1
                assert access.holds_read()

    readers = [threading.Thread(target=reader, daemon=True) for _ in range(3)]
    writers = [threading.Thread(target=writer, daemon=True) for _ in range(2)]
    for thread in readers + writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=60)
    stop.set()
    for thread in readers:
        thread.join(timeout=10)
    assert not any(thread.is_alive() for thread in readers + writers)
    assert shared["value"] == 400 and seen and all(seen)
