"""The rebuild's statement index (`log_statement`), built beside the fold by a forked process on SQLite.

Why: building, converting and inserting a million index rows took a third of the ordered fold's core (~15 of
45 s at 1M) while the second core idled. Almost every column comes from the entry itself; what comes from the
fold is small: facts about keys (a signer's kind and member, a revoked key's party, a relayed statement's
member; a key's party, kind, custody and member never change once it is registered) and each offline.relay's
outcome (which the fold forgets 72 hours later). So every STRIDE entries the fold sends the forked child how
far it has got, the keys registered since and the outcomes of the relays it applied; the child builds those
entries' rows with `projection.index_row` (what recording uses), converts them as the bulk writer does and
inserts them into a scratch SQLite file holding the same table and indexes, made from the database's own SQL.
Once the fold is done, `copy` waits for the child and copies the table into the rebuild's transaction with
one `INSERT … SELECT *`: into an empty table of the same schema SQLite copies the records and index entries
as they are (its transfer optimisation) rather than inserting row by row.

Failure: the scratch file is only ever read by the rebuild's one transaction, so a refusal or a crash leaves
the database as it was; the file is removed on the way out, and one a killed rebuild left next to the
database is replaced by the next. PostgreSQL keeps writing the rows from the fold (`IndexInFold`): there is
no cheap copy from a file there, and its writes cost the fold less.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sqlite3
import tempfile
import traceback
from contextlib import contextmanager, suppress
from itertools import islice
from pathlib import Path

import msgspec
from django.db import connection

from ...fold import Folded, LogFold
from ...ledger.keys import KeyRecord
from .bulk import BulkWriter, prepare_values
from .models import StatementIndex
from .projection import INDEX_COLUMNS, index_row, relay_outcome, statement_row

STRIDE = 10_000  # entries a message to the child covers: the child builds the last stride after the fold ends
TABLE = StatementIndex._meta.db_table


@contextmanager
def scratch_file():
    """Where the child writes (a new file next to the database, else in the temporary directory), or None
    where the index cannot be built beside the fold: on PostgreSQL, without fork, or inside a caller's
    transaction. Entered outside the rebuild's transaction: SQLite detaches an attached file only outside
    every transaction, and begins ours IMMEDIATE, which takes every attached file in (the tests' enclosing
    transaction would keep it attached). Detached and removed on the way out, whatever happened."""
    if connection.vendor != "sqlite" or "fork" not in multiprocessing.get_all_start_methods() \
            or connection.in_atomic_block:
        yield None
        return
    directory = None if connection.is_in_memory_db() else Path(connection.settings_dict["NAME"]).parent
    handle, name = tempfile.mkstemp(prefix="corridor-rebuild-", suffix=".sqlite3", dir=directory)
    os.close(handle)
    try:
        yield Path(name)
    finally:
        _detach()
        Path(name).unlink(missing_ok=True)


@contextmanager
def statement_index(entries: list[bytes], writer: BulkWriter, scratch: Path | None):
    """What the fold hands each entry to (`add`) and `finish`es once it is done: after `finish` the rows are
    in `log_statement`, within the current transaction."""
    if scratch is None:
        yield IndexInFold(writer)
        return
    index = IndexBeside(entries, scratch)
    try:
        yield index
    finally:
        index.stop()


class IndexInFold:
    """The rows built and written by the fold's own process, a batch at a time."""

    BATCH = 100_000

    def __init__(self, writer: BulkWriter) -> None:
        self.writer, self.rows = writer, []

    def add(self, folded: Folded, fold: LogFold) -> None:
        self.rows.append(statement_row(folded, fold))
        if len(self.rows) == self.BATCH:
            self.finish(fold)

    def finish(self, fold: LogFold) -> None:
        self.writer.insert_values(StatementIndex, INDEX_COLUMNS, self.rows)
        self.rows = []


