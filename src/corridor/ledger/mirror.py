"""A verified copy of a public log (checkpoint, tiles, entry bundles, trust file) that any static web server
or CDN can serve: `corridor log mirror SOURCE DIR`.

Incremental: full tiles already in the mirror never change (tlog-tiles), so a run fetches only the tiles and
bundles the new checkpoint needs that the mirror lacks (the new ones, and the new right edge).
Verified as it copies, bottom up, before anything is served from it:
- the checkpoint is signed by the trust file's log key (and cosigned by its quorum of witnesses);
- each entry bundle hashes to its level-0 tile, and each node of a higher tile is the root of the full tile
  below it; the tiles give the signed root;
- the tree of the mirror's previous checkpoint is a prefix of the new one (the same tiles give its root):
  a source that forked, or went back, is refused.
Nothing half-written: files are fetched into a staging directory inside DIR, moved into place only once all
of them verify, flushed to disk, and the checkpoint is replaced last (atomically), so a reader of the mirror
sees the old checkpoint and its files, or the new one and its files. Partial tiles of the checkpoint before
the previous one are removed then (clients in flight on the previous one still find theirs).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .checkpoint import Checkpoint
from .merkle import EMPTY_ROOT, HASH_SIZE, ProofError, leaf_hash
from .reader import TileHashes
from .tilecheck import TileName
from .tiles import PUBLIC_FILE_MODE, TILE_WIDTH, make_public_dirs, root_of_nodes, write_atomically
from .trustfile import Trust, parse_trust
from .verify import Source, VerificationError, parse_bundle, read_signed_checkpoint

STAGING, STATE, LOCK = ".mirror-staging", ".mirror-state", ".mirror.lock"
BATCH = 64  # files fetched at once (in parallel), then verified before the next batch: bounded memory


class MirrorError(Exception):
    """A refusal: `code` is stable (scripts match on it), `message` says what and where."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"[{code}] {message}")
        self.code, self.message = code, message


@dataclass
class MirrorResult:
    old_size: int
    new_size: int
    files: int  # files written (tiles, bundles, trust file and checkpoint)
    bytes: int
    seconds: float
    trust_from_source: bool  # the trust file was the source's own word (first run without --trust)


def mirror(source: Source, target: Path, trust_text: str | None = None, workers: int = 8) -> MirrorResult:
    """Bring the mirror at `target` up to the source's checkpoint; raises MirrorError and leaves the mirror as
    it was on any refusal. `trust_text`: the trust file to verify against (default: the mirror's own copy,
    else the source's, which proves only that the log is consistent with the keys it names itself)."""
    started = time.monotonic()
    make_public_dirs(target)
    with _locked(target):
        shutil.rmtree(target / STAGING, ignore_errors=True)  # a run killed midway: its files were never served
        try:
            result = _Run(source, target, workers).run(trust_text)
        finally:
            shutil.rmtree(target / STAGING, ignore_errors=True)
    result.seconds = time.monotonic() - started
    return result


