"""The published checkpoint as this process last read it, read again only when the file changes.

Every proof served names the checkpoint it proves against, and `/log/checkpoint` returns it, so each of them
read and parsed the file (~30 µs here); a `stat` costs ~5 µs. The file is only ever replaced whole (tiles.py
`write_atomically`: a new file renamed over the old), so a new checkpoint is a new file, and the key below
(device and inode, size, modification and change times) differs from the last one's.

The inode alone would not say so once the old file is gone: a filesystem hands its number to the next file
it creates (ext4 alternates two here), and where times are whole seconds (ext4 with 128-byte inodes, some
network filesystems) two checkpoints of the same length published within the second then had the same key,
and the older was served until the log next changed. So the version served is kept open: its inode is not
freed while it is, no other file can take its number, and a file with this key is this version. The bytes
are read through that same open file, so they are the ones the key was taken from.
"""

from __future__ import annotations

import functools
import os
import stat
import threading
from pathlib import Path
from typing import BinaryIO

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


# (the file's key, what it held, the file kept open so that no other takes its inode); replaced whole, never
# mutated, under the lock (only when the file changed) so that each one replaced is closed
_last: tuple[tuple, Published, BinaryIO] | None = None
_replacing = threading.Lock()


def published_checkpoint() -> Published | None:
    """The log's current checkpoint file, or None before the first is published."""
    path = CONFIG.tiles_dir / "checkpoint"
    key = _key(path, _stat(os.stat, path))
    if key is None:
        return None
    last = _last
    if last is not None and last[0] == key:
        return last[1]
    return _read(path)


def _read(path: Path) -> Published | None:
    """The file's version now (perhaps newer than the one stat'ed), kept as the last one read."""
    global _last
    try:
        file = path.open("rb")
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        key = _key(path, _stat(os.fstat, file.fileno()))
        published = None if key is None else Published(file.read())
    except BaseException:
        file.close()
        raise
    if published is None:
        file.close()
        return None
    with _replacing:
        replaced, _last = _last, (key, published, file)
    if replaced is not None:
        replaced[2].close()  # a thread that took its Published still has that: the bytes, not the file
    return published


def _stat(how, what) -> os.stat_result | None:
    try:
        return how(what)
    except (FileNotFoundError, NotADirectoryError):
        return None


def _key(path: Path, found: os.stat_result | None) -> tuple | None:
    if found is None or not stat.S_ISREG(found.st_mode):  # as `Path.is_file()`, which the views asked before
        return None
    return (str(path), found.st_ino, found.st_dev, found.st_size, found.st_mtime_ns, found.st_ctime_ns)
