"""The log's database: SQLite by default, PostgreSQL when the service runs on it. Same SQL, written once
with '?' placeholders; each backend supplies its schema types and how a writer takes the lock.

SQLite: WAL, synchronous=FULL, BEGIN IMMEDIATE (one writer). PostgreSQL: each write transaction takes a
transaction-scoped advisory lock keyed on the log, so several processes sequence one log in turn.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (idx BIGINT PRIMARY KEY, data {blob} NOT NULL, leaf {blob} NOT NULL);
CREATE TABLE IF NOT EXISTS tree (id INTEGER PRIMARY KEY CHECK (id = 1), size BIGINT NOT NULL, root {blob} NOT NULL);
CREATE TABLE IF NOT EXISTS checkpoints (size BIGINT PRIMARY KEY, root {blob} NOT NULL, note TEXT NOT NULL);
"""


class SqliteDatabase:
    kind = "sqlite"

    def __init__(self, path: str | Path) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=FULL")
        self.connection.executescript(SCHEMA.format(blob="BLOB"))

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.connection.execute(sql, params)

    def executemany(self, sql: str, rows: list[Sequence[Any]]) -> None:
        self.connection.executemany(sql, rows)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")

    def close(self) -> None:
        self.connection.close()


class PostgresDatabase:
    kind = "postgresql"

    def __init__(self, url: str, lock_name: str) -> None:
        import psycopg  # imported here: SQLite users need not have it working

        self.connection = psycopg.connect(url, autocommit=True)
        self.lock_key = int.from_bytes(hashlib.sha256(lock_name.encode()).digest()[:8], "big", signed=True)
        with self.transaction():
            for statement in filter(str.strip, SCHEMA.format(blob="BYTEA").split(";")):
                self.connection.execute(statement)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.connection.execute(sql.replace("?", "%s"), params)

    def executemany(self, sql: str, rows: list[Sequence[Any]]) -> None:
        with self.connection.cursor() as cursor:
            cursor.executemany(sql.replace("?", "%s"), rows)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.connection.transaction():
            self.connection.execute("SELECT pg_advisory_xact_lock(%s)", (self.lock_key,))
            yield

    def close(self) -> None:
        self.connection.close()


def open_database(location: str | Path, lock_name: str) -> SqliteDatabase | PostgresDatabase:
    """A path (or sqlite:///path) opens SQLite; a postgresql:// URL opens PostgreSQL."""
    text = str(location)
    if text.startswith(("postgresql://", "postgres://")):
        return PostgresDatabase(text, lock_name)
    return SqliteDatabase(text.removeprefix("sqlite:///") if text.startswith("sqlite:///") else text)
