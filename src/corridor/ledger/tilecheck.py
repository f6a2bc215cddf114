"""Tiles on disk checked against the tree a trusted store holds, and rewritten from it when they differ.

A tile is a cache of the database: level-0 tiles hold leaf hashes, level-L tiles the roots of full
level-(L-1) tiles, bundles the entries. A file corrupted on disk would be served as `immutable` and
yield proofs that fail, so the service checks each tile before serving it, `corridor worker` checks those
a crash could have left half-written when it starts, and `corridor log check [--repair]` checks them all
offline. Checking one tile hashes
at most 256 hashes once its lower level is known; roots of full tiles and files already found good (by
path, modification time and size) are remembered, so a request costs a `stat` in the common case.
"""

from __future__ import annotations

import logging
import os
import re
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .tiles import TILE_WIDTH, bundle_path, encode_bundle, root_of_nodes, tile_path, write_atomically

log = logging.getLogger("corridor.tiles")
_TILE_FILE = re.compile(r"tile/(entries|\d+)/((?:x\d{3}/)*\d{3})(?:\.p/(\d{1,3}))?")
Ranges = Callable[[int, int], list[bytes]]  # items [start, end) of the store, fewer if it holds fewer


@dataclass(frozen=True)
class TileName:
    level: int | None  # None: an entry bundle
    index: int
    width: int

    @property
    def path(self) -> str:
        if self.level is None:
            return bundle_path(self.index, self.width)
        return tile_path(self.level, self.index, self.width)


def parse_tile_path(path: str) -> TileName | None:
    match = _TILE_FILE.fullmatch(path)
    if match is None:
        return None
    kind, index, width = match.groups()
    width = int(width) if width else TILE_WIDTH
    if not 0 < width <= TILE_WIDTH:
        return None
    name = TileName(None if kind == "entries" else int(kind), int(index.replace("x", "").replace("/", "")), width)
    return name if name.path == path else None  # one spelling per tile (no leading zeros elsewhere)


class ExpectedTiles:
    """What each tile must hold, from the store's leaf hashes and entries."""

    def __init__(self, leaves: Ranges, entries: Ranges, leaf_budget: int | None = None) -> None:
        self.leaves, self.entries = leaves, entries
        # at most this many leaf hashes read for one tile (None: no limit, for offline checks): an upper
        # tile's first check would otherwise read every leaf under it, which grows with the log
        self.leaf_budget = leaf_budget
        self._roots: dict[tuple[int, int], bytes] = {}  # (level, index) -> root of that full tile

    def content(self, name: TileName) -> bytes | None:
        """The tile's bytes, or None if the store does not hold that far."""
        start = name.index * TILE_WIDTH
        if name.level is None:
            items = self.entries(start, start + name.width)
            return encode_bundle(items) if len(items) == name.width else None
        hashes = self._nodes(name.level, start, name.width)
        if hashes is None:
            return None
        if name.width == TILE_WIDTH:  # keep its root: the tile above it is then checked without reading below
            self._roots.setdefault((name.level, name.index), root_of_nodes(hashes))
        return b"".join(hashes)

    def _nodes(self, level: int, start: int, count: int) -> list[bytes] | None:
        """Hashes of the nodes a level-`level` tile holds: [start, start + count) at height 8 * level."""
        if level == 0:
            hashes = self.leaves(start, start + count)
            return hashes if len(hashes) == count else None
        missing = [i for i in range(start, start + count) if (level - 1, i) not in self._roots]
        if missing:
            low, high = missing[0], missing[-1] + 1
            if self.leaf_budget is not None and (high - low) * TILE_WIDTH**level > self.leaf_budget:
                raise OverBudget(f"level {level} nodes {low}..{high} need more than {self.leaf_budget} leaves")
            below = self._nodes(level - 1, low * TILE_WIDTH, (high - low) * TILE_WIDTH)
            if below is None:
                return None
            for i in range(low, high):
                offset = (i - low) * TILE_WIDTH
                self._roots[(level - 1, i)] = root_of_nodes(below[offset : offset + TILE_WIDTH])
        return [self._roots[(level - 1, i)] for i in range(start, start + count)]


GOOD, REPAIRED, BAD = "good", "repaired", "bad"
UNCHECKED = "unchecked"  # over the budget of one check: served as it is (`corridor log check` covers it)


