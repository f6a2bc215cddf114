"""A plan's signed statements as the log holds them (payloads included), and what its inspections found.

The plan page and `GET /api/v1/plans/{id}` show what each statement says and every inspection line by line.
Both are read from the plan's own entries (one query for their indexes, one for their bytes). A plan has tens of
statements, but nothing stops a party from adding thousands of notes to one: so the timeline is read a window
at a time (`timeline_window`, the latest TIMELINE_PAGE by default, earlier ones by `before`), and only the
versions and inspections are read whole, as the page needs every one of them. Payloads are public (the log
is), and carry commitments, never plates, windows or crew; those are added from the private tables only for the
plan's parties.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ...engine.state import PlanState, State
from ...ledger.envelope import unseal
from ..ledger.models import LogEntry, StatementIndex
from .offline import RELAY, relay_record


@dataclass(frozen=True)
class Signed:
    """One statement of the plan: its index row (who, when, how signed) and the statement as signed."""

    row: StatementIndex
    statement: dict

    @property
    def payload(self) -> dict:
        payload = self.statement.get("payload")
        return payload if isinstance(payload, dict) else {}


TIMELINE_PAGE = 100  # statements a timeline shows at once (the plan page, GET /plans/{id})
MAX_TIMELINE_PAGE = 500  # the most GET /plans/{id}/timeline gives in one page


def plan_statements(plan_id: str, types: tuple[str, ...] | None = None) -> list[Signed]:
    """The plan's statements in log order (only `types`, if given: then through the (plan, type, idx) index,
    whatever else the plan holds)."""
    if types is None:
        return with_statements(list(StatementIndex.objects.filter(plan=plan_id).order_by("idx")))
    # one part per type: asked for `type IN (...) ORDER BY idx`, SQLite reads every statement of the plan through
    # (plan, idx) to spare itself a sort, notes and all; each part reads only its type's
    parts = [StatementIndex.objects.filter(plan=plan_id, type=kind).order_by() for kind in types]
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return with_statements(list(rows.order_by("idx")))


def with_statements(rows: list[StatementIndex]) -> list[Signed]:
    """Each index row with its statement as signed (one query for the entries' bytes)."""
    data = dict(LogEntry.objects.filter(idx__in=[row.idx for row in rows]).values_list("idx", "data"))
    return [Signed(row, unseal(bytes(data[row.idx])).statement) for row in rows if row.idx in data]


def timeline_window(plan_id: str, before: int | None = None,
                    size: int = TIMELINE_PAGE) -> tuple[list[StatementIndex], int | None]:
    """The plan's `size` latest statements below log index `before` (all of them if None), in log order, and the
    `before` that reads the ones earlier still (None when these are the first). A keyset read on (plan, idx):
    any window of any plan costs the same."""
    rows = StatementIndex.objects.filter(plan=plan_id)
    if before is not None:
        rows = rows.filter(idx__lt=before)
    newest = list(rows.order_by("-idx")[:size + 1])  # one more than shown: are there earlier ones?
    shown = newest[:size][::-1]
    return shown, (shown[0].idx if len(newest) > size else None)


def inspections(state: State, plan: PlanState, statements: list[Signed] | None = None) -> list[dict]:
    """Every inspection of the plan (those signed offline too, once applied), in log order: declared against
    found line by line (with the vehicle that carries each line), discrepancy codes, seals checked (intact or
    broken) and applied, lines offloaded, the decision and who inspected (the party, and the member whose passkey
    signed)."""
    if statements is None:
        statements = plan_statements(plan.id, ("leg.inspect", RELAY))
    return [_inspection(state, plan, signed) for signed in (_effective(s, state) for s in statements)
            if signed is not None and signed.row.type == "leg.inspect"]


def _effective(signed: Signed, state: State) -> Signed | None:
    """A statement as it took effect: a relay as the statement signed offline it carries (dated when signed, by
    its party and passkey), if the rules applied it; any other statement as it is."""
    if signed.row.type != RELAY:
        return signed
    inner = signed.payload.get("statement") or {}
    record = relay_record(signed.row, state)
    if record is None or record.code is not None:
        return None
    from ..ledger.record import known_fold

    key = known_fold().key_of(str(inner.get("key", "")))
    row = StatementIndex(idx=signed.row.idx, type=record.type, party=record.party, seq=signed.row.seq,
                         time=datetime.fromtimestamp(record.signed, UTC), plan=signed.row.plan, signed_by="passkey",
                         member=key.member if key is not None else None)
    return Signed(row, inner)


def _inspection(state: State, plan: PlanState, signed: Signed) -> dict:
    payload, row = signed.payload, signed.row
    leg = plan.content.leg(str(payload.get("leg", "")))
    offloaded = set(payload.get("offload") or ())
    findings = {f.get("line"): f for f in payload.get("findings") or () if isinstance(f, dict)}
    lines = []
    for line in leg.lines if leg is not None else ():
        finding = findings.get(line.id, {})
        found = finding.get("found")
        lines.append({"line": line.id, "item": line.item, "unit": line.unit, "vehicle": line.vehicle,
                      "declared": line.quantity, "found": found,
                      "difference": None if found is None else _difference(found, line.quantity),
                      "codes": list(finding.get("codes") or ()), "offloaded": line.id in offloaded})
    return {
        "index": row.idx, "at": row.time.strftime("%Y-%m-%dT%H:%M:%SZ"), "party": row.party,
        "party_name": _party_name(state, row.party), "signed_by": row.signed_by, "member": row.member,
        "leg": payload.get("leg"), "route": leg.route if leg else None,
        "checkpoint": payload.get("checkpoint"),
        "checkpoint_name": checkpoint_name(state, leg.route if leg else None, payload.get("checkpoint")),
        "decision": payload.get("decision"), "text": payload.get("text", ""), "lines": lines,
        "undeclared": [dict(u) for u in payload.get("undeclared") or () if isinstance(u, dict)],
        "seals": [{"seal": s.get("seal"), "intact": bool(s.get("intact"))} for s in payload.get("seals") or ()
                  if isinstance(s, dict)],
        "seals_applied": [_applied_seal(s) for s in payload.get("applied") or ()],
        "offloaded": sorted(offloaded),
    }


def _applied_seal(applied) -> str:
    """A seal put on at the inspection, with the vehicle it went on when the inspection names one."""
    if not isinstance(applied, dict):
        return str(applied)
    return f"{applied.get('seal')} ({applied['vehicle']})" if applied.get("vehicle") else str(applied.get("seal"))


def _difference(found, declared) -> str | int:
    """found - declared, exactly (quantities may be decimal strings)."""
    from decimal import Decimal, InvalidOperation

    if isinstance(found, int) and isinstance(declared, int):
        return found - declared
    try:
        difference = Decimal(str(found)) - Decimal(str(declared))
    except InvalidOperation:
        return ""
    return str(difference.normalize()) if difference != difference.to_integral() else int(difference)


def _party_name(state: State, party: str) -> str:
    record = state.parties.get(party)
    return record.name if record is not None else party


def checkpoint_name(state: State, route_id: str | None, checkpoint_id: object) -> str:
    """A checkpoint's name (looked up on the leg's route, else on any route), or its id if unknown."""
    routes = [state.routes[route_id]] if route_id in state.routes else list(state.routes.values())
    for route in routes:
        for checkpoint in route.checkpoints:
            if checkpoint.id == checkpoint_id:
                return checkpoint.name
    return "" if checkpoint_id is None else str(checkpoint_id)


def by_vehicle(inspection: dict, plates: dict[tuple[str, str], str]) -> list[dict]:
    """An inspection's lines grouped by the vehicle that carries them (lines carried by the leg as a whole
    last), each vehicle with its plate when the reader may see it (`plates`: (leg, vehicle) -> plate)."""
    groups: dict[str | None, list[dict]] = {}
    for line in inspection["lines"]:
        groups.setdefault(line["vehicle"], []).append(line)
    ordered = sorted(groups.items(), key=lambda item: (item[0] is None, item[0] or ""))
    return [{"vehicle": vehicle, "plate": plates.get((inspection["leg"], vehicle), "") if vehicle else "",
             "lines": lines} for vehicle, lines in ordered]
