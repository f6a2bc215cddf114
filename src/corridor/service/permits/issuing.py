"""Issuing and revoking permits as the log moves: a follow-up of `record()` (ledger/record.py).

After any statement that changes a plan, in the same transaction: each live permit the plan no longer
supports (amended, withdrawn, refused, cancelled, expired) is revoked, then each vehicle of a leg cleared
for passage without a live permit gets one, signed with the service's permit key, its digest on the log
(permit.issue, by the operator), the signed bytes kept here (IssuedPermit) for the plan's parties."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max

from ...engine.state import PlanState
from ...engine.times import parse_time
from ...fold import Folded, LogFold
from ...permits import document, issue
from ...permits.sign import sign_permit
from .. import clock
from ..ledger.keys import OPERATOR
from ..ledger.models import SignedCheckpoint, StatementIndex, TreeState
from ..ledger.record import Builder, custodial, transaction_memo
from ..passages.private import current_plates, current_window
from ..passages.projection import at
from .keys import permit_key
from .models import IssuedPermit, PermitCheckpoint

CONSENT_TYPES = ("plan.consent", "slot.confirm")
PERMIT_TYPES = ("permit.issue", "permit.revoke")
EMPTY_ROOT = hashlib.sha256(b"").digest()  # RFC 6962: the root of the empty tree


@dataclass(frozen=True)
class SignedPermit:
    """The private part of a permit.issue builder: what `store_permit` keeps once the log accepted it."""

    permit: document.Permit
    signed: bytes


def permits_on_change(folded: Folded, fold: LogFold) -> list[Builder]:
    if folded.statement is None or folded.type in PERMIT_TYPES:
        return []  # key statements change no plan; a permit statement calls for no other
    builders: list[Builder] = []
    for plan_id in folded.plans:
        plan = fold.state.plans.get(plan_id)
        if plan is None or (not plan.permits and plan.status not in issue.PASSAGE_STATUSES):
            continue
        builders += [custodial(OPERATOR, "permit.revoke", {"permit": stale.permit, "reason": stale.reason},
                               plan=plan_id) for stale in issue.stale_permits(plan)]
        builders += _issue_builders(plan, fold)
    return builders


def permits_due(plan: PlanState, fold: LogFold) -> list[Builder]:
    """The permit.issue statements the plan calls for now (for `record_prepared`, once the requester handed
    in the clear plates and window its own commitments hide: passages/openings.py)."""
    return _issue_builders(plan, fold) if plan.status in issue.PASSAGE_STATUSES else []


def remember_consents(folded: Folded, fold: LogFold, private: object) -> None:
    """Keep this transaction's consents and confirmations by plan (their index rows are written at its end,
    so a permit issued in the same transaction would not find them in the table)."""
    if folded.statement is not None and folded.type in CONSENT_TYPES:
        seen = transaction_memo("permit_consents", dict)
        seen.setdefault(folded.statement.plan, {})[(folded.type, folded.statement.party)] = folded.index


def store_permit(folded: Folded, fold: LogFold, private: object) -> None:
    if folded.type == "permit.issue" and isinstance(private, SignedPermit):
        permit = private.permit
        row = IssuedPermit.objects.create(plan_id=permit.plan, permit_id=permit.id, leg_id=permit.leg,
                                          vehicle_id=permit.vehicle, digest=document.digest(private.signed),
                                          signed=private.signed, log_index=folded.index,
                                          valid_until=valid_until(permit))
        PermitCheckpoint.objects.bulk_create([PermitCheckpoint(permit=row, **fields) for fields in where_valid(permit)])


def where_valid(permit: document.Permit) -> list[dict]:
    """The permit's PermitCheckpoint rows (but the permit): each checkpoint it names, with its window give or
    take the tolerance, the span an officer's device accepts it in."""
    span = {"valid_from": at(permit.start - permit.tolerance), "valid_until": valid_until(permit)}
    return [{"checkpoint": checkpoint} | span for checkpoint in permit.checkpoints]


def valid_until(permit: document.Permit) -> datetime:
    """The last moment a device accepts the permit (permits/verify.py, static/checkpoint-app/permit.js refuse
    it as `permit.expired` after its window's end plus the tolerance)."""
    return at(permit.end + permit.tolerance)


def mark_revoked(folded: Folded, fold: LogFold, private: object) -> None:
    """The revocation list (GET /log/permits/revoked.txt, revocation.py) reads revoked permits by this column."""
    if folded.type == "permit.revoke":
        payload = folded.statement.payload
        IssuedPermit.objects.filter(plan_id=folded.statement.plan, permit_id=payload.permit).update(
            revoked_index=folded.index, reason=payload.reason)


def _issue_builders(plan: PlanState, fold: LogFold) -> list[Builder]:
    due = issue.due_permits(plan)
    window = current_window(plan) if due else None
    if window is None:
        return []  # the service does not hold the window in clear (a requester that signs its own slots)
    plates = {(row.leg_id, row.vehicle_id): row.plate for row in current_plates(plan)}
    consents, log, now = _consent_indexes(plan), _log_checkpoint(), clock.now()
    builders = []
    for item in due:
        if (item.leg, item.vehicle) not in plates:
            continue
        route = fold.state.routes[plan.content.leg(item.leg).route]
        permit = issue.build_permit(plan, route, item, issuer=OPERATOR, plate=plates[(item.leg, item.vehicle)],
                                    window=(parse_time(window.start, "start"), parse_time(window.end, "end")),
                                    consents=consents, log=log, now=now)
        signed = sign_permit(permit, permit_key())
        payload = {"permit": permit.id, "leg": permit.leg, "vehicle": permit.vehicle, "version": plan.version,
                   "digest": document.digest(signed), "consents": list(consents)}
        build = custodial(OPERATOR, "permit.issue", payload, plan=plan.id)
        build.private = SignedPermit(permit, signed)  # type: ignore[attr-defined]
        builders.append(build)
    return builders


def _consent_indexes(plan: PlanState) -> tuple[int, ...]:
    """The log indexes of each required party's latest consent and slot confirmation: on a plan cleared for
    passage, those to its current version and slot."""
    latest = {(row["type"], row["party"]): row["last"] for row in
              StatementIndex.objects.filter(plan=plan.id, type__in=CONSENT_TYPES, party__in=list(plan.required))
              .values("type", "party").annotate(last=Max("idx"))}
    latest |= transaction_memo("permit_consents", dict).get(plan.id, {})
    return tuple(sorted(index for (_, party), index in latest.items() if party in plan.required))


def _log_checkpoint() -> tuple[int, bytes]:
    """The latest signed checkpoint (what an officer's device can check the log against), else the tree."""
    signed = SignedCheckpoint.objects.order_by("-size").values_list("size", "root").first()
    if signed is None:
        signed = TreeState.objects.values_list("size", "root").first()
    return (signed[0], bytes(signed[1])) if signed else (0, EMPTY_ROOT)
