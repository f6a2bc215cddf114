"""`corridor rebuild`: drop every read model and fold the whole log again.

Which entries are trusted as logged: every entry was checked in full (form, key, signature, rules) before
`record()` committed it, and the log key signs the Merkle tree over the entries in its checkpoints. So the
entries the latest signed checkpoint covers are checked against it — the checkpoint's signature, and the
root recomputed from every entry's bytes (a changed, added, dropped or reordered entry changes it; on SQLite
computed beside the fold by the process that reads the entries for the statement index, index_beside.py,
and checked before commit; when the fold fails, first here) — and their signatures are not checked one by one
again. The entries after it (not yet in a checkpoint), or every
entry with `check_signatures` (`corridor rebuild --check-signatures`, an audit on the server: `corridor
verify` is the one for anyone else), are checked in full: the fold checks everything about each in order but
its signature, and the signatures are checked meanwhile on the other cores (`ledger.audit.SignatureChecks`).
Nothing is committed until every check has passed: one bad signature refuses the whole rebuild, naming the
first bad entry (the lowest index, as a sequential check would). The fold then applies every entry with the
rules, in order, whichever way its signature was established. Notifications are not sent again.

What is rebuilt is decided by each model, not by a list here: a model declares `derived_from_log` (a
test holds every model to declaring it). Only derived tables are emptied, with plain DELETEs that do not
cascade, so users, memberships, tokens, contacts and private clear values are never touched; columns a
derived model keeps off the log (`kept_across_rebuild`, e.g. custodial keys) are carried over by primary
key. Foreign keys are checked before commit: a kept row pointing at something the log no longer derives
refuses the rebuild rather than losing the row.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import msgspec
from django.apps import apps
from django.db import IntegrityError, connection, models, transaction

from ...engine.state import collector_paused
from ...fold import LogFold
from ...ledger.audit import EntryError, Failure, SignatureChecks
from ...ledger.checkpoint import Checkpoint, CheckpointError, parse_checkpoint
from ...ledger.envelope import PASSKEY_PREFIX, EnvelopeError
from ...ledger.merkle import leaf_hash, root_of
from ...ledger.note import NoteError, open_note
from ...packed_plans import Held, PackedPlans, held_plans, leg_count, plan_of
from ..guard import domain_writes
from ..incidents.projection import write_incident
from ..parties.models import Party, PartyKey, Route
from ..passages.models import Attestation, AttestedLine, Clock, Inspection, Leg, ManifestLine, Plan, Position, Vehicle
from ..passages.projection import LEG_CHILDREN, attestation_rows, columns, plan_rows
from .bulk import BulkWriter, Prepared, prepare_values
from .index_beside import IndexBeside, index_beside, statement_index
from .keys import OPERATOR, log_signer, operator_public
from .models import ENTRIES_FROM_SQL, LogEntry, SignedCheckpoint, StatementIndex
from .origins import policy
from .record import _drop_fold, _take_writer_lock

BATCH = 2000


def corridor_models() -> list[type[models.Model]]:
    return [model for model in apps.get_models() if model.__module__.startswith("corridor.")]


def derived_models() -> list[type[models.Model]]:
    """The read models: every table `rebuild` empties and writes again from the log."""
    return [model for model in corridor_models() if model.derived_from_log]


class RebuildError(RuntimeError):
    pass


def rebuild(progress: Callable[[str], None] = lambda message: None, check_signatures: bool = False) -> int:
    # Both outside the transaction: the index's process is forked before it and the entries (index_beside.py);
    # SQLite turns foreign key enforcement off only outside one. Off, emptying a table referenced by another is
    # one truncation rather than a delete and a lookup per row, and each row inserted skips its parent's lookup;
    # every reference is still checked before commit (`_check_references`), as Django's loaddata does.
    with index_beside() as beside, connection.constraint_checks_disabled():
        return _rebuild(progress, check_signatures, beside)


def _rebuild(progress, check_signatures: bool, beside: IndexBeside | None) -> int:
    with transaction.atomic(), domain_writes():
        _take_writer_lock()
        size = _log_size()
        checkpoint = None if check_signatures else _latest_checkpoint(size)
        covered = checkpoint.size if checkpoint else 0
        vouched = "every signature checked again" if check_signatures else \
            f"the latest signed checkpoint covers {covered:,}"
        progress(f"the log holds {size:,} entries; {vouched}; folding them, the signatures of "
                 f"{size - covered:,} checked on every core meanwhile")
        kept = {model: _kept_values(model) for model in derived_models()}
        for model in derived_models():
            _empty(model)
        progress("emptied the read models")
        writer = BulkWriter()
        index = statement_index(writer, beside)
        with _bulk_load(BULK_LOADED, progress), SignatureChecks(size - covered) as checks:
            fold = _fold_all(size, checkpoint, progress, index, checks)
            _check_root(checkpoint, index.finish(fold, covered, progress))
            progress("writing read models")
            _write_all(fold, writer, progress)
            _refuse_bad_signature(checks.first_failure())
        progress("every signature checked")
        writer.finish()
        for model, rows in kept.items():
            if rows:
                _restore_kept(model, rows)
        _check_references()
        _analyze(progress)
    _drop_fold()
    return fold.size


READ_BATCH = 10_000  # entries read a query at a time


def _log_size() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(LogEntry._meta.db_table)}")
        return cursor.fetchone()[0]


def _entries(size: int) -> Iterator[bytes]:
    """The first `size` entries' bytes in order, read a batch at a time off the primary key. Streamed, not
    held: at 10M statements the log's bytes alone are ~6 GB, which the rebuild held beside the whole fold (and
    its forked workers inherited)."""
    read = 0
    while read < size:
        with connection.cursor() as cursor:
            cursor.execute(ENTRIES_FROM_SQL, [read, min(READ_BATCH, size - read)])
            rows = cursor.fetchall()
        if not rows:
            return
        for index, data in rows:
            if index != read:
                raise RebuildError(f"the log has no entry {read}: its entries must run 0, 1, 2 … without a gap")
            yield bytes(data)
            read += 1


def _analyze(progress) -> None:
    """PostgreSQL: fresh planner statistics for the tables just rewritten. A rebuild replaces every row at
    once; until they are analyzed (by autovacuum a while later, never where it is off) the planner has none
    and reads a page's leg counts and waits by sequential scan (20–26 ms each at 1M statements instead of
    an index read). SQLite plans are the ones measured without statistics (no sqlite_stat1): left as they are."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in derived_models())
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")
    progress("planner statistics refreshed (ANALYZE)")


