"""`record()`: the only write path. Check the signature and key, apply the engine's rules, append to the
log, update the read models and queue notifications — all in one database transaction. Notifications
leave after commit (the worker sends what the outbox holds).

Statements recorded at the same moment by several threads of one process share one transaction (group
commit, see `record_built`): one writer lock and one COMMIT for the batch, each caller answered only once
its statement is committed.

Each process keeps the fold of the log in memory. Under the writer lock it first applies entries other
processes appended since, so every process judges a statement against the whole log. If anything fails
after the fold changed, the in-memory fold is dropped and rebuilt from the log on next use, so memory never
runs ahead of what was committed. The fold is taken before the database, never after (fold_access.py):
code that records inside a transaction of its own opens it with `recording_transaction()`.
"""

from __future__ import annotations

import contextlib
import contextvars
import fcntl
import functools
import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, TypeVar

from django.db import connection, models, transaction

from ...engine import parse_statement
from ...engine.errors import RuleViolation
from ...engine.state import collector_paused
from ...engine.statements import parse_key_statement
from ...engine.times import format_time
from ...fold import Folded, LogFold
from ...ledger.envelope import EnvelopeError, seal, unseal
from ...ledger.keys import KEY_STATEMENTS
from ...ledger.merkle import leaf_hash
from .. import clock
from ..config import CONFIG
from ..guard import domain_writes
from .fold_access import FoldAccess
from .keys import OPERATOR, operator_key, operator_public
from .models import ENTRIES_FROM_SQL, LogEntry
from .origins import policy

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ...ledger.crypto import SodiumSigningKey

T = TypeVar("T")

MAX_FUTURE_SECONDS = 300
_LOCK_KEY = int.from_bytes(hashlib.sha256(f"corridor-log:{CONFIG.log_origin}".encode()).digest()[:8], "big",
                           signed=True)


