"""Who may use this process's in-memory fold when: a readers–writer lock, so threaded web workers are safe.

`record()` applies a batch of statements to the fold before their COMMIT, and a catch-up applies other
processes' entries to it; both change the fold's dictionaries in place. A web page that reads the fold
(`current_fold()`) keeps using what it read until its response is written. With one request per process
(sync workers) nothing else runs meanwhile; with threads, a page could see statements not yet committed, or
a dictionary change while it iterates it. So:

- whoever changes the fold holds it alone (`changing()`): it waits until no other thread reads it;
- a request reads it under a shared hold taken on its first `current_fold()` and kept until the request
  ends (`request_reads()`, a middleware), so what it read stays as it was for the whole response;
- a thread that must wait (to change the fold, or for a batch recording its statement) first lets go of its
  own holds and takes them back after: a thread that waits never holds the fold, so no two threads can wait
  on each other. Its holds are taken back before it returns to the code that read the fold earlier.

Outside a request (the worker, CLI commands) nothing is held after `current_fold()` returns, as before.

The fold and the database's write lock: one order, the fold first
----------------------------------------------------------------
Two locks are involved, not one. The database has its own writer lock: SQLite's, taken at BEGIN IMMEDIATE
(every `transaction.atomic()`) and by each write outside one; PostgreSQL's row locks, kept by a
transaction until it ends, and the log's advisory lock. A request that holds the fold for reading goes on
to write (a sign-in's `last_login`, its session at the response's end, any ORM write after a read): it
waits for the database while holding the fold. That is safe only if no thread holding the database ever
waits for the fold. Before this rule, cycles were possible (reproduced step by step, on SQLite and on
PostgreSQL, in tests/service/ledger/test_fold_lock_order.py and tests/service/test_admin_site.py):

- A opens a transaction (an admin save, a membership removed: Django wraps both in `atomic()`), writes, and
  records in it: it waits for the fold alone, i.e. for every reader to finish; B read the fold earlier in
  its request and now writes what A locked: it waits for A. SQLite: B gives up after its 30 s busy timeout
  ("database is locked"); PostgreSQL: both wait for ever (its deadlock detector does not see this lock).
- W holds the fold alone to record and waits for the database (BEGIN IMMEDIATE, or a row); A opened a
  transaction and only then reads the fold for the first time: it waits for W.
- SQLite: A, in a transaction, records and waits for the writers' turn (record.py, a lock file taken
  before BEGIN IMMEDIATE); another process holds the turn and waits for A's database lock.

So every thread takes these locks in one order: the fold, then SQLite's writers' turn, then the database.
`record()` does; code of its own that writes rows and records, or reads the fold, in one transaction opens
it with `record.recording_transaction()`; the admin's views hold the fold for their whole run, since
Django opens their transaction (admin_site.py); inside an open transaction the turn is not taken again.
Taking the fold (a first shared hold, or holding it alone) while this thread's transaction is open is
refused at once with `FoldOrderError`, whether or not it would have had to wait, so a wrong order fails in
every test that runs it, not once in a while under load. A thread that already holds what it asks for (a
request's read taken before its transaction, read as held inside it; the writer inside its own recording)
takes nothing, so nothing is refused.

Why no cycle is left: a thread waiting for the fold holds no database lock and no turn (it is outside any
transaction), so it waits only for fold holders; a fold holder waits only for the turn or the database,
never for the fold; a turn holder waits only for the database; a thread holding the database waits only
for the database, whose own deadlocks (between transactions) the database detects and breaks. Every wait
goes to a lock later in the order, so the waits cannot close a circle.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator


class FoldOrderError(RuntimeError):
    """The fold was asked for inside a database transaction: take it before the transaction opens."""


class FoldAccess:
    def __init__(self, in_transaction: Callable[[], bool] = lambda: False) -> None:
        """`in_transaction`: whether this thread has a database transaction open (it may hold the
        database's write lock): then it may not take the fold (see above)."""
        self._in_transaction = in_transaction
        self._state = threading.Condition(threading.Lock())
        self._readers: dict[int, int] = {}  # thread id -> its holds
        self._writer: int | None = None
        self._writer_depth = 0
        self._writers_waiting = 0
        self._local = threading.local()

    # -- a request's shared hold ------------------------------------------------------------------------

    @contextlib.contextmanager
    def request_reads(self) -> Iterator[None]:
        """The scope in which reads are held once taken (a request); every hold is let go at its end."""
        outer = getattr(self._local, "scoped", False)
        self._local.scoped = True
        try:
            yield
        finally:
            self._local.scoped = outer
            if not outer:
                self._local.caught_up = False
                self._release_reads()

    def in_request(self) -> bool:
        return getattr(self._local, "scoped", False)

    def request_caught_up(self) -> bool:
        """Whether this request has caught the fold up with the log once (`current_fold`)."""
        return getattr(self._local, "caught_up", False)

    def mark_caught_up(self) -> None:
        self._local.caught_up = True

    def holds_read(self) -> bool:
        with self._state:
            return threading.get_ident() in self._readers

    def hold_read(self) -> None:
        """A shared hold for this thread, kept until the request ends; waits while a thread changes the fold
        or waits to (unless this thread holds the fold already)."""
        me = threading.get_ident()
        with self._state:
            if me not in self._readers and self._writer != me:
                self._refuse_inside_transaction()
                while self._writer is not None or self._writers_waiting:
                    self._state.wait()
            self._readers[me] = self._readers.get(me, 0) + 1

    def _release_reads(self) -> int:
        with self._state:
            held = self._readers.pop(threading.get_ident(), 0)
            if held:
                self._state.notify_all()
            return held

    def _restore_reads(self, held: int) -> None:
        if held:
            self.hold_read()
            with self._state:
                self._readers[threading.get_ident()] += held - 1

    @contextlib.contextmanager
    def released(self) -> Iterator[None]:
        """Let go of this thread's holds while it waits on another thread; take them back after."""
        held = self._release_reads()
        try:
            yield
        finally:
            self._restore_reads(held)

    def _refuse_inside_transaction(self) -> None:
        if self._in_transaction():
            raise FoldOrderError("the fold is taken before a database transaction opens, never inside one "
                                 "(record.recording_transaction()): a thread holding the database must not "
                                 "wait for the fold, which a reader holds while it waits for the database")

    # -- changing the fold ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def changing(self, keep_reading: bool = False) -> Iterator[None]:
        """The fold to this thread alone. This thread's own holds are let go while it waits and taken back
        at the end; `keep_reading`: also take a hold at the end if it had none (atomically: nothing changes
        the fold between the two), so a request keeps reading what it just caught up."""
        me = threading.get_ident()
        with self._state:
            if self._writer == me:
                self._writer_depth += 1
                held = None
            else:
                self._refuse_inside_transaction()
                held = self._readers.pop(me, 0)
                if held:
                    self._state.notify_all()
                self._writers_waiting += 1
                try:
                    while self._writer is not None or self._readers:
                        self._state.wait()
                finally:
                    self._writers_waiting -= 1
                self._writer, self._writer_depth = me, 1
        try:
            yield
        finally:
            with self._state:
                self._writer_depth -= 1
                if not self._writer_depth:
                    self._writer = None
                    if held or keep_reading:  # back to reading, before any other writer can start
                        self._readers[me] = max(held or 0, 1)
                    self._state.notify_all()
