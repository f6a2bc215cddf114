"""Fold snapshots on disk (DATA_DIR/snapshots): written by `corridor worker` after it publishes a checkpoint,
loaded by any process on its first use of the fold (web workers, the worker, CLI commands that record), so
a restart applies only the entries after the snapshot instead of the whole log (docs/snapshots.md).

A snapshot is used only if it checks out (corridor/snapshot.py): authenticated by a key derived from the
operator's private key, made by the same folding code, and its size and root those of a checkpoint this
log signed. Otherwise a warning is logged and the next older one is tried, then a full replay.
"""

from __future__ import annotations

import hashlib
import logging
import mmap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from ... import snapshot
from ...fold import LogFold
from ...ledger.tiles import atomic_file
from ..config import CONFIG
from .keys import operator_key, operator_public
from .models import SignedCheckpoint
from .origins import policy

log = logging.getLogger("corridor.snapshots")

KEEP = 2
# When the worker writes one: once the log has grown by EVERY_ENTRIES since the last snapshot (but not within
# MIN_SECONDS of it), or by any entry after EVERY_SECONDS. A cold start then applies a tail of about
# EVERY_ENTRIES entries (plus what arrived since), ~150 µs each today without signature checks: ~0.75 s;
# at 1,000 writes/s a snapshot every 10 s, whose encoding (plans never decoded are copied as bytes) and
# writing run on the worker's snapshot thread (docs/benchmarks.md, "Issue 12: cold start").
EVERY_ENTRIES = 5_000
MIN_SECONDS = 10.0
EVERY_SECONDS = 300.0
_writer: Writer | None = None


def directory() -> Path:
    return CONFIG.data_dir / "snapshots"


def secret() -> bytes:
    """The HMAC key: derived from the operator's private key (only the service holds it), domain-separated."""
    return hashlib.sha256(b"corridor/fold-snapshot/v1\n" + operator_key().private_bytes_raw()).digest()


def signed_root(size: int) -> bytes | None:
    """The root of the checkpoint this log signed at `size`, if it signed one."""
    row = SignedCheckpoint.objects.filter(size=size).values_list("root", flat=True).first()
    return bytes(row) if row is not None else None


def paths() -> list[Path]:
    """Snapshot files, newest (largest size) first."""
    return sorted(directory().glob("fold-*.snapshot"), reverse=True)


def load(limit: int | None = None) -> LogFold | None:
    """The newest snapshot that checks out (of size at most `limit`), or None: the caller replays the log.
    The file is mapped, not read: the fold's plans are read from the map when first used, and the pages are
    shared by every process that maps the same file (docs/snapshots.md)."""
    for path in paths():
        try:
            data = _mapped(path)
            header, _ = snapshot.read_header(data, secret())
            if limit is not None and header.size > limit:
                continue
            fold = snapshot.decode(data, secret(), signed_root, registrar_public=operator_public(),
                                   webauthn=policy())
        except (OSError, ValueError, snapshot.SnapshotRefused) as error:
            log.warning("fold snapshot %s not used: %s", path.name, error)
            continue
        log.info("fold restored from %s (%d entries)", path.name, fold.size)
        return fold
    return None


def _mapped(path: Path) -> mmap.mmap:
    """The file, mapped read-only. Snapshots are written to a temporary name and renamed, never changed in
    place, so a map stays valid (an older file removed while mapped lives on until its last map closes)."""
    with path.open("rb") as file:
        return mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)


def encode(fold: LogFold, root: bytes) -> bytes:
    return snapshot.encode(fold, root, secret())


class _NotWritten(Exception):
    """`fill` could not write the snapshot: the temporary file is dropped."""


def save(size: int, fill: Callable[[BinaryIO], bool]) -> Path | None:
    """Write the snapshot of the fold at `size` whole or not at all (ledger.tiles.atomic_file), keep the newest
    few. `fill(out)` writes it, or returns False if it cannot (the fold moved past `size`): then nothing is
    written. The fsyncs come after `fill`, which may hold the fold's lock."""
    path = directory() / f"fold-{size:015d}.snapshot"
    directory().mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        with atomic_file(path, 0o600) as out:  # the fold holds what the read models hold: not public
            if not fill(out):
                raise _NotWritten
    except _NotWritten:
        return None
    for old in paths()[KEEP:]:
        old.unlink(missing_ok=True)
    return path


def reset_for_tests() -> None:
    global _writer
    _writer = None


def after_checkpoint(wait: bool = False) -> None:
    """The worker's one call, after it published a checkpoint: write a snapshot if one is due, on a
    thread of its own (`wait`: until it is written, for `corridor worker --once`)."""
    global _writer
    if _writer is None:
        _writer = Writer()
    _writer.maybe_write(background=not wait)


class Writer:
    """The worker's snapshot writer: after each published checkpoint, `maybe_write` decides whether one is
    due and writes it on a thread of its own, so the loop that publishes checkpoints never waits for it."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._last_size, self._last_time = self._newest_size(), time.monotonic()

    def maybe_write(self, background: bool = True) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        checkpoint = SignedCheckpoint.objects.order_by("-size").values_list("size", "root").first()
        if checkpoint is None or not self._due(checkpoint[0]):
            return
        self._last_size, self._last_time = checkpoint[0], time.monotonic()
        if not background:
            self._write(checkpoint[0], bytes(checkpoint[1]))
            return
        self._thread = threading.Thread(target=self._write, args=(checkpoint[0], bytes(checkpoint[1]), True),
                                        name="corridor-snapshot", daemon=True)
        self._thread.start()

    def _due(self, size: int) -> bool:
        if self._last_size < 0:
            return True  # no snapshot this code can use: write one now
        grown, waited = size - self._last_size, time.monotonic() - self._last_time
        return (grown >= EVERY_ENTRIES and waited >= MIN_SECONDS) or (grown > 0 and waited >= EVERY_SECONDS)

    @staticmethod
    def _write(size: int, root: bytes, own_thread: bool = False) -> None:
        from django.db import connection

        from .record import with_fold_at

        def fill(out: BinaryIO) -> bool:
            return with_fold_at(size, lambda fold: snapshot.write(fold, root, secret(), out) or True) or False

        try:
            started = time.perf_counter()
            path = save(size, fill)
            if path is not None:
                log.info("fold snapshot %s (%d bytes) written in %.2f s", path.name, path.stat().st_size,
                         time.perf_counter() - started)
        except Exception:  # a snapshot is an optimisation: never let it stop the worker
            log.exception("fold snapshot at size %d not written", size)
        finally:
            if own_thread:
                connection.close()  # this thread's own database connection

    @staticmethod
    def _newest_size() -> int:
        """The size of the newest snapshot usable by this code (-1: none, so the first checkpoint writes one)."""
        for path in paths():
            try:
                return snapshot.read_header(_mapped(path), secret())[0].size  # the map closes once unused
            except (OSError, ValueError, snapshot.SnapshotRefused):
                continue
        return -1
