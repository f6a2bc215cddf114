"""The log's durable store (SQLite) and its integration into tiles and signed checkpoints.

Three steps, each crash-safe on its own:
1. append: entries get their index and are committed (WAL, synchronous=FULL) before anyone is told
   their index — an acknowledged entry is never lost.
2. integrate: entries beyond the integrated size are written into tiles, then the new tree size and root
   are committed in one transaction with the checkpoint signed for them — no checkpoint is ever out
   without the tree state it names being durable first.
3. publish: the signed checkpoint of the committed tree state is (cosigned and) written. Ed25519 is
   deterministic, so a checkpoint re-signed after a crash is the same bytes.
On open, the right edge of the integrated tree is rebuilt from the tiles (the last partial tile from the
database's entries, each higher level from the full tiles below it, which are fsync'd before the tree
state that covers them is committed) and its root compared with the stored root: a cost that does not
grow with the log. If the tiles do not give the stored root (a tile lost or damaged on disk), the tree is
recomputed from the database's leaf hashes, streamed, and the tiles rewritten from it; if that does not
give the stored root either, the log stops rather than sign a checkpoint inconsistent with an earlier one.

Nothing here holds the whole log in memory: proofs (inclusion, and consistency for witnesses) read
subtree hashes from the tiles, the right edge from memory. `audit()` and `check_tiles()` recompute
everything, on demand.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from .checkpoint import Checkpoint
from .cosigning import Cosigning, proofs_from
from .database import open_database
from .merkle import EMPTY_ROOT, HASH_SIZE, leaf_hash
from .note import Signer, sign_note
from .reader import TileHashes
from .tilecheck import GOOD, ExpectedTiles, TileChecker
from .tiles import (
    MAX_ENTRY_SIZE,
    TILE_WIDTH,
    RightEdge,
    TileWriter,
    edge_shape,
    root_of_nodes,
    tile_path,
    write_atomically,
)

log = logging.getLogger("corridor.log")
STREAM_CHUNK = 65536  # leaf hashes read per query when the whole tree is recomputed (audit, repair)


class LogCorrupt(RuntimeError):
    """The stored tree does not recompute: the log refuses to run rather than sign a fork."""


class LogStore:
    def __init__(self, database, tiles: Path, origin: str, signer: Signer, durable: bool = True,
                 repair_tiles: bool = True) -> None:
        """`database`: a SQLite file path, a postgresql:// URL, or an open database object with the
        interface of `database.SqliteDatabase` (the service passes its own connection). `durable=False`
        writes full tiles without fsync: only to bulk-build a throwaway log (benchmarks).
        `repair_tiles=False`: a start that finds tiles not giving the stored root leaves them as they are
        (for `corridor log check` without --repair, which reports them)."""
        if isinstance(database, str | Path):
            database = open_database(database, f"corridor-log:{origin}")
        self.db = database
        self.tiles, self.origin, self.signer = Path(tiles), origin, signer
        # partial tiles need no fsync: _recover rewrites the right edge from the database on every start
        self.writer = TileWriter(self.tiles, origin, signer, durable=durable, durable_partials=False)
        self._recover(repair_tiles)
        # proofs: full tiles from disk (a few, cached), the right edge from the writer's memory
        self.hashes = TileHashes(None, self.writer.size, cache_tiles=256, read_tile=self._tile_bytes)

    # -- 1. append ----------------------------------------------------------------------------------
    def append(self, entries: list[bytes]) -> int:
        """Durably sequence entries; returns the index of the first. Returns only after the commit."""
        for entry in entries:
            if len(entry) > MAX_ENTRY_SIZE:
                raise ValueError(f"entry of {len(entry)} bytes exceeds {MAX_ENTRY_SIZE}")
        with self._transaction():
            first = self.db.execute("SELECT COALESCE(MAX(idx) + 1, 0) FROM entries").fetchone()[0]
            self.db.executemany(
                "INSERT INTO entries (idx, data, leaf) VALUES (?, ?, ?)",
                [(first + n, entry, leaf_hash(entry)) for n, entry in enumerate(entries)],
            )
        return first

    def sequenced_size(self) -> int:
        return self.db.execute("SELECT COALESCE(MAX(idx) + 1, 0) FROM entries").fetchone()[0]

    # -- 2. integrate -------------------------------------------------------------------------------
    def integrate(self, limit: int = 256) -> int:
        """Write up to `limit` sequenced entries into tiles, then commit the new tree state together
        with its signed checkpoint (signed now, published by `publish`)."""
        start = self.writer.size
        rows = self.db.execute(
            "SELECT data, leaf FROM entries WHERE idx >= ? ORDER BY idx LIMIT ?", (start, limit)
        ).fetchall()
        if rows:
            self.writer.append([bytes(r[0]) for r in rows], [bytes(r[1]) for r in rows])
            self.hashes.advance(self.writer.size)
            size, root = self.writer.size, self.writer.root_hash()
            with self._transaction():
                self.db.execute(
                    "INSERT INTO tree (id, size, root) VALUES (1, ?, ?) "
                    "ON CONFLICT (id) DO UPDATE SET size = excluded.size, root = excluded.root",
                    (size, root),
                )
                self._record_checkpoint(size, root)
        return self.writer.size

    # -- 3. publish ---------------------------------------------------------------------------------
    def publish(self, cosigning: Cosigning | None = None) -> str:
        """Sign the checkpoint of the committed tree state (idempotent for a given size); with witnesses,
        write it only once a quorum cosigned (raises QuorumNotMet otherwise, leaving the old one up)."""
        size, root = self.tree_state()
        row = self.db.execute("SELECT note FROM checkpoints WHERE size = ?", (size,)).fetchone()
        if row is None:  # the empty log, or a store written before checkpoints were signed at integration
            with self._transaction():
                note = self._record_checkpoint(size, root)
        else:
            note = row[0]
        if cosigning is not None:
            note, _ = cosigning.cosign(note, size, proofs_from(self.hashes.range_hash))
        write_atomically(self.tiles / "checkpoint", note.encode())
        return note

    def _record_checkpoint(self, size: int, root: bytes) -> str:
        """Sign the checkpoint for a committed (or committing) tree state and keep it: every checkpoint the
        log ever signs is on record, so a restart can check them all against the entries."""
        note = sign_note(Checkpoint(self.origin, size, root).body(), [self.signer])
        self.db.execute(
            "INSERT INTO checkpoints (size, root, note) VALUES (?, ?, ?) ON CONFLICT (size) DO NOTHING",
            (size, root, note),
        )
        return note

    def inclusion(self, index: int, size: int | None = None) -> list[bytes]:
        return self.hashes.inclusion(index, size)

    def tree_state(self) -> tuple[int, bytes]:
        row = self.db.execute("SELECT size, root FROM tree WHERE id = 1").fetchone()
        return (0, EMPTY_ROOT) if row is None else (row[0], bytes(row[1]))

    def leaf_hashes_between(self, start: int, end: int) -> list[bytes]:
        """The stored leaf hashes [start, end) of the integrated tree (fewer if it holds fewer)."""
        end = min(end, self.writer.size)
        rows = self.db.execute("SELECT leaf FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx", (start, end))
        return [bytes(r[0]) for r in rows]

    def stream_leaf_hashes(self, size: int) -> Iterator[bytes]:
        """Every stored leaf hash below `size`, in order, a chunk at a time (memory does not grow with it)."""
        for start in range(0, size, STREAM_CHUNK):
            rows = self.db.execute("SELECT leaf FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx",
                                   (start, min(size, start + STREAM_CHUNK))).fetchall()
            yield from (bytes(r[0]) for r in rows)

    def entry(self, index: int) -> bytes | None:
        row = self.db.execute("SELECT data FROM entries WHERE idx = ?", (index,)).fetchone()
        return None if row is None else bytes(row[0])

    def signed_checkpoints(self) -> list[tuple[int, bytes, str]]:
        rows = self.db.execute("SELECT size, root, note FROM checkpoints ORDER BY size")
        return [(size, bytes(root), note) for size, root, note in rows]

    def tile_checker(self) -> TileChecker:
        """Checks tile files against this store: leaf hashes and entries from the database (see `tilecheck`)."""
        return TileChecker(self.tiles, ExpectedTiles(self.leaf_hashes_between, self.entries_between))

    def check_tiles(self, repair: bool = False) -> list[tuple[str, str]]:
        """Every tile of the integrated tree, and every tile file present: (path, good|repaired|bad)."""
        return list(self.tile_checker().check_all(self.writer.size, repair))

    def check_edge_tiles(self, repair: bool = False) -> list[tuple[str, str]]:
        """The last tiles of each level (what a crash could leave half-written): cheap at any size."""
        return list(self.tile_checker().check_edge(self.writer.size, repair))

    def entries_between(self, start: int, end: int) -> list[bytes]:
        rows = self.db.execute("SELECT data FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx", (start, end))
        return [bytes(r[0]) for r in rows]

    def close(self) -> None:
        self.db.close()

    def audit(self) -> int:
        """Recompute the whole tree from the stored leaf hashes (streamed) and check the stored root and
        every checkpoint ever signed against it; raises LogCorrupt. Returns the size checked. With
        `check_tiles`, the explicit full audit (`corridor log check`): O(n) time, O(log n) memory."""
        size, root = self.tree_state()
        signed = iter(self.db.execute("SELECT size, root FROM checkpoints WHERE size <= ? ORDER BY size",
                                      (size,)).fetchall())
        edge, due = RightEdge(), next(signed, None)
        while due is not None and due[0] == 0:
            due = self._check_signed(due, EMPTY_ROOT, signed)
        for hashed in self.stream_leaf_hashes(size):
            edge.push(hashed)
            while due is not None and due[0] == edge.size:
                due = self._check_signed(due, edge.root(), signed)
        if edge.size != size or edge.root() != root:
            raise LogCorrupt(f"stored tree of size {size} does not recompute from the stored entries")
        return size

    @staticmethod
    def _check_signed(due, root: bytes, rest):
        if bytes(due[1]) != root:
            raise LogCorrupt(f"the checkpoint signed at size {due[0]} does not recompute from the stored entries")
        return next(rest, None)

    def _recover(self, repair_tiles: bool) -> None:
        """Take up the tree state committed last: its right edge from the tiles and the last entries,
        checked against the stored root (see the module's docstring)."""
        size, root = self.tree_state()
        tail = self._tail_entries(size)
        edge = self._edge_from_tiles(size, [leaf_hash(entry) for entry in tail])
        repair = edge is None
        if edge is not None:
            self.writer.restore(size, edge, tail)
            repair = self.writer.root_hash() != root
        if repair:
            log.warning("the tiles do not give the stored root of size %d: recomputing it from the database", size)
            self.writer.restore(size, self._edge_from_database(size, root), tail)
            for path, status in self.check_tiles(repair=True) if repair_tiles else ():
                if status != GOOD:
                    log.warning("tile %s: %s", path, status)

    def _tail_entries(self, size: int) -> list[bytes]:
        """The entries of the last partial bundle, each checked against its stored leaf hash."""
        start = size - size % TILE_WIDTH
        rows = self.db.execute("SELECT data, leaf FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx",
                               (start, size)).fetchall()
        if len(rows) != size - start or any(leaf_hash(bytes(data)) != bytes(leaf) for data, leaf in rows):
            raise LogCorrupt(f"the entries {start}..{size - 1} do not match their stored leaf hashes")
        return [bytes(data) for data, _ in rows]

    def _edge_from_tiles(self, size: int, last_leaves: list[bytes]) -> list[list[bytes]] | None:
        """Level 0's edge is the last leaves; level L's edge holds the roots of the full level-(L-1) tiles
        after the last full level-L tile: at most 255 tiles read per level. None if one is missing."""
        edge, shape = [last_leaves], edge_shape(size)
        for level in range(1, len(shape)):
            first = (size >> (8 * level)) - shape[level]
            roots = []
            for index in range(first, first + shape[level]):
                path = self.tiles / tile_path(level - 1, index)
                data = path.read_bytes() if path.is_file() else b""
                if len(data) != TILE_WIDTH * HASH_SIZE:
                    return None
                roots.append(root_of_nodes([data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]))
            edge.append(roots)
        return edge

    def _edge_from_database(self, size: int, root: bytes) -> list[list[bytes]]:
        edge = RightEdge()
        for hashed in self.stream_leaf_hashes(size):
            edge.push(hashed)
        if edge.size != size or edge.root() != root:
            raise LogCorrupt(f"stored tree of size {size} does not recompute from the stored entries")
        return edge.edge

    def _tile_bytes(self, level: int, index: int, width: int) -> bytes | None:
        if width < TILE_WIDTH:  # the right edge: the writer holds it (its files are not fsync'd)
            return b"".join(self.writer.edge[level])
        path = self.tiles / tile_path(level, index)
        return path.read_bytes() if path.is_file() else None

    def _transaction(self):
        return self.db.transaction()
