"""Proofs served from tiles: subtree hashes read from the tile files, a few tiles per proof.

A complete subtree of height h sits inside one tile of level h // 8 (tiles hold the nodes of height
8 * level); hashing the 2**(h % 8) nodes it spans gives its root. So an inclusion or consistency proof
over a log of any size reads O(log n) tiles, and a small cache makes repeated proofs cheap.
"""

from __future__ import annotations

from functools import lru_cache

from .merkle import EMPTY_ROOT, ProofError, inclusion_proof, node_hash, split_point
from .tiles import tile_path
from .verify import Source, VerificationError

TILE_WIDTH = 256
TILE_HEIGHT = 8


class TileHashes:
    def __init__(self, source: Source, size: int, cache_tiles: int = 4096) -> None:
        self.source, self.size = source, size
        self._tile_tree = lru_cache(maxsize=cache_tiles)(self._build_tile_tree)
        # subtrees along the ragged right edge are not aligned, so every proof recomputes them: cache them
        self._edge_hash = lru_cache(maxsize=1024)(self._combine)

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
        tree = self._tile_tree(level, tile_index, self._width(level, tile_index))
        return tree[within][offset >> within]

    def root(self) -> bytes:
        return EMPTY_ROOT if self.size == 0 else self.range_hash(0, self.size)

    def inclusion(self, index: int) -> list[bytes]:
        return inclusion_proof(index, self.size, self.range_hash)

    def _width(self, level: int, tile_index: int) -> int:
        nodes = self.size >> (TILE_HEIGHT * level)
        return min(TILE_WIDTH, nodes - tile_index * TILE_WIDTH)

    @staticmethod
    def bundle_path(index: int, width: int) -> str:
        return tile_path("entries", index, width)

    def _build_tile_tree(self, level: int, index: int, width: int) -> list[list[bytes]]:
        """The tile's hashes and every complete subtree above them inside the tile (8 rows at most),
        computed once per cached tile so a warm proof does no hashing at all."""
        path = tile_path(level, index, width)
        data = self.source.read(path)
        if data is None or len(data) != width * 32:
            raise VerificationError(path, "missing or of the wrong length")
        rows = [[data[i : i + 32] for i in range(0, len(data), 32)]]
        while len(rows[-1]) >= 2 and len(rows) <= TILE_HEIGHT:
            below = rows[-1]
            rows.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])
        return rows