class Refused(Exception):
    """A statement the service will not record: `code` is stable, `message` for people, `status` for HTTP."""

    def __init__(self, code: str, message: str, status: int = 422, details: list | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.status, self.details = code, message, status, details


@dataclass
class Recorded:
    index: int
    entry: bytes
    folded: Folded


Builder = Callable[[LogFold], bytes]
_process_fold: LogFold | None = None


def _transaction_open() -> bool:
    """Whether this thread's connection is in a transaction it opened (a test's wrapping one aside): it may
    hold the database's write lock, so it may not take the fold (fold_access.py)."""
    return any(not block._from_testcase for block in connection.atomic_blocks)


_fold_access = FoldAccess(_transaction_open)  # the fold changes alone; a request's reads hold it until it ends
_after_apply: list[Callable[[Folded, LogFold, object], None]] = []
_before_apply: list[Callable[[dict, LogFold], None]] = []
_follow_ups: list[Callable[[Folded, LogFold], list[Builder]]] = []
_deferred: contextvars.ContextVar[dict | None] = contextvars.ContextVar("deferred_inserts", default=None)
_memo: contextvars.ContextVar[dict | None] = contextvars.ContextVar("transaction_memo", default=None)
LockRead = Callable[[list[str]], "tuple[str, list] | None"]
_lock_reads: dict[str, LockRead] = {}


def on_apply(handler: Callable[[Folded, LogFold, object], None]) -> None:
    """Register a projection step, run inside the transaction for each recorded entry."""
    _after_apply.append(handler)


def before_apply(check: Callable[[dict, LogFold], None]) -> None:
    """Register a service check run on each statement before the engine's rules (it may refuse). It must only
    read the statement (its top level is handed over read-only; what it holds is not copied): the engine
    then applies that same unsealed statement, whose bytes were signed."""
    _before_apply.append(check)


def on_follow_up(step: Callable[[Folded, LogFold], list[Builder]]) -> None:
    """Register a step that, after an entry is applied, may add statements to the same transaction (e.g.
    the reveal of a plan that just closed). A follow-up the rules refuse is skipped, never fatal."""
    _follow_ups.append(step)


def read_with_writer_lock(key: str, query: LockRead) -> None:
    """Register a read that recording transactions make anyway (the batch's tokens, the parties' contacts, the
    stored digests of its plans): on PostgreSQL it leaves in the same query as the writer lock, so each
    costs no round trip of its own while the lock is held (each one, with the other server threads wanting
    the interpreter back, held the lock ~0.4-1 ms). `query(plans)` is given the ids of the plans the
    batch's statements name, as far as known before they are built, and returns the SQL and its
    parameters, or None to read nothing. Its rows are then `rows_read_with_lock(key)`."""
    _lock_reads[key] = query


def rows_read_with_lock(key: str) -> list[tuple] | None:
    """The rows of the read registered as `key`, fetched with this transaction's writer lock, or None if it
    was not (SQLite, a transaction not recording, or a query that read nothing): the caller reads them
    itself then. They are handed over once: a second call in the same transaction gets None."""
    memo = _memo.get()
    return None if memo is None else memo.pop(("read with the lock", key), None)


def plans_read_with_lock() -> list[str]:
    """The plans the reads sent with this transaction's writer lock were given (see `read_with_writer_lock`):
    a plan among them that a read's rows do not name has none of what it read."""
    memo = _memo.get()
    return [] if memo is None else memo.get(("plans read with the lock",), [])


def record(entry: bytes, private: object = None) -> Recorded:
    """Record a statement its party signed itself."""
    return record_built([lambda fold: entry], [private])[0]


def record_as(party: str, kind: str, payload: dict, *, plan: str | None = None, private: object = None) -> Recorded:
    """Record a statement signed with the party's custodial key, numbered and dated here."""
    return record_built([custodial(party, kind, payload, plan=plan)], [private])[0]


def record_built(builders: list[Builder], privates: list[object] | None = None) -> list[Recorded]:
    """Record several statements in one transaction (all or none). Builders run under the writer lock,
    so custodial statements get the party's next sequence number.

    A single statement is committed together with those other threads of this process are recording at
    the same moment (group commit: one writer lock, one transaction, one COMMIT for the batch); each
    caller returns only once the transaction holding its statement is committed, and a statement the
    rules refuse is left out of the batch without touching the others. Several statements (all or
    none), or a caller already inside a transaction, record on their own; such a caller took the fold
    first (`recording_transaction`), else it is refused (`FoldOrderError`) rather than risk a deadlock."""
    privates = privates or [None] * len(builders)
    if len(builders) != 1 or connection.in_atomic_block:
        return _record_alone(builders, privates)
    return _group_commit(_Job(builders[0], privates[0]))


@dataclass
class _Job:
    build: Builder
    private: object
    done: bool = False
    results: list[Recorded] | None = None
    error: BaseException | None = None
    wake: threading.Event = field(default_factory=threading.Event)  # done, or this thread records next


MAX_BATCH = 256  # statements per group transaction: bounds how long the last of a batch waits
_pending: list[_Job] = []
_queue_lock = threading.Lock()
_leading = False  # a thread is recording a batch: the others queue behind it


def _group_commit(job: _Job) -> list[Recorded]:
    """Queue the job. With no batch running, this thread records everything queued (up to MAX_BATCH);
    otherwise it sleeps until its job is done, or until the thread before hands it the next batch."""
    global _leading
    with _queue_lock:
        _pending.append(job)
        leads, _leading = not _leading, True
    if not leads:
        with _fold_access.released():  # the batch's leader waits for readers: this thread reads nothing now
            job.wake.wait()
    if not job.done:
        with _queue_lock:
            batch = _pending[:MAX_BATCH]
            del _pending[:MAX_BATCH]
        try:
            _record_batch(batch)
        finally:
            with _queue_lock:
                if _pending:
                    _pending[0].wake.set()  # its thread records the next batch (_leading stays set)
                else:
                    _leading = False
            for done in batch:
                if not done.done:  # only if recording the batch itself was interrupted
                    done.error, done.done = RuntimeError("the batch holding this statement was interrupted"), True
                done.wake.set()
    if job.error is not None:
        raise job.error
    return job.results


def _record_batch(batch: list[_Job]) -> None:
    """One transaction for the batch. If it fails for any reason but a refusal (a database error, a
    failed COMMIT), nothing of it was committed and the fold was dropped: each job is then recorded on
    its own, so one cannot sink the others."""
    try:
        outcomes: list = _apply_batch(batch)
    except Exception as error:
        outcomes = [error] if len(batch) == 1 else [_outcome_alone(job) for job in batch]
    except BaseException as error:  # KeyboardInterrupt, SystemExit: every caller learns it
        outcomes = [error] * len(batch)
    for job, outcome in zip(batch, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            job.error = outcome
        else:
            job.results = outcome
        job.done = True


def _outcome_alone(job: _Job) -> list[Recorded] | Exception:
    try:
        return _record_alone([job.build], [job.private])
    except Exception as error:
        return error


def _apply_batch(batch: list[_Job]) -> list[list[Recorded] | Refused]:
    """Each job's statement built, judged and persisted in one transaction; a refused one leaves the fold
    and the tables as they were (the engine applies nothing it refuses), so it is simply skipped."""
    outcomes: list[list[Recorded] | Refused] = []

    def apply(fold: LogFold) -> None:
        for job in batch:
            try:
                folded, entry = _build_and_apply(fold, job.build)
            except Refused as refused:
                outcomes.append(refused)
                continue
            _persist(fold, folded, entry, job.private if job.private is not None else _private_of(job.build))
            outcomes.append([Recorded(folded.index, entry, folded)])
            _run_follow_ups(fold, folded)

    _in_transaction(apply, [job.build for job in batch])
    return outcomes


def record_prepared(prepare: Callable[[LogFold], list[Builder]]) -> list[Recorded]:
    """Run `prepare` in one recording transaction, on the fold caught up under the writer lock: it may
    check the state, refuse (nothing is kept) and write private rows, and returns statements to record in
    the same transaction (e.g. the permits that clear values handed in afterwards make due). Each is
    recorded with its follow-ups; one the rules refuse is skipped, as a follow-up is."""
    results: list[Recorded] = []

    def apply(fold: LogFold) -> None:
        for build in prepare(fold):
            try:
                folded, entry = _build_and_apply(fold, build)
            except Refused:
                continue
            _persist(fold, folded, entry, _private_of(build))
            results.append(Recorded(folded.index, entry, folded))
            _run_follow_ups(fold, folded)

    _in_transaction(apply)
    return results


def _record_alone(builders: list[Builder], privates: list[object]) -> list[Recorded]:
    results: list[Recorded] = []

    def apply(fold: LogFold) -> None:
        for build, private in zip(builders, privates, strict=True):
            folded, entry = _build_and_apply(fold, build)
            _persist(fold, folded, entry, private if private is not None else _private_of(build))
            results.append(Recorded(folded.index, entry, folded))
            _run_follow_ups(fold, folded)

    _in_transaction(apply, builders)
    return results


def _in_transaction(apply: Callable[[LogFold], None], builders: list[Builder] = ()) -> None:
    """Run `apply` on the caught-up fold inside one writer transaction. If anything fails once it ran
    (even a refusal of a later statement, or the COMMIT), the in-memory fold is dropped: memory never runs
    ahead of what was committed. The fold first, then the writers' turn, then the database (fold_access.py)."""
    with _fold_access.changing():
        _catch_up(_current_fold())  # a restart's snapshot load and others' entries, before the writer lock
        with _sqlite_writer_turn():
            _apply_in_transaction(apply, _plans_named(builders))


@contextlib.contextmanager
def recording_transaction() -> Iterator[None]:
    """A transaction of the caller's own that reads the fold or records statements together with its own
    writes (all or none; also as a decorator). It takes the locks in the order every writer keeps: the fold
    alone, then the writers' turn, then the database (fold_access.py); inside, `current_fold()` and
    `record()` find the fold theirs and wait for nothing but the database."""
    with fold_before_transaction(), transaction.atomic():
        yield


@contextlib.contextmanager
def fold_before_transaction() -> Iterator[None]:
    """The fold alone and the writers' turn, for code whose transaction another opens inside (the admin's
    views, Django's `atomic()`): see `recording_transaction`."""
    with _fold_access.changing(), _sqlite_writer_turn():
        yield


def _plans_named(builders: list[Builder]) -> list[str]:
    """The plan ids the builders name, as given (a payload's "plan" may be any JSON value: only text is an id;
    the rules refuse the rest when the statement is drafted)."""
    return list(dict.fromkeys(plan for build in builders if isinstance(plan := getattr(build, "plan", None), str)))


def _apply_in_transaction(apply: Callable[[LogFold], None], plans: list[str]) -> None:
    fold, size = None, 0
    try:
        with transaction.atomic(), domain_writes():
            token, memo = _deferred.set({}), _memo.set({})
            try:
                fold = _locked_and_caught_up(_current_fold(), plans)
                size = fold.size
                apply(fold)
                _flush_deferred(commit=_outermost())
            finally:
                _deferred.reset(token)
                _memo.reset(memo)
    except BaseException:
        if fold is not None and fold.size != size:  # the engine applies nothing it refuses
            _drop_fold()
        raise


def _run_follow_ups(fold: LogFold, folded: Folded) -> None:
    pending = [build for step in _follow_ups for build in step(folded, fold)]
    while pending:
        build = pending.pop(0)
        try:
            followed, entry = _build_and_apply(fold, build)
        except Refused:
            continue  # the rules (or a missing custodial key) left the fold as it was
        _persist(fold, followed, entry, _private_of(build))
        pending += [b for step in _follow_ups for b in step(followed, fold)]


def _private_of(build: Builder) -> object:
    return getattr(build, "private", None)


def custodial(party: str, kind: str, payload: dict, *, plan: str | None = None,
              check: Callable[[LogFold], None] | None = None, crew: object = None) -> Builder:
    """A builder that signs for `party` under the writer lock; `check` may refuse first, seeing the fold.

    Clear values the public log must not show (a slot's start and end, plates, `crew`) are replaced by
    salted commitments here, for every custodial statement; the builder carries them as its `private`
    part, which `record_built` keeps in the same transaction (passages/private.py)."""
    from ..passages.private import commit_request

    payload, private = commit_request(kind, payload, crew)

    def build(fold: LogFold) -> bytes:
        if check is not None:
            check(fold)
        key, private = _signing_key(fold, party)
        return seal(draft_statement(fold, party, kind, payload, plan), private, key=key)

    build.private, build.plan = private, plan  # type: ignore[attr-defined]
    return build


def draft_statement(fold: LogFold, party: str, kind: str, payload: dict, plan: str | None = None) -> dict:
    """The statement `party` makes next (its next sequence number, the time now), checked by the engine's
    parser so a malformed one is refused with its precise code before anyone signs it."""
    statement = {"type": kind, "party": party, "seq": fold.next_seq(party),
                 "time": format_time(max(clock.now(), fold.state.clock)), "payload": payload}
    if plan is not None:
        statement["plan"] = plan
    try:
        (parse_key_statement if kind in KEY_STATEMENTS else parse_statement)({**statement, "key": ""})
    except RuleViolation as error:
        raise Refused(error.code, error.message, 422) from None
    return statement


def current_fold() -> LogFold:
    """The fold as of the last committed entry (for reads that need the engine, e.g. allowed actions).

    In a request (threaded web workers), the fold is held for reading from the first call until the request
    ends (fold_access.py): no batch or catch-up changes it meanwhile, and later calls in the same request
    return it as it is (with the request's own statements, once recorded). Inside a transaction the request
    opened after reading (e.g. `known_fold`), the fold is read as held: catching it up would take it alone,
    waiting for other readers while this thread holds the database (fold_access.py)."""
    if not _fold_access.in_request():
        with _fold_access.changing():
            return _catch_up(_current_fold())
    if _fold_access.holds_read() and _process_fold is not None and (
            _fold_access.request_caught_up() or _transaction_open()):
        return _process_fold
    _fold_access.hold_read()
    if _process_fold is not None and not _behind(_process_fold):
        _fold_access.mark_caught_up()
        return _process_fold
    with _fold_access.changing(keep_reading=True):  # entries to apply: the fold alone, then read again
        fold = _catch_up(_current_fold())
    _fold_access.mark_caught_up()
    return fold


def known_fold() -> LogFold:
    """The fold as this process last caught it up, without asking the database: for what a page shows on
    every row (party and route names, a crossing's time zone), which changes only with registry statements.
    `current_fold()` costs a query per call; a filter calling it for each of 50 rows made a page's queries
    grow with its rows. The view has caught up already (or the next request will)."""
    global _known_caught_up
    if _fold_access.in_request() and _known_caught_up:
        _fold_access.hold_read()  # kept until the request ends (see `current_fold`)
        if _process_fold is not None:
            return _process_fold
    with _fold_access.changing(keep_reading=_fold_access.in_request()):
        if not _known_caught_up:  # a fresh process: catch up once, so the first page names its parties
            _known_caught_up = True
            return _catch_up(_current_fold())
        return _current_fold()


_known_caught_up = False


def _build_and_apply(fold: LogFold, build: Builder) -> tuple[Folded, bytes]:
    try:
        entry = build(fold)
        envelope = unseal(entry)
        _check_time(envelope.statement.get("time"))
        statement = MappingProxyType(envelope.statement)
        for check in _before_apply:
            check(statement, fold)
        return fold.apply_entry(entry, unsealed=envelope), entry
    except RuleViolation as error:
        raise Refused(error.code, error.message, 409 if error.code in CONFLICTS else 422) from None
    except EnvelopeError as error:
        status = 403 if error.code.startswith(("key.", "signature.", "passkey.")) else 422
        raise Refused(error.code, error.message, status) from None


CONFLICTS = frozenset({"seq.duplicate", "seq.gap", "version.stale", "plan.exists", "incident.exists",
                       "attestation.exists", "state.wrong", "reveal.done"})


def _check_time(value: object) -> None:
    from ...engine.times import parse_time

    if isinstance(value, str):
        try:
            moment = parse_time(value, "time")
        except RuleViolation:
            return  # the engine refuses it with its own code
        if moment > clock.now() + MAX_FUTURE_SECONDS:
            raise Refused("time.future", f"{value} is later than the server's clock allows ({MAX_FUTURE_SECONDS}s)")


def _persist(fold: LogFold, folded: Folded, entry: bytes, private: object) -> None:
    defer_values(LogEntry, ENTRY_COLUMNS, (folded.index, entry, leaf_hash(entry)))
    for handler in _after_apply:
        handler(folded, fold, private)


def recording() -> bool:
    """Whether this runs in a recording transaction's projection steps, where `defer_insert`, `at_flush` and
    `transaction_memo` work (code shared with other transactions asks first)."""
    return _deferred.get() is not None


def defer_insert(*rows: models.Model) -> None:
    """Insert rows that nothing reads back within the transaction (attested passages, notices; the entry and
    its index row go as values, `defer_values`) together at its end, one INSERT per table: a batch of 500
    imports makes 3 round trips, not 1,500. Tables are written in the order they were first deferred."""
    pending = _deferred.get()
    if pending is None:
        raise RuntimeError("defer_insert is for projection steps run by record()")
    for row in rows:
        pending.setdefault(type(row), []).append(row)


ENTRY_COLUMNS = ("idx", "data", "leaf")


def defer_values(model: type[models.Model], names: tuple[str, ...], values: tuple) -> None:
    """As `defer_insert`, for one row given as its values, `names` being every column the INSERT gives (the
    attribute names of `_insert_fields(model)`, in that order): no model object is built for it (one cost
    ~20 µs under the writer lock, for each entry and each index row). For a table whose keys the rows carry
    and whose fields take their values as given (no `auto_now`: no field's `pre_save` runs on them)."""
    pending = _deferred.get()
    if pending is None:
        raise RuntimeError("defer_values is for projection steps run by record()")
    _check_columns(model, names)
    pending.setdefault(model, []).append(values)


@functools.cache
def _check_columns(model: type[models.Model], names: tuple[str, ...]) -> None:
    fields = _insert_fields(model)
    if (_ids_read_back(model) or names != tuple(field.attname for field in fields)
            or any(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False) for field in fields)):
        raise ValueError(f"{model.__name__}'s rows are deferred as values with exactly the columns "
                         f"{[field.attname for field in fields]}, keys of their own and no auto_now field")


def at_flush(key: object, write: Callable[[], None]) -> None:
    """Run `write` once at the end of the recording transaction, before the deferred inserts, however many
    of its statements asked for it (e.g. a plan's rows, written from its state after the last statement of
    a group-committed batch that changed it, not after each one)."""
    pending = _deferred.get()
    if pending is None:
        raise RuntimeError("at_flush is for projection steps run by record()")
    pending.setdefault(_AT_FLUSH, {}).setdefault(key, write)


def transaction_memo(key: str, compute: Callable[[], object]) -> object:
    """A value computed once per recording transaction, for projection steps (e.g. the parties' contacts,
    read once for a batch of 500 imported statements rather than once per statement)."""
    memo = _memo.get()
    if memo is None:
        raise RuntimeError("transaction_memo is for projection steps run by record()")
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def defer_write(sql: str, params: list) -> None:
    """Run a statement nothing reads back within the transaction (e.g. a plan row's UPDATE) at its end,
    with the deferred inserts: on PostgreSQL they leave together, in one round trip (`_execute_together`)."""
    pending = _deferred.get()
    if pending is None:
        raise RuntimeError("defer_write is for projection steps run by record()")
    pending.setdefault(_WRITES, []).append((sql, params))


_AT_FLUSH = object()  # the key, among the deferred rows' models, of the writes run once at the end
_WRITES = object()  # and of the statements `defer_write` holds


def _outermost() -> bool:
    """Whether this recording transaction is the connection's only one (not inside a caller's or a test's),
    with nothing in it marked for rollback: then its writes may end with its COMMIT (`_execute_together`)."""
    return len(connection.atomic_blocks) == 1 and not connection.savepoint_ids and not connection.needs_rollback


def _flush_deferred(commit: bool = False) -> None:
    pending = _deferred.get()
    for write in pending.pop(_AT_FLUSH, {}).values():
        write()
    statements = pending.pop(_WRITES, [])
    for model, rows in pending.items():
        if _ids_read_back(model):
            _execute_together(statements)  # in the order they were deferred
            statements = []
            model.objects.bulk_create(rows, batch_size=1000)  # their new ids are set on the rows
        else:
            statements += _inserts(model, rows)
    _execute_together(statements, commit)


def _ids_read_back(model: type[models.Model]) -> bool:
    """Rows numbered by the database get their ids back through the ORM (rows deferred after them may point
    at them), unless their model says nothing reads them (`ids_read_back = False`, e.g. the outbox's
    notices): those go with the batch's other INSERTs, without the id column. On PostgreSQL the ORM's
    bulk_create sends each column as an array psycopg writes element by element in Python: for a batch's
    notices, 12 % of the time the writer lock was held."""
    return _numbered(model._meta.pk) and getattr(model, "ids_read_back", True)


def defer_insert_ignoring_conflicts(model: type[models.Model], rows: list[models.Model]) -> None:
    """Insert `rows` (of a model whose ids nobody reads back) at the end of the recording transaction with
    the batch's other writes, skipping any that would break a unique constraint (an outbox notice already
    queued, by its dedupe key): as `bulk_create(ignore_conflicts=True)`, in one statement."""
    for sql, params in _inserts(model, rows):
        defer_write(sql + " ON CONFLICT DO NOTHING", params)


def _inserts(model: type[models.Model], rows: list[models.Model]) -> list[tuple[str, list]]:
    """INSERTs of many rows each of a table whose keys the rows carry (the entry, its index row), with the
    statement built once per process: for the few rows of a batch, building it was the larger cost."""
    fields, preparation = _insert_fields(model), _preparation(model, connection.vendor)
    values = [[by_type[type(value)](value) if type(value) in by_type else prepare(value, connection)
               for value, (prepare, by_type) in zip(
                   row if type(row) is tuple else [field.pre_save(row, True) for field in fields],
                   preparation, strict=True)]
              for row in rows]  # each row a model object (`defer_insert`) or its values (`defer_values`)
    return [(_insert_sql(model, len(chunk)), [value for row in chunk for value in row])
            for chunk in (values[start:start + 500] for start in range(0, len(values), 500))]


def _execute_together(statements: list[tuple[str, list]], commit: bool = False) -> None:
    """Run statements whose results nobody reads. On PostgreSQL, with the client-side binding Django uses
    by default, as one query of several statements: one round trip (each costs the client's and the
    server's CPU on the same cores); they still run in order, in the transaction, and the first to fail
    fails the query (and the rest, COMMIT included, do not run).

    `commit`: the transaction's last writes, in its outermost block: on PostgreSQL its COMMIT ends the same
    query, one round trip fewer while the writer lock is held (the lock ends with it). Django's own commit
    then finds no transaction open and sends nothing (psycopg); a COMMIT that fails (a deferred foreign key)
    fails the query, so the block ends as for any failure: rolled back, the fold dropped."""
    if not statements:
        return
    with connection.cursor() as cursor:
        if (len(statements) > 1 or commit) and _several_per_query(cursor):
            cursor.execute(_bound(";\n".join([*(sql for sql, _ in statements), *(["COMMIT"] if commit else [])]),
                                  [value for _, params in statements for value in params]))
            return
        for sql, params in statements:
            cursor.execute(sql, params)


def _bound(sql: str, params: list) -> str:
    """`sql` (`%s` placeholders only) with its values written in as literals, by psycopg's own adapters as its
    client-side binding writes them (`Transformer.as_literal`), without psycopg parsing the query for its
    placeholders first: it does that on every call for a query of more than 50 values, as a batch's writes
    are (~3 µs a value here)."""
    from psycopg.adapt import Transformer

    transformer = Transformer(connection.connection)
    literals = tuple(b"NULL" if value is None else transformer.as_literal(value) for value in params)
    return (sql.encode() % literals).decode()


def _several_per_query(cursor) -> bool:
    """Whether this cursor sends several statements as one query (psycopg's client-side binding; a
    server-side binding, or SQLite, runs one statement a call)."""
    if connection.vendor != "postgresql":
        return False
    import psycopg

    return isinstance(cursor.cursor, psycopg.ClientCursor)


def _insert_fields(model: type[models.Model]) -> list[models.Field]:
    """The columns an INSERT of the rows gives: all but generated ones and an id the database numbers."""
    return [field for field in model._meta.concrete_fields if not field.generated and not _numbered(field)]


@functools.cache
def _preparation(model: type[models.Model], vendor: str) -> list[tuple[Callable, dict[type, Callable]]]:
    """For each of `_insert_fields(model)`: Django's preparation of its value for the database, and for the
    types of value where it is known, what that preparation comes to (Django's, through every field's
    `get_db_prep_save`, was ~35-60 µs a statement under the writer lock, ~4 µs for each int, bytes or time)."""
    return [(field.get_db_prep_save, prepared_by_type(field, vendor)) for field in _insert_fields(model)]


def _as_is(value: object) -> object:
    return value


def prepared_by_type(field: models.Field, vendor: str) -> dict[type, Callable]:
    """What Django's `get_db_prep_save` makes of a value of each of these types, without its general path: the
    value itself (`unchanged_by_preparation`); on PostgreSQL an int in an integer field wrapped in psycopg's
    type of its size, bytes in a binary field in the driver's Binary, and an aware time as it is. Others go
    through Django (tests/service/ledger/test_record_inserts.py and passages/test_projection.py hold the two
    equal on each database)."""
    prepared: dict[type, Callable] = dict.fromkeys(unchanged_by_preparation(field, vendor), _as_is)
    if vendor == "postgresql" and not field.is_relation:
        wrap = getattr(connection.ops, "integerfield_type_map", {}).get(field.get_internal_type())  # psycopg 3
        if isinstance(field, models.IntegerField) and wrap is not None:
            prepared[int] = wrap
        elif isinstance(field, models.BinaryField):
            prepared[bytes] = connection.Database.Binary
        elif isinstance(field, models.DateTimeField):
            prepare = field.get_db_prep_save
            prepared[datetime] = lambda value: value if value.tzinfo is not None else prepare(value, connection)
    return prepared


def unchanged_by_preparation(model_field: models.Field, vendor: str) -> tuple[type, ...]:
    """The types of value a field's `get_db_prep_save` returns unchanged: a str in a text field or a key to a
    text primary key; an int in an integer field, but on PostgreSQL (where Django wraps it in psycopg's Int4
    or Int8); None (SQL NULL) in any field but JSON, where None may mean JSON's null. Any other value is
    prepared by Django (tests/service/ledger/test_record_inserts.py holds the two equal on each database)."""
    target = model_field.target_field if model_field.is_relation else model_field
    unchanged: tuple[type, ...] = ()
    if isinstance(target, models.CharField | models.TextField):
        unchanged = (str,)
    elif isinstance(target, models.IntegerField) and vendor != "postgresql":
        unchanged = (int,)
    return unchanged if isinstance(model_field, models.JSONField) else (*unchanged, type(None))


def _numbered(field: models.Field) -> bool:
    return field.primary_key and (field.auto_created or isinstance(field, models.AutoField))


@functools.cache
def _insert_sql(model: type[models.Model], rows: int) -> str:
    quote = connection.ops.quote_name
    fields = _insert_fields(model)
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "
            f"VALUES {', '.join([placeholders] * rows)}")


