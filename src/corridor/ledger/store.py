"""The log's durable store (SQLite) and its integration into tiles and signed checkpoints.

Three steps, each crash-safe on its own:
1. append: entries get their index and are committed (WAL, synchronous=FULL) before anyone is told
   their index — an acknowledged entry is never lost.
2. integrate: entries beyond the integrated size are written into tiles, then the new tree size and root
   are committed in one transaction with the checkpoint signed for them — no checkpoint is ever out
   without the tree state it names being durable first.
3. publish: the signed checkpoint of the committed tree state is (cosigned and) written. Ed25519 is
   deterministic, so a checkpoint re-signed after a crash is the same bytes.
On open, the integrated tree is recomputed from the stored entries and compared with the stored root;
a mismatch stops the log rather than let it sign a checkpoint inconsistent with an earlier one.
"""

from __future__ import annotations

from pathlib import Path

from .checkpoint import Checkpoint
from .cosigning import Cosigning, proofs_from
from .database import open_database
from .merkle import MemoryTree, inclusion_proof, leaf_hash, root_of
from .note import Signer, sign_note
from .tilecheck import ExpectedTiles, TileChecker
from .tiles import MAX_ENTRY_SIZE, TileWriter, write_atomically


class LogCorrupt(RuntimeError):
    """The stored tree does not recompute: the log refuses to run rather than sign a fork."""


class LogStore:
    def __init__(self, database, tiles: Path, origin: str, signer: Signer) -> None:
        """`database`: a SQLite file path, a postgresql:// URL, or an open database object with the
        interface of `database.SqliteDatabase` (the service passes its own connection)."""
        if isinstance(database, str | Path):
            database = open_database(database, f"corridor-log:{origin}")
        self.db = database
        self.tiles, self.origin, self.signer = Path(tiles), origin, signer
        # partial tiles need no fsync: _recover rewrites the right edge from the database on every start
        self.writer = TileWriter(self.tiles, origin, signer, durable_partials=False)
        self.tree = MemoryTree()  # every complete subtree hash, for proofs (2 hashes per entry in memory)
        self._recover()

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
            for row in rows:
                self.tree.append_hash(bytes(row[1]))
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
            note, _ = cosigning.cosign(note, size, proofs_from(self.tree.range_hash))
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
        return inclusion_proof(index, self.tree.size if size is None else size, self.tree.range_hash)

    def tree_state(self) -> tuple[int, bytes]:
        row = self.db.execute("SELECT size, root FROM tree WHERE id = 1").fetchone()
        return (0, root_of([])) if row is None else (row[0], bytes(row[1]))

    def leaf_hashes(self, size: int | None = None) -> list[bytes]:
        query = "SELECT leaf FROM entries ORDER BY idx" + ("" if size is None else " LIMIT ?")
        return [bytes(r[0]) for r in self.db.execute(query, () if size is None else (size,))]

    def entry(self, index: int) -> bytes | None:
        row = self.db.execute("SELECT data FROM entries WHERE idx = ?", (index,)).fetchone()
        return None if row is None else bytes(row[0])

    def signed_checkpoints(self) -> list[tuple[int, bytes, str]]:
        rows = self.db.execute("SELECT size, root, note FROM checkpoints ORDER BY size")
        return [(size, bytes(root), note) for size, root, note in rows]

    def tile_checker(self) -> TileChecker:
        """Checks tile files against this store: leaf hashes from the tree in memory, entries from the
        database (see `tilecheck`)."""
        return TileChecker(self.tiles, ExpectedTiles(lambda start, end: self.tree.levels[0][start:end],
                                                     self.entries_between))

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

    def _recover(self) -> None:
        """Rebuild the tile writer's right edge from the entries, check the stored root, rewrite tiles."""
        size, root = self.tree_state()
        hashes = self.leaf_hashes(size)
        if len(hashes) != size or root_of(hashes) != root:
            raise LogCorrupt(f"stored tree of size {size} does not recompute from the stored entries")
        tail_start = size - size % 256
        tail = self.db.execute("SELECT data FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx", (tail_start, size))
        self.writer.restore(hashes, [bytes(r[0]) for r in tail])
        for hashed in hashes:
            self.tree.append_hash(hashed)

    def _transaction(self):
        return self.db.transaction()