class OverBudget(Exception):
    """Checking this tile now would read more of the log than one request may."""


class TileChecker:
    def __init__(self, root: Path, expected: ExpectedTiles, remember: int = 100_000) -> None:
        self.root, self.expected, self.remember = Path(root), expected, remember
        self._good: OrderedDict[str, tuple[int, int]] = OrderedDict()  # path -> (mtime_ns, size)

    def check(self, path: str, repair: bool = True) -> str:
        """GOOD, REPAIRED (rewritten from the store) or BAD (wrong and not repaired, missing, or no tile
        of this log)."""
        name, file = parse_tile_path(path), self.root / path
        stamp = _stamp(file)
        if stamp is None:
            return BAD  # missing: nothing to serve; the writer writes every tile a checkpoint needs
        if self._good.get(path) == stamp:
            self._good.move_to_end(path)
            return GOOD
        try:
            expected = self.expected.content(name) if name is not None else None
        except OverBudget:
            return UNCHECKED
        if expected is not None and file.read_bytes() == expected:
            self._remember(path, file)
            return GOOD
        if not repair or expected is None:
            return BAD
        log.warning("tile %s does not match the log's database: rewritten from it", path)
        write_atomically(file, expected)
        self._remember(path, file)
        return REPAIRED

    def check_all(self, size: int, repair: bool = False) -> Iterator[tuple[str, str]]:
        """Every tile a tree of `size` needs, and every tile file present, lower levels first (their
        roots are what the upper levels hold). With `repair`, a missing tile is written and a file that
        is no tile of this log (beyond its entries) is removed."""
        needed = {name.path for name in needed_tiles(size)}
        for path in sorted(needed | set(self.present()), key=_level_order):
            status = self.check(path, repair)
            if status == BAD and repair:
                status = self._restore(path) if path in needed else self._remove(path)
            yield path, status

    def check_edge(self, size: int, repair: bool = False) -> Iterator[tuple[str, str]]:
        """The tiles a crash could have left half-written: the last two of each level and of the entry
        bundles (the last full one and the partial one). Its cost does not grow with the entries' size, so
        a restart at any size does it at once; every other tile is checked before it is served."""
        names = list(needed_tiles(size))
        last = {}
        for name in names:
            last[name.level] = max(last.get(name.level, 0), name.index)
        for name in names:
            if name.index >= last[name.level] - 1:
                status = self.check(name.path, repair)
                if status == BAD and repair:
                    status = self._restore(name.path)
                yield name.path, status

    def _restore(self, path: str) -> str:
        expected = self.expected.content(parse_tile_path(path))
        if expected is None:
            return BAD
        write_atomically(self.root / path, expected)
        log.warning("tile %s was missing: written from the log's database", path)
        return REPAIRED

    def _remove(self, path: str) -> str:
        (self.root / path).unlink(missing_ok=True)
        log.warning("%s is no tile of this log: removed", path)
        return REPAIRED

    def present(self) -> list[str]:
        tiles = self.root / "tile"
        if not tiles.is_dir():
            return []
        return [str(p.relative_to(self.root)) for p in tiles.rglob("*") if p.is_file() and not p.name.startswith(".")]

    def _remember(self, path: str, file: Path) -> None:
        self._good[path] = _stamp(file)
        self._good.move_to_end(path)
        while len(self._good) > self.remember:
            self._good.popitem(last=False)


def needed_tiles(size: int) -> Iterator[TileName]:
    """The tiles and bundles a tree of `size` entries is published as (C2SP tlog-tiles)."""
    for index in range((size + TILE_WIDTH - 1) // TILE_WIDTH):
        yield TileName(None, index, min(TILE_WIDTH, size - index * TILE_WIDTH))
    level, nodes = 0, size
    while nodes:
        for index in range((nodes + TILE_WIDTH - 1) // TILE_WIDTH):
            yield TileName(level, index, min(TILE_WIDTH, nodes - index * TILE_WIDTH))
        level, nodes = level + 1, nodes // TILE_WIDTH


def _stamp(file: Path) -> tuple[int, int] | None:
    try:
        status = os.stat(file)
    except FileNotFoundError:
        return None
    return status.st_mtime_ns, status.st_size


def _level_order(path: str) -> tuple[int, str]:
    name = parse_tile_path(path)
    return (-1 if name is None else (name.level if name.level is not None else 0)), path