def _signing_key(fold: LogFold, party: str) -> tuple[str | None, Ed25519PrivateKey | SodiumSigningKey]:
    """(key id, private key) the server signs for `party` with; the operator's id is derived when sealing."""
    from ..parties.custody import custodial_key

    if party == OPERATOR:
        return None, operator_key()
    return custodial_key(fold, party)


_turn_file: int | None = None  # this process's descriptor of the SQLite writers' lock file (see below)


@contextlib.contextmanager
def _sqlite_writer_turn() -> Iterator[None]:
    """SQLite: the processes recording take turns on a lock file before BEGIN IMMEDIATE. A writer that
    finds the database locked otherwise sleeps in SQLite's busy handler (1, 2, 5 … 100 ms at a time) and
    misses the moment the other commits; `flock` wakes it at once. The IMMEDIATE transaction stays the
    lock that matters (the log's integrator takes only that).

    Inside a transaction already open (`recording_transaction`, which took the turn, or a test's) the
    database is held already: waiting for the turn then could wait for another process that holds the turn
    and waits for the database, so the turn is not taken again."""
    global _turn_file
    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or "memory" in name or connection.in_atomic_block:
        yield  # an in-memory database has one process
        return
    if _turn_file is None:
        _turn_file = os.open(f"{name}.writer-turn", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(_turn_file, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(_turn_file, fcntl.LOCK_UN)


def _take_writer_lock() -> None:
    """SQLite: the IMMEDIATE transaction is the lock. PostgreSQL: an advisory lock shared with the log's
    integrator, so entries are numbered in commit order by one writer at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def _locked_and_caught_up(fold: LogFold, plans: list[str] = ()) -> LogFold:
    """Take the writer lock (`_take_writer_lock`), then apply what others committed before it was ours. On
    PostgreSQL the lock and the first read of entries leave as one query (one round trip), whose second
    statement reads with a snapshot of its own, taken once the lock is granted (READ COMMITTED), so it
    sees every entry committed before. So do the reads registered with `read_with_writer_lock`, after it."""
    with connection.cursor() as cursor:
        if not _several_per_query(cursor):
            _take_writer_lock()
            return _catch_up(fold)
        plans = [plan for plan in plans if plan in fold.state.plans]  # ids it knows, not as a request gave them
        reads = [(key, read) for key, query in _lock_reads.items() if (read := query(plans)) is not None]
        cursor.execute(";\n".join([f"SELECT pg_advisory_xact_lock(%s);\n{ENTRIES_FROM_SQL}",
                                   *(sql for _, (sql, _) in reads)]),
                       [_LOCK_KEY, fold.size, CATCH_UP_BATCH, *(value for _, (_, params) in reads for value in params)])
        cursor.nextset()
        rows = cursor.fetchall()
        memo = _memo.get()
        memo[("plans read with the lock",)] = list(plans)
        for key, _ in reads:
            cursor.nextset()
            memo[("read with the lock", key)] = cursor.fetchall()
    _apply_caught_up(fold, rows)
    return fold if len(rows) < CATCH_UP_BATCH else _catch_up(fold)


def _current_fold() -> LogFold:
    """This process's fold: on first use, the newest fold snapshot that checks out (snapshots.py), else
    an empty fold that `_catch_up` replays the whole log into."""
    global _process_fold
    if _process_fold is None:
        from . import snapshots

        _process_fold = snapshots.load() or LogFold(OPERATOR, operator_public(), webauthn=policy())
    return _process_fold


CATCH_UP_BATCH = 5000


def _catch_up(fold: LogFold, until: int | None = None) -> LogFold:
    """Apply entries other processes committed since this process last looked (up to index `until`).

    Their signatures are not checked again: every row of `entries` was written by `record()`, which
    checked the entry's signature in the very transaction that inserted it (or, for a log loaded in bulk,
    by `corridor rebuild`, which checks each entry or the signed checkpoint covering it). Whoever could
    write a row there unchecked could as well write the read models the service answers from, so a second
    check here protects nothing; it was 81 % of a replay's cost. Each entry's key must still be valid for
    its party at its index, and the rules are applied in order, as for any entry (`LogFold.apply_entry`).
    `corridor verify` re-checks every signature from the public log.
    """
    while until is None or fold.size < until:
        limit = CATCH_UP_BATCH if until is None else min(CATCH_UP_BATCH, until - fold.size)
        with connection.cursor() as cursor:  # one raw query a batch: no model instances for bytes we parse
            cursor.execute(ENTRIES_FROM_SQL, [fold.size, limit])
            rows = cursor.fetchall()
        _apply_caught_up(fold, rows)
        if len(rows) < limit:  # the last of them: asking again would find none (a round trip per catch-up)
            return fold
    return fold


def _apply_caught_up(fold: LogFold, rows: list[tuple]) -> None:
    with collector_paused():  # as in a rebuild: the fold makes no cycles; the collector's passes cost ~8%
        for index, data in rows:
            if index != fold.size:
                raise RuntimeError(f"log entries are not contiguous at {fold.size}")
            fold.apply_entry(bytes(data), signature_checked=True)


def _behind(fold: LogFold) -> bool:
    """Whether other processes committed entries this fold has not applied yet (one indexed query)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {LogEntry._meta.db_table} WHERE idx >= %s LIMIT 1", [fold.size])
        return cursor.fetchone() is not None


def reading_fold():
    """The scope of one request's reads of the fold (a middleware): see `current_fold`."""
    return _fold_access.request_reads()


class FoldReadsMiddleware:
    """Each request's reads of the in-memory fold hold it until the response leaves (fold_access.py)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        with _fold_access.request_reads():
            return self.get_response(request)


def with_fold_at(size: int, use: Callable[[LogFold], T]) -> T | None:
    """`use(fold)` on this process's fold as of the log's first `size` entries (to write a snapshot), under
    the fold's lock so no statement changes it meanwhile; None if the fold is already past `size`."""
    with _fold_access.changing():
        fold = _catch_up(_current_fold(), until=size)
        return use(fold) if fold.size == size else None


def _drop_fold() -> None:
    global _process_fold, _known_caught_up
    _process_fold, _known_caught_up = None, False


def reset_for_tests() -> None:
    from . import snapshots

    _drop_fold()
    snapshots.reset_for_tests()
