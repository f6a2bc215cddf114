"""The fold's lock and the database's write lock are always taken in one order, fold first
(corridor/service/ledger/fold_access.py): a thread that opened a transaction never waits for the fold, so a
request holding the fold that then writes (a sign-in's last_login, its session) is never stuck behind it.

Each test runs the two threads of a cycle step by step (events), on SQLite and on PostgreSQL alike; a
thread that waits for the database gives up after a few seconds, so the old order fails quickly instead
of hanging (SQLite's busy timeout is 30 s; PostgreSQL would wait for ever)."""

from __future__ import annotations

import fcntl
import os
import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from corridor.service.ledger import record as recording
from corridor.service.ledger.fold_access import FoldOrderError
from corridor.service.ledger.record import current_fold, known_fold, reading_fold, record_as, recording_transaction

from ..plans import plan_body
from .test_fold_reads import in_thread, note

pytestmark = pytest.mark.django_db(transaction=True)
DB_WAIT = 3.0  # seconds a thread waits for the database's lock before giving up (the deadlock's symptom)






def give_up_waiting_for_the_database_after(seconds: float) -> None:
    """This thread's connection stops waiting for another's lock after `seconds` (SQLite: busy timeout;
    PostgreSQL: lock_timeout), so a deadlock shows as an error rather than a hang."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
        else:
            cursor.execute(f"SET lock_timeout = '{int(seconds * 1000)}ms'")


@pytest.fixture
def user(parties):
    record_as("org-a", "plan.submit", {k: v for k, v in plan_body().items() if k != "plan"}, plan="p1")
    return get_user_model().objects.create(username="signing-in")


def sign_in_write(user) -> None:
    """What a sign-in writes (django.contrib.auth's update_last_login): the user's row."""
    get_user_model().objects.filter(pk=user.pk).update(last_login=timezone.now())


def join(*threads: threading.Thread) -> None:
    for thread in threads:
        thread.join(timeout=4 * DB_WAIT)
    assert not any(thread.is_alive() for thread in threads), "still waiting on each other"


def test_a_transaction_that_records_while_a_request_reads_and_writes(user):
    """The suspected cycle: A opens a transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: the row it wrote)
    and records in it, so it waits for the fold; B read the fold earlier in its request and now writes the
    same row (a sign-in), so it waits for A's transaction."""
    b_read, a_locked = threading.Event(), threading.Event()

    def request_b() -> float:
        give_up_waiting_for_the_database_after(DB_WAIT)
        with reading_fold():
            current_fold()
            b_read.set()
            assert a_locked.wait(10)
            sign_in_write(user)
            return time.monotonic()

    def transaction_a():
        assert b_read.wait(10)
        with transaction.atomic():
            get_user_model().objects.filter(pk=user.pk).update(first_name="A")
            a_locked.set()
            return note("border", 1).index

    (b, b_out), (a, a_out) = in_thread(request_b), in_thread(transaction_a)
    join(a, b)
    assert "error" not in b_out, f"the request waited for the database until it gave up: {b_out['error']!r}"
    assert isinstance(a_out.get("error"), FoldOrderError)  # refused at once: A waited for nothing
    assert get_user_model().objects.get(pk=user.pk).first_name == ""  # A's transaction rolled back


def test_a_transaction_that_takes_the_fold_first_records_once_the_request_ends(user):
    """The same two threads, A in the order every writer keeps (`recording_transaction`): A waits for the
    fold while holding nothing, B writes and ends its request, then A opens its transaction and records."""
    b_read, a_waiting, b_wrote = threading.Event(), threading.Event(), threading.Event()

    def request_b() -> None:
        give_up_waiting_for_the_database_after(DB_WAIT)
        with reading_fold():
            current_fold()
            b_read.set()
            assert a_waiting.wait(10)
            time.sleep(0.3)  # A is waiting for the fold
            sign_in_write(user)
            b_wrote.set()

    def transaction_a() -> bool:
        give_up_waiting_for_the_database_after(DB_WAIT)
        assert b_read.wait(10)
        a_waiting.set()
        with recording_transaction():
            opened_after_b_wrote = b_wrote.is_set()
            get_user_model().objects.filter(pk=user.pk).update(first_name="A")
            note("border", 1)
        return opened_after_b_wrote

    (b, b_out), (a, a_out) = in_thread(request_b), in_thread(transaction_a)
    join(a, b)
    assert "error" not in b_out and "error" not in a_out
    assert a_out["result"] is True and a_out["finished"] >= b_out["finished"]
    assert get_user_model().objects.get(pk=user.pk).first_name == "A"
    assert current_fold().state.plans["p1"].notes


