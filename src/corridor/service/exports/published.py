"""The public figures at published checkpoint sizes: every public table (CSV, HXL, JSON) and the public page's
figures, computed by `corridor.figures` from the log's entries [0, N) and kept in DATA_DIR/figures/<N>-<R>/
(R: the first 16 hex digits of the checkpoint's root hash, so figures of another log never pass for these).

The worker computes them after it publishes a checkpoint, at most once every FIGURES_SECONDS, advancing one
fold it keeps in memory. A request for a size that has a signed checkpoint but no figures yet computes them
then: the published size whenever asked, an older one at most ON_DEMAND_PER_MINUTE times a minute per
process. A directory appears whole or not at all: it is written under a temporary name and renamed. The
files are what `corridor audit --at N` writes, byte for byte. DATA_DIR/figures/latest names the newest
directory computed at the published size; the oldest directories are removed beyond KEEP.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import threading
import time
from pathlib import Path

from ...figures import formats
from ...figures.fold import FigureFold
from ...figures.summary import SUMMARY, page_figures, summary_file
from ...figures.tables import TABLES, public_tables
from ...ledger.checkpoint import Checkpoint
from ...ledger.tiles import write_atomically
from ..config import CONFIG
from ..ledger.keys import OPERATOR, operator_public
from ..ledger.models import LogEntry, SignedCheckpoint
from ..ledger.origins import policy
from ..ledger.record import Refused

FIGURES_SECONDS = 30  # the public figures may lag the published log by this much; the log itself never lags
KEEP = 8
ON_DEMAND_PER_MINUTE = 6
CHUNK = 5000

_lock = threading.Lock()
_turns_lock = threading.Lock()
_on_demand: list[float] = []
_worker: dict = {"fold": None, "at": 0.0}


def root() -> Path:
    return CONFIG.figures_dir


def new_fold() -> FigureFold:
    return FigureFold(OPERATOR, operator_public(), webauthn=policy())


def fold_to(size: int, fold: FigureFold | None = None) -> FigureFold:
    """`fold` (a new one if None) advanced through the log's entries up to `size`, in chunks. The entries
    were checked when they were recorded; the fold checks keys and rules again as it applies them."""
    fold = fold or new_fold()
    while fold.size < size:
        rows = LogEntry.objects.filter(idx__gte=fold.size, idx__lt=size).order_by("idx").values_list("data", flat=True)
        chunk = list(rows[:CHUNK])
        if not chunk:
            raise RuntimeError(f"the log holds no entry {fold.size}, below the signed size {size}")
        for data in chunk:
            fold.apply(bytes(data), signature_checked=True)
    return fold


def log_tables(size: int | None = None) -> dict[str, list[dict]]:
    """Every public table computed now from the log's entries [0, size) (default: all recorded), unpublished:
    for checks and tests; the public reads `read`."""
    return public_tables(fold_to(LogEntry.objects.count() if size is None else size))


def signed_checkpoint(size: int) -> Checkpoint | None:
    """The checkpoint the log signed at `size` (the store keeps every one), or None."""
    row = SignedCheckpoint.objects.filter(size=size).first()
    return None if row is None else Checkpoint(row.note.split("\n", 1)[0], size, bytes(row.root))


def published_size() -> int | None:
    """The tree size of the checkpoint the log publishes now (None before the first)."""
    path = CONFIG.tiles_dir / "checkpoint"
    return int(path.read_text().split("\n")[1]) if path.is_file() else None


def directory(checkpoint: Checkpoint) -> Path:
    return root() / f"{checkpoint.size}-{checkpoint.root.hex()[:16]}"


def ensure(size: int) -> Path:
    """The figures directory for `size`, computed now if the log published a signed checkpoint there."""
    published = published_size()
    checkpoint = signed_checkpoint(size) if published is not None and size <= published else None
    if checkpoint is None:
        raise Refused("export.size_unpublished", f"the log has published no checkpoint at size {size}: figures "
                                                 f"are computed at published checkpoints (see /log/checkpoint)", 404)
    if not directory(checkpoint).is_dir():
        with _lock:
            if not directory(checkpoint).is_dir():
                if size != published:  # the latest is computed once, whoever asks; older sizes a few a minute
                    _take_on_demand_turn()
                write_figures(fold_to(size), checkpoint)
    return directory(checkpoint)


def _take_on_demand_turn() -> None:
    take_turn(_on_demand, ON_DEMAND_PER_MINUTE, "export.busy",
              "figures at other sizes are being computed: ask again in a minute")


def take_turn(turns: list[float], per_minute: int, code: str, message: str) -> None:
    """A costly computation at most `per_minute` times in any minute in this process (`turns`: when the
    last ones started); beyond, Refused(code, message, 429). Also the briefings' PDF limit."""
    with _turns_lock:
        now = time.monotonic()
        turns[:] = [t for t in turns if now - t < 60]
        if len(turns) >= per_minute:
            raise Refused(code, message, 429)
        turns.append(now)


