"""Integrating recorded entries into tiles and signed checkpoints, on the service's own database.

`record()` commits entries (that is the acknowledgement); this turns them into the public log: tiles,
then the tree state together with the checkpoint signed for it, then the published checkpoint file. It
runs in `corridor worker` (as soon as entries wait, at most one checkpoint per interval: checkpoint_schedule.py)
and can be called directly (`integrate_now`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from django.db import connection, transaction

from ...ledger.cosigning import Cosigning, QuorumNotMet, WitnessEndpoint
from ...ledger.note import parse_verifier
from ...ledger.store import LogStore
from ...ledger.tilecheck import ExpectedTiles, TileChecker
from ..config import CONFIG
from ..guard import domain_writes
from .keys import log_signer
from .models import LogEntry
from .record import _take_writer_lock

log = logging.getLogger("corridor.worker")


class DjangoDatabase:
    """The ledger store's database interface over Django's connection ('?' placeholders, a locked
    transaction), so the log and the read models live in one database."""

    @property
    def kind(self) -> str:
        return connection.vendor

    def execute(self, sql: str, params=()):
        cursor = connection.cursor()
        cursor.execute(sql.replace("?", "%s"), list(params))
        return cursor

    def executemany(self, sql: str, rows) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(sql.replace("?", "%s"), [list(row) for row in rows])

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with transaction.atomic(), domain_writes():
            _take_writer_lock()
            yield

    def close(self) -> None:
        pass


def open_store(repair_tiles: bool = True) -> LogStore:
    return LogStore(DjangoDatabase(), CONFIG.tiles_dir, CONFIG.log_origin, log_signer(), repair_tiles=repair_tiles)


def integrate_now(store: LogStore | None = None, cosigning: Cosigning | None = None) -> str:
    """Integrate everything recorded so far and publish the checkpoint (cosigned by a quorum of the
    configured witnesses, if any; without the quorum the last cosigned checkpoint stays up)."""
    store = store or open_store()
    while store.integrate(1024) < store.sequenced_size():
        pass
    cosigning = cosigning if cosigning is not None else witness_cosigning()
    try:
        return store.publish(cosigning)
    except QuorumNotMet as error:
        log.warning("checkpoint not published: %s %s", error, error.failures)
        return ""


def witness_cosigning() -> Cosigning | None:
    if not CONFIG.witnesses:
        return None
    endpoints = [WitnessEndpoint(url, parse_verifier(key)) for url, key in CONFIG.witnesses]
    return Cosigning(endpoints, CONFIG.witness_quorum or len(endpoints))


_checkers: dict = {}
# one level-1 tile's worth: a request checks a tile reading at most this many leaf hashes, whatever the log's
# size (roots computed on the way are kept, so upper tiles become checkable as their lower ones are served)
REQUEST_LEAF_BUDGET = 256 * 256


def tile_checker() -> TileChecker:
    """For serving tiles: each checked against the database before it is served (see `tilecheck`)."""
    root = CONFIG.tiles_dir
    if root not in _checkers:
        expected = ExpectedTiles(_column_between("leaf"), _column_between("data"), leaf_budget=REQUEST_LEAF_BUDGET)
        _checkers[root] = TileChecker(root, expected)
    return _checkers[root]


def _column_between(column: str):
    def between(start: int, end: int) -> list[bytes]:
        rows = LogEntry.objects.filter(idx__gte=start, idx__lt=end).order_by("idx").values_list(column, flat=True)
        return [bytes(value) for value in rows]

    return between
