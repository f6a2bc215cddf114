"""`corridor rebuild`: drop every read model and fold the whole log again.

Which entries are trusted as logged: every entry was checked in full (form, key, signature, rules) before
`record()` committed it, and the log key signs the Merkle tree over the entries in its checkpoints. So the
entries the latest signed checkpoint covers are checked against it — the checkpoint's signature, and the
root recomputed from every entry's bytes (a changed, added, dropped or reordered entry changes it) — and
their signatures are not checked one by one again. The entries after it (not yet in a checkpoint), or every
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

from collections.abc import Callable

import msgspec
from django.apps import apps
from django.db import IntegrityError, connection, models, transaction

from ...fold import Folded, LogFold
from ...ledger.audit import EntryError, Failure, SignatureChecks
from ...ledger.checkpoint import CheckpointError, parse_checkpoint
from ...ledger.envelope import EnvelopeError
from ...ledger.merkle import leaf_hash, root_of
from ...ledger.note import NoteError, open_note
from ..guard import domain_writes
from ..incidents.projection import write_incident
from ..parties.models import Party, PartyKey, Route
from ..passages.models import Attestation, AttestedLine, Clock, Inspection, Leg, ManifestLine, Plan, Position, Vehicle
from ..passages.projection import PlanRows, attestation_rows, plan_rows
from .bulk import BulkWriter
from .keys import OPERATOR, log_signer, operator_public
from .models import LogEntry, SignedCheckpoint, StatementIndex
from .origins import policy
from .projection import statement_columns
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
    with transaction.atomic(), domain_writes():
        _take_writer_lock()
        entries = [bytes(data) for data in LogEntry.objects.order_by("idx").values_list("data", flat=True)
                   .iterator(chunk_size=10_000)]
        covered = 0 if check_signatures else _signed_prefix(entries)
        progress(f"read {len(entries):,} entries; the latest signed checkpoint covers {covered:,} and agrees; "
                 f"folding them, the signatures of the other {len(entries) - covered:,} checked on every core")
        kept = {model: _kept_values(model) for model in derived_models()}
        for model in derived_models():
            _empty(model)
        writer = BulkWriter()
        with SignatureChecks(len(entries) - covered) as checks:
            fold = _fold_all(entries, covered, progress, writer, checks)
            progress("writing read models")
            _write_all(fold, writer, progress)
            _refuse_bad_signature(checks.first_failure())
        progress("every signature checked")
        writer.finish()
        for model, rows in kept.items():
            if rows:
                _restore_kept(model, rows)
        _check_references()
    _drop_fold()
    return fold.size


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


def _signed_prefix(entries: list[bytes]) -> int:
    """How many entries (from the first) the latest signed checkpoint covers, once its signature by the log
    key and its root over those entries' bytes are checked; RebuildError if either does not hold."""
    row = SignedCheckpoint.objects.order_by("-size").first()
    if row is None:
        return 0
    try:
        checkpoint = parse_checkpoint(open_note(row.note, [log_signer().verifier]).text)
    except (NoteError, CheckpointError) as error:
        raise RebuildError(f"the latest checkpoint (size {row.size}) does not verify: {error}") from None
    if checkpoint.size != row.size or checkpoint.size > len(entries):
        raise RebuildError(f"the latest checkpoint covers {checkpoint.size:,} entries; the log holds {len(entries):,}")
    if root_of([leaf_hash(entry) for entry in entries[: checkpoint.size]]) != checkpoint.root:
        raise RebuildError(f"the log's first {checkpoint.size:,} entries do not match its signed checkpoint: "
                           "an entry changed after it was logged")
    return checkpoint.size


def _fold_all(entries: list[bytes], covered: int, progress, writer: BulkWriter, checks: SignatureChecks) -> LogFold:
    """`covered`: how many entries (from the first) the signed tree vouches for (see the module's docstring)."""
    fold, rows = LogFold(OPERATOR, operator_public(), webauthn=policy()), []
    for entry in entries:
        try:
            if fold.size < covered:
                folded = fold.apply_entry(entry, signature_checked=True)
            else:
                folded = fold.apply_entry(entry, signatures=checks)
        except EnvelopeError as error:
            _refuse_bad_signature(checks.first_failure())  # an earlier entry's signature fails first
            raise RebuildError(f"the log does not verify: {EntryError(fold.size, error.code, error.message)}") \
                from None
        except Exception:
            _refuse_bad_signature(checks.first_failure())
            raise
        rows.append(_index_row(folded, fold))
        if len(rows) == BATCH * 50:
            writer.insert_values(StatementIndex, INDEX_COLUMNS, rows)
            rows = []
            progress(f"folded {fold.size:,} entries")
    writer.insert_values(StatementIndex, INDEX_COLUMNS, rows)
    return fold


def _refuse_bad_signature(failure: Failure | None) -> None:
    if failure:
        raise RebuildError(f"the log does not verify: {EntryError(*failure)}")


INDEX_COLUMNS = ("idx", "type", "party", "seq", "time", "plan", "subject", "signed_by", "member")


def _index_row(folded: Folded, fold: LogFold) -> tuple:
    """`statement_columns` as a row in INDEX_COLUMNS' order, without a model object per entry."""
    columns = statement_columns(folded, fold)
    return tuple(columns[name] for name in INDEX_COLUMNS)


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
        for k in fold.keys.keys.values() if not k.registrar
    ])
    plans = list(state.plans.values())
    for start in range(0, len(plans), BATCH):
        _insert_plans([plan_rows(plan) for plan in plans[start:start + BATCH]], writer)
        if start and start % (BATCH * 25) == 0:
            progress(f"wrote {start:,} plans")
    for incident_id in state.incidents:
        write_incident(fold, incident_id)
    records = list(state.attestations.values())
    for start in range(0, len(records), BATCH):
        rows, lines = attestation_rows(records[start:start + BATCH])
        writer.insert(Attestation, rows)
        writer.insert(AttestedLine, lines)


def _insert_plans(batch: list[PlanRows], writer: BulkWriter) -> None:
    """The same rows `write_plan` saves one plan at a time, written for a whole batch."""
    writer.insert(Plan, [rows.plan for rows in batch])
    legs = [leg for rows in batch for leg in rows.legs]
    writer.assign_ids(legs)
    writer.insert(Leg, legs)
    children: dict[type, list] = {}
    for rows in batch:
        for leg, items in rows.leg_children:
            for item in items:
                item.leg = leg
                children.setdefault(type(item), []).append(item)
    for model in (ManifestLine, Vehicle, Inspection):
        writer.insert(model, children.get(model, []))
    writer.insert(Position, [p for rows in batch for p in rows.positions])
    writer.insert(Clock, [c for rows in batch for c in rows.clocks])


def _last_times(kind: str) -> dict:
    """When each subject (party, route) was last registered or defined, from the statement index."""
    return dict(StatementIndex.objects.filter(type=kind).order_by("idx").values_list("subject", "time"))