def latest() -> Path:
    """The newest figures computed at a published size. Those of the published checkpoint are computed now if
    the newest are older and have been for over FIGURES_SECONDS (no worker, or a late one)."""
    size = published_size()
    if size is None:
        raise Refused("export.unpublished", "the log has published no checkpoint yet: figures are computed at "
                                            "published checkpoints", 404)
    pointer = root() / "latest"
    folder = root() / pointer.read_text() if pointer.is_file() else None
    if folder is not None and folder.is_dir() and (int(folder.name.split("-")[0]) == size or
                                                   time.time() - pointer.stat().st_mtime < FIGURES_SECONDS):
        return folder
    return ensure(size)


def write_figures(fold: FigureFold, checkpoint: Checkpoint) -> Path:
    """Every table in every format and the page's figures into DATA_DIR/figures/<size>, whole or not at all."""
    tables = public_tables(fold)
    target = directory(checkpoint)
    temporary = root() / f".{checkpoint.size}.{os.getpid()}.{threading.get_ident()}"
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir(parents=True)
    for name, rows in tables.items():
        for fmt in formats.FORMATS:
            (temporary / formats.file_name(name, fmt)).write_bytes(formats.render(TABLES[name], rows, fmt, checkpoint))
    (temporary / SUMMARY).write_bytes(summary_file(tables, fold.state, checkpoint))
    try:
        temporary.rename(target)
    except OSError:  # another process wrote the same figures first
        shutil.rmtree(temporary, ignore_errors=True)
    if checkpoint.size == published_size():  # figures asked for at an older size never pass for the latest
        _advance_latest(checkpoint, target)
    prune()
    return target


def _advance_latest(checkpoint: Checkpoint, folder: Path) -> None:
    pointer = root() / "latest"
    current = pointer.read_text() if pointer.is_file() else ""
    if not current or int(current.split("-")[0]) < checkpoint.size:
        write_atomically(pointer, folder.name.encode())


def prune() -> None:
    """Keep the KEEP newest sizes' figures (and always the latest)."""
    pointer = root() / "latest"
    latest_name = pointer.read_text() if pointer.is_file() else None
    folders = sorted((p for p in root().iterdir() if p.name[:1].isdigit()), key=lambda p: -int(p.name.split("-")[0]))
    for folder in folders[KEEP:]:
        if folder.name != latest_name:
            shutil.rmtree(folder, ignore_errors=True)


def read(size: int | None, file: str) -> tuple[bytes, Checkpoint]:
    """One file of the figures at `size` (None: the latest), and the checkpoint it was computed at."""
    for _ in range(2):  # a directory pruned between finding and reading it is computed again
        folder = latest() if size is None else ensure(size)
        try:
            summary = json.loads((folder / SUMMARY).read_text())
            return (folder / file).read_bytes(), _checkpoint_of(summary["checkpoint"])
        except FileNotFoundError:
            continue
    raise Refused("export.busy", "the figures are being replaced: ask again", 429)


def _checkpoint_of(data: dict) -> Checkpoint:
    return Checkpoint(data["origin"], data["size"], base64.b64decode(data["root"]))


def page_summary(size: int | None = None) -> dict:
    """The public page's figures (totals, board, stages) and their checkpoint; empty before any checkpoint."""
    try:
        data, _ = read(size, SUMMARY)
    except Refused:
        return {"checkpoint": None, **page_figures({name: [] for name in TABLES}), "datasets": []}
    return json.loads(data)


def refresh(force: bool = False) -> Path | None:
    """The worker's step: figures at the published size, if it has none yet and FIGURES_SECONDS passed since
    the last computation (or `force`). The worker's fold advances from where it was."""
    size = published_size()
    checkpoint = None if size is None else signed_checkpoint(size)
    if checkpoint is None or directory(checkpoint).is_dir():
        return None
    if not force and time.monotonic() - _worker["at"] < FIGURES_SECONDS:
        return None
    _worker["at"] = time.monotonic()
    fold, _worker["fold"] = _worker["fold"], None  # kept again only once it advanced without failing
    _worker["fold"] = fold_to(size, fold if fold is not None and fold.size <= size else None)
    return write_figures(_worker["fold"], checkpoint)


def reset_for_tests() -> None:
    _worker.update(fold=None, at=0.0)
    _on_demand.clear()
