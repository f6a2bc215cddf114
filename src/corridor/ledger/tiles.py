"""C2SP tlog-tiles: paths, the tile writer and crash-safe file writes.

A level-L tile N holds the hashes of the tree nodes at height 8L with indices [256N, 256N + W); an entry
bundle N holds entries [256N, 256N + W), each prefixed by its length as two big-endian bytes. W < 256
marks a partial tile, written at path ".../N.p/W"; full tiles have no ".p" suffix.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from .checkpoint import Checkpoint
from .merkle import EMPTY_ROOT, node_hash
from .note import Signer, sign_note

TILE_WIDTH = 256
TILE_HEIGHT = 8
MAX_ENTRY_SIZE = 0xFFFF


def tile_index_path(index: int) -> str:
    """1234067 -> 'x001/x234/067': three-digit groups, all but the last prefixed with 'x'."""
    digits = str(index)
    digits = "0" * (-len(digits) % 3) + digits
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return "/".join([*("x" + g for g in groups[:-1]), groups[-1]])


def tile_path(level: int | str, index: int, width: int = TILE_WIDTH) -> str:
    suffix = "" if width == TILE_WIDTH else f".p/{width}"
    return f"tile/{level}/{tile_index_path(index)}{suffix}"


def bundle_path(index: int, width: int = TILE_WIDTH) -> str:
    return tile_path("entries", index, width)


def encode_bundle(entries: list[bytes]) -> bytes:
    return b"".join(len(entry).to_bytes(2, "big") + entry for entry in entries)


# The log is public: a static server or mirror running as another user reads its files, whatever the
# umask of the process that wrote them. (Secrets are written elsewhere, 0600.)
PUBLIC_FILE_MODE = 0o644
PUBLIC_DIR_MODE = 0o755


def make_public_dirs(directory: Path) -> None:
    """Create `directory` and any missing parents, each world-readable (0755) whatever the umask."""
    missing = []
    while not directory.exists():
        missing.append(directory)
        directory = directory.parent
    for created in reversed(missing):
        created.mkdir(exist_ok=True)
        os.chmod(created, PUBLIC_DIR_MODE)


def write_atomically(path: Path, data: bytes, durable: bool = True, mode: int = PUBLIC_FILE_MODE) -> None:
    """Temp file, fsync, rename, fsync the directory: readers see the old file or the new, never half.
    The file gets `mode` exactly (public by default). `durable=False` skips the fsyncs (bulk-building a
    throwaway log for a benchmark, or right-edge files rebuilt from a database on every start)."""
    make_public_dirs(path.parent)
    if not durable:
        temp = path.with_name(f".{path.name}.tmp")
        temp.write_bytes(data)
        os.chmod(temp, mode)
        os.replace(temp, path)
        return
    with atomic_file(path, mode) as out:
        out.write(data)


@contextmanager
def atomic_file(path: Path, mode: int) -> Iterator[BinaryIO]:
    """A file at `path` written whole or not at all: into a temporary file beside it (`mode` exactly), then
    fsync, rename, fsync the directory, so readers see the old file or the new; if the block raises, the
    temporary file is removed and `path` is untouched."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(handle, mode)
        with os.fdopen(handle, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def root_from_subtrees(subtrees: list[tuple[int, bytes]]) -> bytes:
    """The root of a tree given its maximal complete subtrees, left to right, as (height, hash)."""
    if not subtrees:
        return EMPTY_ROOT
    root = subtrees[-1][1]
    for _, left in reversed(subtrees[:-1]):
        root = node_hash(left, root)
    return root


def subtrees_of(hashes: list[bytes], height: int) -> list[tuple[int, bytes]]:
    """Maximal complete subtrees over consecutive nodes of one height (fewer than 256 of them)."""
    subtrees: list[tuple[int, bytes]] = []
    start = 0
    remaining = len(hashes)
    while remaining:
        span = 1 << (remaining.bit_length() - 1)
        subtrees.append((height + span.bit_length() - 1, root_of_nodes(hashes[start : start + span])))
        start, remaining = start + span, remaining - span
    return subtrees


def root_of_nodes(nodes: list[bytes]) -> bytes:
    """Root over a power-of-two run of nodes that are already hashes (not leaves)."""
    while len(nodes) > 1:
        nodes = [node_hash(nodes[i], nodes[i + 1]) for i in range(0, len(nodes), 2)]
    return nodes[0]


def edge_shape(size: int) -> list[int]:
    """How many hashes the right edge of a tree of `size` leaves holds at each tile level: the nodes of
    height 8L beyond the last full level-L tile, for L up to the first level with no full tile."""
    shape = []
    while True:
        shape.append(size % TILE_WIDTH)
        if size < TILE_WIDTH:
            return shape
        size //= TILE_WIDTH


def edge_root(edge: list[list[bytes]]) -> bytes:
    """The tree's root from its right edge: the maximal complete subtrees, highest level first."""
    subtrees: list[tuple[int, bytes]] = []
    for level in reversed(range(len(edge))):
        subtrees += subtrees_of(edge[level], level * TILE_HEIGHT)
    return root_from_subtrees(subtrees)


class RightEdge:
    """The right edge of a tree grown one leaf hash at a time: O(log n) memory at any size (recomputing
    a tree from a stream of leaf hashes, as an audit does, without holding them)."""

    def __init__(self) -> None:
        self.size = 0
        self.edge: list[list[bytes]] = [[]]

    def push(self, hashed: bytes) -> None:
        self.size += 1
        level = 0
        while True:
            if len(self.edge) == level:
                self.edge.append([])
            self.edge[level].append(hashed)
            if len(self.edge[level]) < TILE_WIDTH:
                return
            hashed, self.edge[level] = root_of_nodes(self.edge[level]), []
            level += 1

    def root(self) -> bytes:
        return edge_root(self.edge)


class TileWriter:
    """Appends entries to a tiled log directory and signs checkpoints.

    Only the right edge is kept in memory: per level, the hashes of the current incomplete tile, and the
    entries of the current incomplete bundle. Full tiles are written once and never again.
    """

    def __init__(
        self, root: Path, origin: str, signer: Signer, durable: bool = True, durable_partials: bool = True,
    ) -> None:
        """`durable_partials=False` writes right-edge partial files atomically but without fsync: for an
        owner (LogStore) that rebuilds them from its database on every start."""
        self.root, self.origin, self.signer, self.durable = Path(root), origin, signer, durable
        make_public_dirs(self.root)
        self.durable_partials = durable and durable_partials
        self.size = 0
        self.edge: list[list[bytes]] = [[]]
        self.bundle: list[bytes] = []

    def append(self, entries: list[bytes], leaf_hashes: list[bytes]) -> int:
        """Write the entries and their leaf hashes into tiles; returns the new tree size."""
        dirty = set()
        for entry, hashed in zip(entries, leaf_hashes, strict=True):
            if len(entry) > MAX_ENTRY_SIZE:
                raise ValueError(f"entry of {len(entry)} bytes exceeds {MAX_ENTRY_SIZE}")
            self._add_entry(entry)
            dirty |= self._add_hash(0, hashed)
        self._write_partials(dirty)
        return self.size

    def restore(self, size: int, edge: list[list[bytes]], last_entries: list[bytes]) -> None:
        """Take up a log already written up to `size` from its right edge (`edge_shape(size)` hashes per
        level, see `RightEdge`) and the entries of its partial bundle, without writing full tiles again;
        then rewrite the right-edge partial files (a crash may have left them older)."""
        if [len(level) for level in edge] != edge_shape(size) or len(last_entries) != size % TILE_WIDTH:
            raise ValueError(f"a right edge of shape {[len(level) for level in edge]} is not that of size {size}")
        self.size, self.edge, self.bundle = size, [list(level) for level in edge], list(last_entries)
        self._write_partials(set(range(len(self.edge))))

    def checkpoint(self) -> Checkpoint:
        return Checkpoint(self.origin, self.size, self.root_hash())

    def root_hash(self) -> bytes:
        return edge_root(self.edge)

    def publish_checkpoint(self) -> str:
        note = sign_note(self.checkpoint().body(), [self.signer])
        write_atomically(self.root / "checkpoint", note.encode())
        return note

    def _add_entry(self, entry: bytes) -> None:
        self.bundle.append(entry)
        self.size += 1
        if len(self.bundle) == TILE_WIDTH:
            self._write(bundle_path((self.size - 1) // TILE_WIDTH), encode_bundle(self.bundle))
            self.bundle = []

    def _add_hash(self, level: int, hashed: bytes) -> set[int]:
        """Add a node hash at `level`; when its tile fills, write it and carry its root one level up."""
        if len(self.edge) == level:
            self.edge.append([])
        tile = self.edge[level]
        tile.append(hashed)
        if len(tile) < TILE_WIDTH:
            return {level}
        index = self._completed_tiles(level) - 1
        self._write(tile_path(level, index), b"".join(tile))
        self.edge[level] = []
        return self._add_hash(level + 1, root_of_nodes(tile))

    def _write(self, path: str, data: bytes, partial: bool = False) -> None:
        write_atomically(self.root / path, data, self.durable_partials if partial else self.durable)

    def _completed_tiles(self, level: int) -> int:
        return self.size // (TILE_WIDTH ** (level + 1))

    def _write_partials(self, levels: set[int]) -> None:
        if self.bundle:
            index = self.size // TILE_WIDTH
            self._write(bundle_path(index, len(self.bundle)), encode_bundle(self.bundle), partial=True)
        for level in sorted(levels):
            tile = self.edge[level]
            if tile:
                index = self._completed_tiles(level)
                self._write(tile_path(level, index, len(tile)), b"".join(tile), partial=True)

