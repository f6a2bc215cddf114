"""Proofs served from tiles: subtree hashes read from the tile files, a few tiles per proof.

A complete subtree of height h sits inside one tile of level h // 8 (tiles hold the nodes of height
8 * level); hashing the 2**(h % 8) nodes it spans gives its root. So an inclusion or consistency proof
over a log of any size reads O(log n) tiles, and a small cache makes repeated proofs cheap.

A reader is kept as the log grows (`advance`): a tile of a given width never changes (the log is
append-only), so every cached tile and edge hash stays valid for every later size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import lru_cache

from .merkle import EMPTY_ROOT, HASH_SIZE, ProofError, consistency_proof, inclusion_proof, node_hash, split_point
from .tiles import tile_path
from .verify import Source, VerificationError

TILE_WIDTH = 256
TILE_HEIGHT = 8

TileRead = Callable[[int, int, int], bytes | None]  # (level, index, width) -> the tile's bytes, or None


class TileHashes:
    def __init__(self, source: Source | None, size: int, cache_tiles: int = 1024,
                 read_tile: TileRead | None = None) -> None:
        """Tiles from `source` (a directory or URL), or from `read_tile` (a writer serving its own right
        edge from memory). A cached tile costs ~16 KB (its hashes and the subtrees above them)."""
        self.source, self.size = source, size
        self._read_tile = read_tile or self._read_from_source
        self._tile_tree = lru_cache(maxsize=cache_tiles)(self._build_tile_tree)
        # subtrees along the ragged right edge are not aligned, so every proof recomputes them: cache them
        self._edge_hash = lru_cache(maxsize=1024)(self._combine)

    def advance(self, size: int) -> None:
        """Serve proofs for a larger tree of the same log (the caches stay valid)."""
        if size < self.size:
            raise ProofError(f"a log does not shrink: size {size} after {self.size}")
        self.size = size

    def range_hash(self, start: int, end: int) -> bytes:
        span = end - start
        if span <= 0 or end > self.size:
            raise ProofError(f"no subtree [{start}, {end}) in a tree of size {self.size}")
        if span & (span - 1) == 0 and start % span == 0:
            return self.node(span.bit_length() - 1, start // span)
        return self._edge_hash(start, end)

    def _combine(self, start: int, end: int) -> bytes:
        k = split_point(end - start)
        return node_hash(self.range_hash(start, start + k), self.range_hash(start + k, end))

    def node(self, height: int, index: int) -> bytes:
        level, within = divmod(height, TILE_HEIGHT)
        tile_index, offset = divmod(index << within, TILE_WIDTH)
        rows = self._tile_tree(level, tile_index, self._width(level, tile_index))
        at = (offset >> within) * HASH_SIZE
        return rows[within][at : at + HASH_SIZE]

    def root(self) -> bytes:
        return EMPTY_ROOT if self.size == 0 else self.range_hash(0, self.size)

    def inclusion(self, index: int, size: int | None = None) -> list[bytes]:
        """The proof of `index` in the tree of `size` leaves (default: this reader's size, or any smaller)."""
        size = self.size if size is None else size
        if size > self.size:
            raise ProofError(f"no tree of size {size} yet: the log holds {self.size}")
        return inclusion_proof(index, size, self.range_hash)

    def consistency(self, old_size: int, new_size: int) -> list[bytes]:
        return consistency_proof(old_size, new_size, self.range_hash)

    def _width(self, level: int, tile_index: int) -> int:
        nodes = self.size >> (TILE_HEIGHT * level)
        return min(TILE_WIDTH, nodes - tile_index * TILE_WIDTH)

    @staticmethod
    def bundle_path(index: int, width: int) -> str:
        return tile_path("entries", index, width)

    def _read_from_source(self, level: int, index: int, width: int) -> bytes | None:
        return self.source.read(tile_path(level, index, width))

    def _build_tile_tree(self, level: int, index: int, width: int) -> list[bytes]:
        """The tile's hashes and every complete subtree above them inside the tile (8 rows at most), each
        row one bytes object, computed once per cached tile so a warm proof does no hashing at all."""
        data = self._read_tile(level, index, width)
        if data is None or len(data) != width * HASH_SIZE:
            raise VerificationError(tile_path(level, index, width), "missing or of the wrong length")
        rows, row = [data], data
        while len(row) >= 2 * HASH_SIZE and len(rows) <= TILE_HEIGHT:
            rows.append(row := _parents(row))
        return rows


_NODE = hashlib.sha256(b"\x01")  # RFC 6962's interior-node prefix, already absorbed


def _parents(row: bytes) -> bytes:
    """The row above `row` (hashes side by side; an odd last one has no parent inside the tile): merkle.node_hash
    inlined, each pair hashed as one 64-byte slice from a copy of the prefixed state. A cache miss hashes up to
    255 nodes, a proof's main cost at 10M; this way is ~2x faster than concatenating prefix, left and right
    (no per-node bytes objects but the digest)."""
    parents = []
    for at in range(0, len(row) - HASH_SIZE, 2 * HASH_SIZE):
        node = _NODE.copy()
        node.update(row[at : at + 2 * HASH_SIZE])
        parents.append(node.digest())
    return b"".join(parents)