# The tables only the bulk writer fills (nothing looks a row up in them during the rebuild): their secondary
# indexes can wait until the end. Not incidents: `write_incident` looks up each one's disputes by incident. Not
# the statement index: on SQLite it is copied in whole, indexes and all (index_beside.py).
BULK_LOADED = (Plan, Leg, ManifestLine, Vehicle, Inspection, Position, Clock, Attestation, AttestedLine)


@contextmanager
def _bulk_load(tables: tuple[type[models.Model], ...], progress):
    """SQLite: the empty tables are filled without their secondary indexes, which are created again from
    their own SQL (sqlite_master) once every row is in: one sort each instead of a B-tree insert per row
    and index (inserting 1M index rows: 16 → 10 µs a row, the index creation included). Within the
    rebuild's transaction: a crash or a refusal rolls the dropped indexes back with everything else.
    Unique constraints keep their indexes (they are checked as rows go in). A larger page cache was tried
    and gave nothing measurable once the indexes were off, for 256 MB more memory. PostgreSQL: as it is."""
    if connection.vendor != "sqlite":
        yield
        return
    names = [model._meta.db_table for model in tables]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name "
                       f"IN ({', '.join(['%s'] * len(names))})", names)
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    progress(f"creating {len(indexes)} indexes")
    with connection.cursor() as cursor:
        for _, sql in indexes:
            cursor.execute(sql)


def _kept_values(model: type[models.Model]) -> list[dict]:
    fields = getattr(model, "kept_across_rebuild", ())
    return list(model.objects.values("pk", *fields)) if fields else []


