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
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator


class FoldAccess:
    def __init__(self) -> None:
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
