"""Uploads never signed into a plan do not stay on disk.

An upload keeps its bytes and its row before the `plan.note` that names it is signed (storage.py, then
operations.attach); the note may never come — a passkey dialog cancelled, a refusal, a closed tab. Such a
file is never listed nor served (both read the plan's notes from the log), but it would stay on disk for
good. The worker sweeps, at most once an hour: a row older than a day whose plan's log names no note with
its digest is deleted, and with it the bytes when no other plan's row holds the same content; bytes that no
row holds at all (a crash between the write and the row) go once they are a day old too.

A day is far longer than any signing takes, and the bytes' own age is checked as well as the row's: an
upload of the same content made a moment ago touches the file (storage.keep), so the sweep leaves it.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from .. import clock
from ..ledger.record import current_fold
from . import storage
from .models import Document

log = logging.getLogger("corridor.documents")
UNSIGNED_AFTER_SECONDS = 86400  # a day
EVERY_SECONDS = 3600
_last_sweep = [float("-inf")]


def sweep_if_due() -> int:
    """The sweep, if an hour has passed since this process last ran it (the worker calls this each pass)."""
    if time.monotonic() - _last_sweep[0] < EVERY_SECONDS:
        return 0
    _last_sweep[0] = time.monotonic()
    return sweep()


def sweep(now: int | None = None) -> int:
    """Delete unsigned uploads older than a day, rows and bytes; return how many files were removed."""
    cutoff = (clock.now() if now is None else now) - UNSIGNED_AFTER_SECONDS
    state = current_fold().state
    stale = [(document.pk, document.sha256) for document in Document.objects.filter(
        uploaded_at__lt=datetime.fromtimestamp(cutoff, UTC)).only("pk", "plan_id", "sha256")
        if not _noted(state, document.plan_id, document.sha256)]
    Document.objects.filter(pk__in=[pk for pk, _sha in stale]).delete()
    held = set(Document.objects.values_list("sha256", flat=True))
    removed = sum(_remove(path, cutoff) for path in _kept_files() if path.name not in held)
    if stale or removed:
        log.info("documents: %s unsigned upload(s) forgotten, %s file(s) removed", len(stale), removed)
    return removed


def _noted(state, plan_id: str, sha256: str) -> bool:
    plan = state.plans.get(plan_id)
    return plan is not None and any(note.sha256 == sha256 for note in plan.notes)


def _kept_files():
    root = storage.directory()
    return [path for path in root.glob("??/*") if path.is_file()] if root.is_dir() else []


def _remove(path, cutoff: int) -> int:
    """Unlink bytes no row holds, once they are older than the cutoff (a fresh write or touch is kept)."""
    try:
        if path.stat().st_mtime >= cutoff:
            return 0
        path.unlink()
        return 1
    except FileNotFoundError:  # another worker swept it first
        return 0
