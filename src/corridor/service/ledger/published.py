"""The published checkpoint as this process last read it, parsed again only when the file's bytes change.

Every proof served names the checkpoint it proves against, and `/log/checkpoint` returns it, so each of them
read and parsed the file (~30 µs here). The file is a few hundred bytes: reading it costs ~5 µs, and what
it holds decides whether it changed. A key from `stat` (inode, size, times) would be cheaper by ~3 µs, but
it can lie: a filesystem hands a freed inode's number to the next file it creates, and where times are
whole seconds (ext4 with 128-byte inodes, some network filesystems) the checkpoint after next had the key of
the one read, and the older was served until the log changed again (seen on a loop-mounted ext4).
"""

from __future__ import annotations

import functools

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


_last: Published | None = None  # replaced whole, never mutated: a thread that took one keeps a consistent one


def published_checkpoint() -> Published | None:
    """The log's current checkpoint file, or None before the first is published (or where a directory is)."""
    global _last
    try:
        raw = (CONFIG.tiles_dir / "checkpoint").read_bytes()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    last = _last
    if last is not None and last.raw == raw:
        return last
    _last = Published(raw)
    return _last
