"""The sequencer: group commits for appends, then integration and checkpoints on a steady beat.

Callers `submit(entry)` and wait on the returned future: it resolves to the entry's index only once the
batch holding it is committed (durable). A batch closes at `batch_size` entries or `batch_wait` seconds
after its first entry. A checkpoint is signed at most every `checkpoint_interval` seconds (cosigned, with
witnesses, at most every `witness_interval`: a witness allows a log only so many requests), and only when
the tree grew.
"""

from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import Future

from .cosigning import Cosigning
from .store import LogStore


class Sequencer:
    def __init__(
        self, store: LogStore, *, batch_size: int = 256, batch_wait: float = 0.25,
        checkpoint_interval: float = 0.25, cosigning: Cosigning | None = None, witness_interval: float = 1.0,
    ) -> None:
        self.store, self.cosigning = store, cosigning
        self.batch_size, self.batch_wait = batch_size, batch_wait
        self.checkpoint_interval = max(checkpoint_interval, witness_interval if cosigning else 0.0)
        self.queue: queue.Queue[tuple[bytes, Future]] = queue.Queue()
        self.published_size = store.tree_state()[0]
        self.publications: list[tuple[int, float]] = []  # (size, monotonic time) of each checkpoint
        self.last_error: Exception | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="corridor-sequencer", daemon=True)

    def start(self) -> Sequencer:
        self._thread.start()
        return self

    def submit(self, entry: bytes) -> Future:
        future: Future = Future()
        self.queue.put((entry, future))
        return future

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        self.next_checkpoint = time.monotonic()
        while not self._stop.is_set() or not self.queue.empty():
            self._append_batch(self._collect())
            if time.monotonic() >= self.next_checkpoint:
                started = time.monotonic()
                self._checkpoint()
                self.next_checkpoint = started + self.checkpoint_interval
        self._checkpoint()

    def _collect(self) -> list[tuple[bytes, Future]]:
        """A batch: up to batch_size entries, closed batch_wait after the first — or at the checkpoint beat,
        so a checkpoint is never held back by a batch that is still filling."""
        until_beat = max(self.next_checkpoint - time.monotonic(), 0.001)
        try:
            batch = [self.queue.get(timeout=min(self.batch_wait, until_beat))]
        except queue.Empty:
            return []
        deadline = min(time.monotonic() + self.batch_wait, max(self.next_checkpoint, time.monotonic()))
        while len(batch) < self.batch_size:
            remaining = deadline - time.monotonic()
            try:
                batch.append(self.queue.get(timeout=remaining) if remaining > 0 else self.queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _append_batch(self, batch: list[tuple[bytes, Future]]) -> None:
        if not batch:
            return
        try:
            first = self.store.append([entry for entry, _ in batch])
        except Exception as error:  # the whole batch failed to commit: every caller learns it
            for _, future in batch:
                future.set_exception(error)
            return
        for offset, (_, future) in enumerate(batch):
            future.set_result(first + offset)

    def _checkpoint(self) -> None:
        """Integrate and publish; a failure (disk full, witnesses down) is kept in `last_error` and the
        next beat tries again — appends go on being acknowledged meanwhile."""
        try:
            self._integrate_and_publish()
        except Exception as error:  # the thread must outlive one bad beat
            self.last_error = error

    def _integrate_and_publish(self) -> None:
        while self.store.integrate(self.batch_size * 16) < self.store.sequenced_size():
            pass
        size = self.store.tree_state()[0]
        if size == self.published_size:
            return
        self.store.publish(self.cosigning)  # QuorumNotMet leaves the old checkpoint up until the next beat
        self.published_size = size
        self.publications.append((size, time.monotonic()))
