"""The published checkpoint is parsed once per version of its file, and a new one is served as soon as it is
written (atomically, as the log writes it), whatever the filesystem says of the file's inode and times."""

from __future__ import annotations

import os

from corridor.ledger.tiles import write_atomically
from corridor.service.ledger.published import published_checkpoint

NOTE = "corridor.example/log\n{size}\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— corridor.example/log sig\n"


def test_none_before_the_first_checkpoint_and_for_a_directory(tiles):
    assert published_checkpoint() is None
    (tiles / "checkpoint").mkdir(parents=True)
    assert published_checkpoint() is None  # as `is_file()` said before


def test_read_once_per_version_and_each_new_version_at_once(tiles):
    tiles.mkdir()
    write_atomically(tiles / "checkpoint", NOTE.format(size=5).encode())
    first = published_checkpoint()
    assert first.checkpoint.size == 5 and first.raw == (tiles / "checkpoint").read_bytes()
    assert published_checkpoint() is first  # the same version: not parsed again
    write_atomically(tiles / "checkpoint", NOTE.format(size=6).encode())  # same length, a new file
    later = published_checkpoint()
    assert later is not first and later.checkpoint.size == 6
    (tiles / "checkpoint").unlink()
    assert published_checkpoint() is None


def test_each_tiles_directory_has_its_own(tmp_path, monkeypatch):
    from corridor.service.config import Config

    for name, size in (("a", 3), ("b", 4)):
        (tmp_path / name).mkdir()
        write_atomically(tmp_path / name / "checkpoint", NOTE.format(size=size).encode())
    for name, size in (("a", 3), ("b", 4), ("a", 3)):
        monkeypatch.setattr(Config, "tiles_dir", property(lambda self, name=name: tmp_path / name))
        assert published_checkpoint().checkpoint.size == size


_stat, _fstat = os.stat, os.fstat


class _WholeSeconds:
    """A file's status as a filesystem keeping whole-second times gives it (ext4 with 128-byte inodes, some
    network filesystems)."""

    def __init__(self, found: os.stat_result) -> None:
        self._found = found

    def __getattr__(self, name: str):
        return 1_700_000_000 * 10**9 if name in ("st_mtime_ns", "st_ctime_ns") else getattr(self._found, name)


def test_a_version_published_twice_within_the_second_is_not_taken_for_the_one_read(tiles, monkeypatch):
    """A freed inode's number goes to the next file made (ext4 alternates two), so with whole-second times the
    checkpoint after next had the key of the one read before, same size and times: that one was served until
    the log changed again (seen on a loop-mounted ext4 with 128-byte inodes)."""
    tiles.mkdir()
    monkeypatch.setattr(os, "stat", lambda path, *args, **kwargs: _WholeSeconds(_stat(path, *args, **kwargs)))
    monkeypatch.setattr(os, "fstat", lambda fd: _WholeSeconds(_fstat(fd)))
    for size in range(100, 140, 2):
        write_atomically(tiles / "checkpoint", NOTE.format(size=size - 1).encode())  # nobody asked for this one
        write_atomically(tiles / "checkpoint", NOTE.format(size=size).encode())
        assert published_checkpoint().checkpoint.size == size