class _Run:
    def __init__(self, source: Source, target: Path, workers: int) -> None:
        self.source, self.target, self.workers = source, target, workers
        self.staging = target / STAGING
        self.files, self.bytes = 0, 0

    def run(self, trust_text: str | None) -> MirrorResult:
        trust, trust_out, from_source = self._trust(trust_text)
        new, note = self._source_checkpoint(trust)
        old, old_note = self._mirrored_checkpoint(trust)
        if new.size < old.size:
            raise MirrorError("mirror.behind", f"the source's checkpoint (size {new.size}) is older than the "
                                               f"mirror's (size {old.size}): nothing copied")
        if new.size == old.size and new.root != old.root:
            raise MirrorError("mirror.fork", f"the source signed a different tree at size {new.size} than the one "
                                             "mirrored: the log forked")
        if new.size > old.size:  # (same size, same root: only the note may differ, e.g. a new cosignature)
            for level_names in _by_level(self._missing(new.size, old.size)):
                self._fetch_and_verify(level_names)
            self._check_roots(new, old)
        self._commit(new, old, note, old_note, trust_out)
        return MirrorResult(old.size, new.size, self.files, self.bytes, 0.0, from_source)

    # -- what to trust, what is there -------------------------------------------------------------------
    def _trust(self, given: str | None) -> tuple[Trust, bytes, bool]:
        fetched = self._read_source("trust.txt")
        mirrored = self.target / "trust.txt"
        text = given if given is not None else (mirrored.read_text() if mirrored.is_file() else None)
        from_source = text is None
        if from_source:
            if fetched is None:
                raise MirrorError("mirror.trust", "no trust file: the source has none and none was given (--trust)")
            text = fetched.decode("utf-8", errors="replace")
        try:
            trust = parse_trust(text)
            if fetched is not None and parse_trust(fetched.decode()).log_key.encode() != trust.log_key.encode():
                raise MirrorError("mirror.trust_changed", "the source's trust file names another log key than the "
                                                          "one trusted: refused")
        except (ValueError, UnicodeDecodeError) as error:
            raise MirrorError("mirror.trust", f"the trust file cannot be read: {error}") from None
        return trust, fetched if fetched is not None else text.encode(), from_source

    def _source_checkpoint(self, trust: Trust) -> tuple[Checkpoint, bytes]:
        data = self._read_source("checkpoint")
        if data is None:
            raise MirrorError("mirror.source", f"{self.source.location}/checkpoint: missing")
        return _verified_checkpoint(data, trust, "mirror.checkpoint", "the source's checkpoint"), data

    def _mirrored_checkpoint(self, trust: Trust) -> tuple[Checkpoint, bytes | None]:
        path = self.target / "checkpoint"
        if not path.is_file():
            return Checkpoint("", 0, EMPTY_ROOT), None
        data = path.read_bytes()
        return _verified_checkpoint(data, trust, "mirror.trust_changed", "the mirror's checkpoint"), data

    def _missing(self, new_size: int, old_size: int) -> Iterator[TileName]:
        """The files the new checkpoint needs beyond the full tiles of the mirrored tree (those never change
        and were verified when copied; `corridor verify DIR` audits the whole mirror): per level, from the
        first tile not full at the old size. A level-0 tile and its bundle always come together."""
        level, new_nodes, old_nodes = 0, new_size, old_size
        while new_nodes:
            for index in range(old_nodes // TILE_WIDTH, (new_nodes + TILE_WIDTH - 1) // TILE_WIDTH):
                width = min(TILE_WIDTH, new_nodes - index * TILE_WIDTH)
                yield TileName(level, index, width)
                if level == 0:
                    yield TileName(None, index, width)
            level, new_nodes, old_nodes = level + 1, new_nodes // TILE_WIDTH, old_nodes // TILE_WIDTH

    # -- fetch and verify, bottom up --------------------------------------------------------------------
    def _fetch_and_verify(self, names: list[TileName]) -> None:
        """One level's new files (level 0 with its bundles), in batches fetched in parallel."""
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            for start in range(0, len(names), BATCH):
                batch = names[start : start + BATCH]
                for name, data in zip(batch, pool.map(self._fetch, batch), strict=True):
                    self._stage(name.path, data)
                for name in batch:
                    self._verify(name)

    def _fetch(self, name: TileName) -> bytes:
        data = self._read_source(name.path)
        if data is None:
            raise MirrorError("mirror.missing", f"{name.path}: missing at the source, which signed a tree needing it")
        return data

    def _verify(self, name: TileName) -> None:
        data = self._local(name.path)
        if name.level is None:  # a bundle: its entries' leaf hashes are its level-0 tile
            try:
                entries = parse_bundle(name.path, data, name.width)
            except VerificationError as error:
                raise MirrorError("mirror.tile", str(error)) from None
            expected = b"".join(leaf_hash(entry) for entry in entries)
            if self._local(TileName(0, name.index, name.width).path) != expected:
                raise MirrorError("mirror.tile", f"{name.path}: its entries do not hash to tile/0 {name.index}")
            return
        if len(data) != name.width * HASH_SIZE:
            raise MirrorError("mirror.tile", f"{name.path}: {len(data)} bytes, a tile of {name.width} holds "
                                             f"{name.width * HASH_SIZE}")
        for offset in range(name.width if name.level > 0 else 0):
            below = TileName(name.level - 1, name.index * TILE_WIDTH + offset, TILE_WIDTH)
            if _root(self._local(below.path)) != data[offset * HASH_SIZE : (offset + 1) * HASH_SIZE]:
                if not (self.staging / below.path).is_file():  # a tile of the tree already mirrored
                    raise MirrorError("mirror.fork", f"{name.path}: node {offset} is not the root of the mirrored "
                                                     f"{below.path}: the log forked")
                raise MirrorError("mirror.tile", f"{name.path}: node {offset} is not the root of {below.path}")

    def _check_roots(self, new: Checkpoint, old: Checkpoint) -> None:
        hashes = TileHashes(None, new.size, cache_tiles=64, read_tile=self._local_tile)
        try:
            if hashes.root() != new.root:
                raise MirrorError("mirror.tile", f"the tiles do not give the signed root of size {new.size}")
            if old.size and hashes.range_hash(0, old.size) != old.root:
                raise MirrorError("mirror.fork", f"the source's tree of size {new.size} does not hold the mirrored "
                                                 f"tree of size {old.size}: the log forked")
        except (ProofError, VerificationError) as error:
            raise MirrorError("mirror.tile", str(error)) from None

    # -- files --------------------------------------------------------------------------------------------
    def _read_source(self, path: str) -> bytes | None:
        try:
            return self.source.read(path)
        except VerificationError as error:
            raise MirrorError("mirror.source", str(error)) from None
        except OSError as error:
            raise MirrorError("mirror.source", f"{path}: {error}") from None

    def _stage(self, path: str, data: bytes) -> None:
        file = self.staging / path
        make_public_dirs(file.parent)
        file.write_bytes(data)
        os.chmod(file, PUBLIC_FILE_MODE)
        self.files, self.bytes = self.files + 1, self.bytes + len(data)

    def _local(self, path: str) -> bytes | None:
        for file in (self.staging / path, self.target / path):
            if file.is_file():
                return file.read_bytes()
        return None

    def _local_tile(self, level: int, index: int, width: int) -> bytes | None:
        return self._local(TileName(level, index, width).path)

    def _commit(self, new: Checkpoint, old: Checkpoint, note: bytes, old_note: bytes | None, trust: bytes) -> None:
        """Staged files into place, flushed, then the trust file and, last, the checkpoint."""
        for file in sorted(p for p in self.staging.rglob("*") if p.is_file()):
            final = self.target / file.relative_to(self.staging)
            make_public_dirs(final.parent)
            os.replace(file, final)
        os.sync()  # every tile durable before a checkpoint names it
        if self._local("trust.txt") != trust:
            write_atomically(self.target / "trust.txt", trust)
            self.files, self.bytes = self.files + 1, self.bytes + len(trust)
        if note != old_note:
            write_atomically(self.target / "checkpoint", note)
            self.files, self.bytes = self.files + 1, self.bytes + len(note)
        self._prune(old.size, new.size)

    def _prune(self, old_size: int, new_size: int) -> None:
        state = self.target / STATE
        previous = json.loads(state.read_text()).get("previous") if state.is_file() else None
        if previous is not None and previous not in (old_size, new_size):
            keep = set(partial_tiles(old_size)) | set(partial_tiles(new_size))
            for path in set(partial_tiles(previous)) - keep:
                (self.target / path).unlink(missing_ok=True)
        if old_size != new_size:
            write_atomically(state, json.dumps({"previous": old_size}).encode())


def partial_tiles(size: int) -> Iterator[str]:
    """The partial tiles and bundle a tree of `size` is published with (at most one a level)."""
    if size % TILE_WIDTH:
        yield TileName(None, size // TILE_WIDTH, size % TILE_WIDTH).path
    level, nodes = 0, size
    while nodes:
        if nodes % TILE_WIDTH:
            yield TileName(level, nodes // TILE_WIDTH, nodes % TILE_WIDTH).path
        level, nodes = level + 1, nodes // TILE_WIDTH


def _verified_checkpoint(data: bytes, trust: Trust, code: str, what: str) -> Checkpoint:
    try:
        checkpoint, _, _ = read_signed_checkpoint(_Bytes(data), "checkpoint", trust.log_key, trust.witness_keys,
                                                  trust.quorum)
    except VerificationError as error:
        raise MirrorError(code, f"{what}: {error.message}") from None
    return checkpoint


class _Bytes(Source):
    """The checkpoint as read once (a live log may publish a new one between two reads)."""

    def __init__(self, data: bytes) -> None:
        super().__init__("")
        self.data = data

    def read(self, path: str) -> bytes | None:
        return self.data


def _by_level(names: Iterator[TileName]) -> list[list[TileName]]:
    """Level 0 and its bundles first (bundles after their tiles), then each level above: a tile is verified
    against the level below it, already in place."""
    levels: dict[int, list[TileName]] = {}
    for name in names:
        levels.setdefault(0 if name.level is None else name.level, []).append(name)
    return [sorted(levels[level], key=lambda n: (n.index, n.level is None)) for level in sorted(levels)]


def _root(tile: bytes | None) -> bytes | None:
    if tile is None or len(tile) != TILE_WIDTH * HASH_SIZE:
        return None
    return root_of_nodes([tile[i : i + HASH_SIZE] for i in range(0, len(tile), HASH_SIZE)])


class _locked:
    """One mirror run at a time per directory."""

    def __init__(self, target: Path) -> None:
        self.path = target / LOCK

    def __enter__(self):
        self.handle = open(self.path, "a")  # held for the run
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.close()
            raise MirrorError("mirror.busy", f"another mirror run holds {self.path}") from None
        return self

    def __exit__(self, *exc) -> None:
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()
