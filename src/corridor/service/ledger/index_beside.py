"""The rebuild's statement index (`log_statement`), built beside the fold by a forked process on SQLite.

Why: building, converting and inserting a million index rows took a third of the ordered fold's core (~15 of
45 s at 1M) while the second core idled. Almost every column comes from the entry itself; what comes from the
fold is small: facts about keys (a signer's kind and member, a revoked key's party, a relayed statement's
member; a key's party, kind, custody and member never change once it is registered) and each offline.relay's
outcome (which the fold forgets 72 hours later). So every STRIDE entries the fold sends the child how far it
has got, the keys registered since and the outcomes of the relays it applied; the child reads those entries
from the log itself, builds their rows with `projection.index_row` (what recording uses), converts them as the
bulk writer does and inserts them into a scratch SQLite file holding the same table and indexes, made from the
database's own SQL. Once the fold is done, `finish` waits for the child and copies the table into the
rebuild's transaction with one `INSERT … SELECT *`: into an empty table of the same schema SQLite copies the
records and index entries as they are (its transfer optimisation) rather than inserting row by row.

The child is forked before the rebuild's transaction and before the parent reads the log: forked later, every
page of the entries and of the growing fold would be shared copy-on-write, and each first write to one (a
reference count) a fault and a copy (~8 s of system time at 1M). It reads the entries through its own
read-only connection: the rebuild holds the writer lock throughout, and the log is append-only, so it reads
what the fold folds. It checks that the indexes it reads run from 0 without a gap, as the fold's do.

Failure: the scratch file is only ever read by the rebuild's one transaction, so a refusal or a crash leaves
the database as it was; the file is removed on the way out (one a killed rebuild left next to the database,
corridor-rebuild-*.sqlite3, is only that: safe to delete). PostgreSQL keeps writing the rows from the fold
(`IndexInFold`): no cheap copy from a file there.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sqlite3
import tempfile
import time
import traceback
from contextlib import contextmanager, suppress
from itertools import islice
from pathlib import Path

import msgspec
from django.db import connection

from ...fold import Folded, LogFold
from ...ledger.keys import KeyRecord
from ...ledger.merkle import MemoryTree, leaf_hash
from .bulk import BulkWriter, prepare_values
from .models import LogEntry, StatementIndex
from .projection import INDEX_COLUMNS, index_row, relay_outcome, statement_row

STRIDE = 10_000  # entries a message to the child covers: the child builds the last stride after the fold ends
TABLE = StatementIndex._meta.db_table
ATTACHED = "rebuild_index"


@contextmanager
def index_beside():
    """An `IndexBeside` with its child started, or None where the index cannot be built beside the fold: on
    PostgreSQL, without fork, with an in-memory database, or inside a caller's transaction. Entered outside the
    rebuild's transaction: SQLite detaches an attached file only outside every transaction, and begins ours
    IMMEDIATE, which takes every attached file in (a caller's enclosing transaction would keep it attached).
    The child stopped, the file detached and removed on the way out, whatever happened."""
    if connection.vendor != "sqlite" or "fork" not in multiprocessing.get_all_start_methods() \
            or connection.is_in_memory_db() or connection.in_atomic_block:
        yield None
        return
    database = Path(connection.settings_dict["NAME"])
    handle, name = tempfile.mkstemp(prefix="corridor-rebuild-", suffix=".sqlite3", dir=database.parent)
    os.close(handle)
    index = None
    try:
        index = IndexBeside(database, Path(name))
        yield index
    finally:
        if index is not None:
            index.stop()
        _detach()
        Path(name).unlink(missing_ok=True)


def statement_index(writer: BulkWriter, beside: IndexBeside | None) -> IndexBeside | IndexInFold:
    """What the fold hands each entry to (`add`) and `finish`es once it is done: after `finish` the rows are
    in `log_statement`, within the current transaction."""
    return beside or IndexInFold(writer)


class IndexInFold:
    """The rows built and written by the fold's own process, a batch at a time."""

    BATCH = 100_000

    def __init__(self, writer: BulkWriter) -> None:
        self.writer, self.rows = writer, []

    def add(self, folded: Folded, fold: LogFold) -> None:
        self.rows.append(statement_row(folded, fold))
        if len(self.rows) == self.BATCH:
            self.finish(fold)

    def finish(self, fold: LogFold, covered: int = 0, progress=None) -> None:
        """The last rows; no root (the caller computes it)."""
        self.writer.insert_values(StatementIndex, INDEX_COLUMNS, self.rows)
        self.rows = []


class IndexBeside:
    """The rows built by a forked child from the log and the fold's facts sent along."""

    def __init__(self, database: Path, path: Path) -> None:
        self.path, self.sent, self.keys_sent, self.outcomes = path, 0, 0, {}
        context = multiprocessing.get_context("fork")
        self.pipe, child_end = context.Pipe()
        self.child = context.Process(target=_child, args=(str(database), str(path), _schema(), child_end, self.pipe),
                                     daemon=True)
        self.child.start()
        child_end.close()

    def add(self, folded: Folded, fold: LogFold) -> None:
        if folded.relayed is not None:  # an offline.relay: its outcome now, before the fold forgets it
            self.outcomes[folded.index] = relay_outcome(folded.envelope.statement, fold)
        if fold.size - self.sent >= STRIDE:
            self._send(fold)

    def finish(self, fold: LogFold, covered: int, progress=lambda message: None) -> bytes:
        """Wait for the child's rows and copy them in (one INSERT … SELECT, in the rebuild's transaction); the
        root of the first `covered` entries as the child read them, for the caller to check."""
        self._send(fold, last=True, covered=covered)
        try:
            failure, root, seconds = self.pipe.recv()
        except (EOFError, OSError):  # it died without a word
            self.child.join()
            failure = f"the process building it ended (exit code {self.child.exitcode})"
        if failure:
            raise RuntimeError(f"building the statement index beside the fold failed: {failure}")
        progress(f"the statement index built beside the fold ({seconds:.1f} s of CPU); copying it in")
        with connection.cursor() as cursor:
            cursor.execute(f"ATTACH DATABASE %s AS {ATTACHED}", [str(self.path)])
            cursor.execute(f'INSERT INTO main."{TABLE}" SELECT * FROM {ATTACHED}."{TABLE}"')
        return root

    def stop(self) -> None:
        self.pipe.close()
        if self.child.is_alive():  # the fold refused or failed: nothing of the child's is wanted
            self.child.kill()
        self.child.join()

    def _send(self, fold: LogFold, last: bool = False, covered: int = 0) -> None:
        """How far the fold got, the keys registered since the last message (the history only grows, in
        order) and the relays' outcomes since; with the last, how many entries the root is asked over."""
        keys = list(islice(fold.keys.keys.values(), self.keys_sent, None))
        with suppress(OSError):  # the child is gone: `finish` says so
            self.pipe.send((fold.size, keys, self.outcomes, last, covered))
        self.sent, self.keys_sent, self.outcomes = fold.size, self.keys_sent + len(keys), {}


def _detach() -> None:
    if connection.connection is None:
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA database_list")
        if any(name == ATTACHED for _, name, _ in cursor.fetchall()):
            cursor.execute(f"DETACH DATABASE {ATTACHED}")


def _schema() -> list[str]:
    """The table's CREATE statement, then its indexes', as the database has them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL "
                       "ORDER BY type = 'index', name", [TABLE])
        return [sql for (sql,) in cursor.fetchall()]


def _child(database: str, path: str, schema: list[str], pipe, parent_end) -> None:
    """In the forked child: build the rows as the fold's messages allow; then send what went wrong (None), the
    root asked for and the CPU seconds it took."""
    parent_end.close()  # so that the parent's death, even killed, ends the wait for its next message (EOFError)
    gc.disable()  # no cycles here; the collector's passes would only walk (and copy) the inherited heap
    root = failure = None
    try:
        root = _build(database, path, schema, pipe)
    except BaseException:  # told to the parent, which refuses the rebuild
        failure = traceback.format_exc(limit=-3)
    with suppress(OSError):
        pipe.send((failure, root, time.process_time()))


def _build(database: str, path: str, schema: list[str], pipe) -> bytes:
    """The rows into the scratch file; the root over the first entries (as many as the last message asks),
    from the leaves hashed as the entries were read: the rebuild checks it against the signed checkpoint."""
    log, tree = sqlite3.connect(Path(database).resolve().as_uri() + "?mode=ro", uri=True), MemoryTree()
    scratch = sqlite3.connect(path, isolation_level=None)
    scratch.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; BEGIN")  # scratch: no recovery
    for sql in schema:  # the indexes too: filled as the rows go in, while the fold still runs
        scratch.execute(sql)
    keys, done, last = KeysSent(), 0, False
    while not last:
        upto, new_keys, outcomes, last, covered = pipe.recv()
        keys.add(new_keys)
        entries = log.execute(f"SELECT idx, data FROM {LogEntry._meta.db_table} WHERE idx >= ? AND idx < ? "
                              "ORDER BY idx", (done, upto)).fetchall()
        if len(entries) != upto - done:  # idx is unique: as many as asked for means exactly done … upto - 1
            raise RuntimeError(f"the log's entries {done:,} to {upto - 1:,} are not numbered as the fold's")
        for _, data in entries:
            tree.append_hash(leaf_hash(data))
        rows = (index_row(index, msgspec.json.decode(data)["statement"], keys, outcomes.get(index))
                for index, data in entries)
        prepared = prepare_values(StatementIndex, INDEX_COLUMNS, rows)
        if prepared:
            scratch.executemany(prepared[1].replace("%s", "?"), prepared[2])
        done = upto
    scratch.execute("COMMIT")
    scratch.close()
    return tree.root(covered)


class KeysSent:
    """The fold's keys as far as it has sent them: `index_row`'s `keys`."""

    def __init__(self) -> None:
        self.keys: dict[str, KeyRecord] = {}

    def add(self, records: list[KeyRecord]) -> None:
        self.keys.update((record.key, record) for record in records)

    def key_of(self, key: str) -> KeyRecord | None:
        return self.keys.get(key)