def _empty(model: type[models.Model]) -> None:
    """DELETE without Django's cascade: rows of other tables that refer here stay (checked at the end)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def _restore_kept(model: type[models.Model], rows: list[dict]) -> None:
    fields = list(model.kept_across_rebuild)
    model.objects.bulk_update([model(**row) for row in rows], fields, batch_size=BATCH)


def _check_references() -> None:
    try:
        connection.check_constraints()
    except IntegrityError as error:
        raise RebuildError(f"rows kept across the rebuild refer to what the log no longer holds: {error}") from None


def _latest_checkpoint(size: int) -> Checkpoint | None:
    """The latest signed checkpoint, once its signature by the log key is checked and it covers no more than
    the `size` entries the log holds (RebuildError otherwise); its root over them is checked by `_check_root`."""
    row = SignedCheckpoint.objects.order_by("-size").first()
    if row is None:
        return None
    try:
        checkpoint = parse_checkpoint(open_note(row.note, [log_signer().verifier]).text)
    except (NoteError, CheckpointError) as error:
        raise RebuildError(f"the latest checkpoint (size {row.size}) does not verify: {error}") from None
    if checkpoint.size != row.size or checkpoint.size > size:
        raise RebuildError(f"the latest checkpoint covers {checkpoint.size:,} entries; the log holds {size:,}")
    return checkpoint


def _check_root(checkpoint: Checkpoint | None, root: bytes | None = None) -> None:
    """RebuildError unless the root over the entries the checkpoint covers is the one it signed: `root` as the
    process building the statement index computed it reading them (index_beside.py), else computed here
    from the entries read again."""
    if checkpoint is None:
        return
    if root is None:
        root = root_of(leaf_hash(entry) for entry in _entries(checkpoint.size))
    if root != checkpoint.root:
        raise RebuildError(f"the log's first {checkpoint.size:,} entries do not match its signed checkpoint: "
                           "an entry changed after it was logged")


# Entries folded between two packings of the closed plans: the plans closed meanwhile are held decoded
# (~7 KB each, a plan per ~10 entries: ~35 MB) until packed (~1.6 KB each, packed_plans.py).
PACK_EVERY = 50_000


def _fold_all(size: int, checkpoint: Checkpoint | None, progress, index, checks: SignatureChecks) -> LogFold:
    """The entries `checkpoint` covers are vouched for by the signed tree (see the module's docstring): their
    root may still be being checked (beside the fold), so a failure first checks it (a changed entry is the
    better answer). `index` takes each folded entry for the statement index (index_beside.py). The fold keeps
    its closed plans packed (packed_plans.py): every plan ever submitted, held decoded, grew the rebuild's
    memory by ~7 KB a plan (11+ GB at 10M statements, docs/scaling.md)."""
    fold, covered = LogFold(OPERATOR, operator_public(), webauthn=policy()), checkpoint.size if checkpoint else 0
    fold.state.plans = plans = PackedPlans()
    with collector_paused():  # the fold makes no cycles; the collector's passes over it cost ~8%
        for entry in _entries(size):
            try:
                if fold.size < covered:
                    folded = fold.apply_entry(entry, signature_checked=True)
                else:
                    folded = fold.apply_entry(entry, signatures=checks)
            except EnvelopeError as error:
                _check_root(checkpoint)
                _refuse_bad_signature(checks.first_failure())  # an earlier entry's signature fails first
                raise RebuildError(f"the log does not verify: {EntryError(fold.size, error.code, error.message)}") \
                    from None
            except Exception:
                _check_root(checkpoint)
                _refuse_bad_signature(checks.first_failure())
                raise
            index.add(folded, fold)
            if fold.size % PACK_EVERY == 0:  # between entries: no PlanState is held here (packed_plans.py)
                plans.pack_closed()
            if fold.size % 100_000 == 0:
                progress(f"folded {fold.size:,} entries")
    return fold


def _refuse_bad_signature(failure: Failure | None) -> None:
    if failure:
        raise RebuildError(f"the log does not verify: {EntryError(*failure)}")


def _write_all(fold: LogFold, writer: BulkWriter, progress) -> None:
    state = fold.state
    registered = _last_times("party.register")
    Party.objects.bulk_create([Party(id=p.id, name=p.name, kind=p.kind, registered_at=registered[p.id])
                               for p in state.parties.values() if p.id in registered])
    defined = _last_times("route.define")
    Route.objects.bulk_create([Route(id=r.id, name=r.name, definition=msgspec.to_builtins(r), defined_at=defined[r.id])
                               for r in state.routes.values()])
    PartyKey.objects.bulk_create([
        PartyKey(key_id=k.key, party_id=k.party, public=k.public, registered_at=k.valid_after, revoked_at=k.revoked_at)
        # as recording does: party keys only (key.register/rotate); passkeys bound to a party live in their own table
        for k in fold.keys.keys.values() if not k.registrar and not k.key.startswith(PASSKEY_PREFIX)
    ])
    _write_plans(list(held_plans(state.plans)), writer, progress)
    for incident_id in state.incidents:
        write_incident(fold, incident_id)
    records = list(state.attestations.values())
    for start in range(0, len(records), BATCH):
        rows, lines = attestation_rows(records[start:start + BATCH])
        writer.insert(Attestation, rows)
        writer.insert(AttestedLine, lines)


_PLANS: list = []  # the plans whose rows forked workers build, as held (set before the fork, read in the workers)


def _write_plans(plans: list[Held], writer: BulkWriter, progress) -> None:
    """Every plan's rows, built and converted a batch at a time by one forked worker per core (plan_rows is
    pure: no query) while this process writes the batches before, in order. The plans are as the fold holds
    them (packed_plans.py): each worker decodes its batch's packed plans, so the plans are never all decoded at
    once. Each batch's leg ids are known beforehand (one Leg row per leg of the plan's content, counted
    without decoding a packed plan whole), so workers number them without talking."""
    global _PLANS
    batches, first_leg = [], 1
    for start in range(0, len(plans), BATCH):
        batches.append((start, first_leg))
        first_leg += sum(leg_count(plan) for plan in plans[start:start + BATCH])
    _PLANS = plans
    try:
        with _plan_workers() as pool:
            rows = pool.imap(_prepare_plans, batches) if pool else map(_prepare_plans, batches)
            for number, prepared in enumerate(rows, 1):
                for table in prepared:
                    writer.write(table)
                if number % 25 == 0:
                    progress(f"wrote {number * BATCH:,} plans")
    finally:
        _PLANS = []
    writer.next_ids[Leg] = first_leg


@contextmanager
def _plan_workers():
    """A pool of forked workers (None with one core, or where fork is not offered): they inherit the fold."""
    workers = os.cpu_count() or 1
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield None
        return
    # Freeze what the fold built before forking: otherwise each worker's collector walks (and so copies,
    # page by page) the whole inherited state on its full passes, which made the workers several times slower.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield pool
    finally:
        gc.unfreeze()


def _prepare_plans(batch: tuple[int, int]) -> list[Prepared]:
    """The rows `write_plan` saves one plan at a time, for plans [start, start + BATCH), legs numbered from
    `first_leg`, in the order they must be written (plans, then legs, then what refers to legs)."""
    start, first_leg = batch
    rows = [plan_rows(plan_of(plan)) for plan in _PLANS[start:start + BATCH]]
    legs = [(number, *leg) for number, leg in enumerate((leg for plan in rows for leg in plan.legs), first_leg)]
    under_legs = [[] for _ in LEG_CHILDREN]  # each table's rows, its leg's id first
    number = first_leg
    for plan in rows:
        for children in plan.leg_children:
            for table, items in zip(under_legs, children, strict=True):
                table += [(number, *item) for item in items]
            number += 1
    return [prepare_values(Plan, columns(Plan), [plan.plan for plan in rows]),
            prepare_values(Leg, ("id", *columns(Leg)), legs),
            *(prepare_values(model, ("leg_id", *columns(model)), table)
              for model, table in zip(LEG_CHILDREN, under_legs, strict=True)),
            prepare_values(Position, columns(Position), [p for plan in rows for p in plan.positions]),
            prepare_values(Clock, columns(Clock), [c for plan in rows for c in plan.clocks])]


def _last_times(kind: str) -> dict:
    """When each subject (party, route) was last registered or defined, from the statement index."""
    return dict(StatementIndex.objects.filter(type=kind).order_by("idx").values_list("subject", "time"))