def test_a_request_that_reads_the_fold_first_inside_its_transaction_while_a_statement_is_recorded(user,
                                                                                                   monkeypatch):
    """The other cycle: W holds the fold to record and then waits for the database; A opened a transaction
    (it holds the database) and only then reads the fold, so it waits for W."""
    w_holds_fold, a_locked = threading.Event(), threading.Event()
    turn = recording._sqlite_writer_turn

    def paused_turn():
        w_holds_fold.set()  # W holds the fold alone here, the database not yet
        assert a_locked.wait(10)
        time.sleep(0.3)  # A is now waiting for the fold (old order) or was refused (new)
        return turn()

    monkeypatch.setattr(recording, "_sqlite_writer_turn", paused_turn)
    monkeypatch.setattr(recording, "_after_apply", [*recording._after_apply,
                                                    lambda folded, fold, private: sign_in_write(user)])

    def writer_w():
        give_up_waiting_for_the_database_after(DB_WAIT)
        return note("border", 1).index

    def request_a():
        assert w_holds_fold.wait(10)
        with reading_fold(), transaction.atomic():
            get_user_model().objects.filter(pk=user.pk).update(first_name="A")
            a_locked.set()
            return current_fold().size

    (w, w_out), (a, a_out) = in_thread(writer_w), in_thread(request_a)
    join(w, a)
    assert "error" not in w_out, f"the writer waited for the database until it gave up: {w_out['error']!r}"
    assert isinstance(a_out.get("error"), FoldOrderError)


def test_a_request_that_read_the_fold_before_its_transaction_reads_it_inside_as_held(user, monkeypatch):
    """A request holding the fold (names read for a page, `known_fold`) that opens a transaction and asks
    for the fold gets the one it holds: catching up would take the fold alone inside the transaction."""
    size = current_fold().size
    recording._drop_fold()  # this process has seen all but the last entry (another process appended it)
    behind = recording._catch_up(recording._current_fold(), until=size - 1)
    monkeypatch.setattr(recording, "_known_caught_up", True)
    with reading_fold():
        assert known_fold() is behind
        with transaction.atomic():
            assert current_fold() is behind and behind.size == size - 1  # as held: no FoldOrderError
        assert current_fold().size == size  # out of the transaction: caught up as before


def test_taking_the_fold_inside_a_transaction_is_refused_even_when_nothing_would_wait(user):
    """The order is checked on every take, not only when a wait happens, so a wrong order fails in every
    test that runs it rather than once in a while under load."""
    for take in (current_fold, known_fold, lambda: note("border", 1)):
        with pytest.raises(FoldOrderError), reading_fold(), transaction.atomic():
            take()
    with pytest.raises(FoldOrderError), transaction.atomic():
        current_fold()  # outside a request too (a command)
    with recording_transaction():
        assert current_fold() is current_fold()
        assert note("border", 2).index == current_fold().size - 1


def test_a_statement_recorded_inside_a_transaction_never_waits_for_the_writers_turn(user):
    """SQLite's writers take turns on a lock file before BEGIN IMMEDIATE (record.py). A statement recorded
    inside a transaction that already holds the database (here opened with the fold held but not the turn)
    must not wait for that turn: another process may hold the turn and wait for the database."""
    if connection.vendor != "sqlite":
        pytest.skip("the writers' turn is SQLite's")
    p_turn, a_locked = threading.Event(), threading.Event()

    def other_process_p() -> None:
        give_up_waiting_for_the_database_after(DB_WAIT)
        own = os.open(f"{connection.settings_dict['NAME']}.writer-turn", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(own, fcntl.LOCK_EX)  # another open file: excludes this process's turn as another's would
            p_turn.set()
            assert a_locked.wait(10)
            time.sleep(0.3)
            with transaction.atomic():  # BEGIN IMMEDIATE: waits for A
                sign_in_write(user)
        finally:
            os.close(own)

    def transaction_a():
        assert p_turn.wait(10)
        with recording._fold_access.changing(), transaction.atomic():  # the fold first, then the database
            get_user_model().objects.filter(pk=user.pk).update(first_name="A")
            a_locked.set()
            return note("border", 1).index

    (p, p_out), (a, a_out) = in_thread(other_process_p), in_thread(transaction_a)
    join(p, a)
    assert "error" not in p_out, f"the other process waited for the database until it gave up: {p_out['error']!r}"
    assert "error" not in a_out
