"""The published checkpoint as this process last read it, read again only when the file changes.

Every proof served names the checkpoint it proves against, and `/log/checkpoint` returns it, so each of them
read and parsed the file (~30 µs here); a `stat` costs ~5 µs. The file is only ever replaced whole (tiles.py
`write_atomically`: a new file renamed over the old), so a new checkpoint is a new inode, and the key below
(inode, size, modification and change times) differs from the last one's; checkpoints are published at least
0.25 s apart, so even a reused inode number comes with other times. A file replaced between the `stat` and the
read is cached under the older key and read once more on the next request: never stale for longer.
"""

from __future__ import annotations

import functools
import os
import stat
from pathlib import Path

from ...ledger.checkpoint import Checkpoint, parse_checkpoint
from ..config import CONFIG


class Published:
    """One version of the checkpoint file: its bytes as served, and (parsed on first use) its body."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.note = raw.decode()

    @functools.cached_property
    def checkpoint(self) -> Checkpoint:
        return parse_checkpoint(self.note.split("\n\n")[0] + "\n")  # the body, before the signatures


_last: tuple[tuple, Published] | None = None  # (the file's key, what it held); replaced whole, never mutated


def published_checkpoint() -> Published | None:
    """The log's current checkpoint file, or None before the first is published."""
    global _last
    path = CONFIG.tiles_dir / "checkpoint"
    key = _file_key(path)
    if key is None:
        return None
    last = _last
    if last is not None and last[0] == key:
        return last[1]
    try:
        published = Published(path.read_bytes())
    except FileNotFoundError:
        return None
    _last = (key, published)
    return published


def _file_key(path: Path) -> tuple | None:
    try:
        found = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not stat.S_ISREG(found.st_mode):  # as `Path.is_file()`, which the views asked before
        return None
    return (str(path), found.st_ino, found.st_dev, found.st_size, found.st_mtime_ns, found.st_ctime_ns)