class IndexBeside:
    """The rows built by a forked child from the entries it inherits and the fold's facts sent along."""

    def __init__(self, entries: list[bytes], path: Path) -> None:
        self.path, self.sent, self.keys_sent, self.outcomes = path, 0, 0, {}
        context = multiprocessing.get_context("fork")
        self.pipe, child_end = context.Pipe()
        self.child = context.Process(target=_child, args=(entries, str(path), _schema(), child_end), daemon=True)
        self.child.start()
        child_end.close()

    def add(self, folded: Folded, fold: LogFold) -> None:
        if folded.relayed is not None:  # an offline.relay: its outcome now, before the fold forgets it
            self.outcomes[folded.index] = relay_outcome(folded.envelope.statement, fold)
        if fold.size - self.sent >= STRIDE:
            self._send(fold, last=False)

    def finish(self, fold: LogFold) -> None:
        """Wait for the child's rows and copy them in (one INSERT … SELECT, in the rebuild's transaction)."""
        self._send(fold, last=True)
        try:
            failure = self.pipe.recv()
        except (EOFError, OSError):  # it died without a word
            self.child.join()
            failure = f"the process building it ended (exit code {self.child.exitcode})"
        if failure:
            raise RuntimeError(f"building the statement index beside the fold failed: {failure}")
        with connection.cursor() as cursor:
            cursor.execute(f"ATTACH DATABASE %s AS {ATTACHED}", [str(self.path)])
            cursor.execute(f'INSERT INTO main."{TABLE}" SELECT * FROM {ATTACHED}."{TABLE}"')

    def stop(self) -> None:
        self.pipe.close()
        if self.child.is_alive():  # the fold refused or failed: nothing of the child's is wanted
            self.child.kill()
        self.child.join()

    def _send(self, fold: LogFold, last: bool) -> None:
        """How far the fold got, the keys registered since the last message (the history only grows, in
        order) and the relays' outcomes since."""
        keys = list(islice(fold.keys.keys.values(), self.keys_sent, None))
        with suppress(OSError):  # the child is gone: `finish` says so
            self.pipe.send((fold.size, keys, self.outcomes, last))
        self.sent, self.keys_sent, self.outcomes = fold.size, self.keys_sent + len(keys), {}


ATTACHED = "rebuild_index"


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


def _child(entries: list[bytes], path: str, schema: list[str], pipe) -> None:
    """In the forked child: build the rows as the fold's messages allow, then the indexes; send None when
    done, or what went wrong."""
    gc.disable()  # no cycles here; the collector's passes would only walk (and copy) the inherited heap
    try:
        _build(entries, path, schema, pipe)
        failure = None
    except BaseException:  # told to the parent, which refuses the rebuild
        failure = traceback.format_exc(limit=-3)
    with suppress(BrokenPipeError, OSError):
        pipe.send(failure)


def _build(entries: list[bytes], path: str, schema: list[str], pipe) -> None:
    database = sqlite3.connect(path, isolation_level=None)
    database.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; BEGIN")  # scratch: no recovery
    database.execute(schema[0])
    keys, done, last = KeysSent(), 0, False
    while not last:
        upto, new_keys, outcomes, last = pipe.recv()
        keys.add(new_keys)
        rows = (index_row(index, msgspec.json.decode(entries[index])["statement"], keys, outcomes.get(index))
                for index in range(done, upto))
        prepared = prepare_values(StatementIndex, INDEX_COLUMNS, rows)
        if prepared:
            database.executemany(prepared[1].replace("%s", "?"), prepared[2])
        done = upto
    for sql in schema[1:]:  # one sort each, once every row is in
        database.execute(sql)
    database.execute("COMMIT")
    database.close()


class KeysSent:
    """The fold's keys as far as it has sent them: `index_row`'s `keys`."""

    def __init__(self) -> None:
        self.keys: dict[str, KeyRecord] = {}

    def add(self, records: list[KeyRecord]) -> None:
        self.keys.update((record.key, record) for record in records)

    def key_of(self, key: str) -> KeyRecord | None:
        return self.keys.get(key)
