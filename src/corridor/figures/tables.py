"""The public tables, computed from the folded log: plans, legs, manifest lines, incidents, who is waited on,
aggregates (stats) and attestations. One definition per table (columns with their HXL hashtags, and the
columns that name a row), used by the service's lists and downloads, `corridor export` and `corridor audit`.

Only what the log shows in clear reaches these rows: a plan's movement window appears once the plan is
closed and its window revealed on the log; plates and crew are never in a table. docs/figures.md defines
every column and the order of the rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from ..engine.quantity import amount
from ..engine.state import CLOSED_STATUSES, PlanState, State
from ..engine.times import parse_time
from .attested import ATTESTATIONS, attestation_rows, attested_stats
from .fold import FigureFold
from .numbers import iso, median_days, month, tonnes
from .table import Table

PLANS = Table("plans", (
    ("plan", "#activity+id"), ("requester", "#org+requester+code"), ("requester_name", "#org+requester+name"),
    ("linkage", "#activity+linkage"), ("status", "#status"), ("version", "#meta+version"),
    ("legs", "#indicator+legs+num"),
    ("vehicles", "#indicator+vehicles+num"), ("weight_kg", "#indicator+weight_kg+num"),
    ("submitted_at", "#date+submitted"), ("slot_start", "#date+slot+start"), ("slot_end", "#date+slot+end"),
    ("closed_at", "#date+closed"), ("waiting_on", "#org+awaited+list"),
), key=("plan",))
LEGS = Table("legs", (
    ("plan", "#activity+id"), ("leg", "#activity+leg+id"), ("route", "#loc+route+code"),
    ("route_name", "#loc+route+name"), ("status", "#status+plan"), ("phase", "#status+leg"),
    ("checkpoint", "#loc+checkpoint+code"),
    ("requester", "#org+requester+code"), ("submitted_at", "#date+submitted"), ("cleared_at", "#date+cleared"),
    ("arrived_at", "#date+arrived"), ("released_at", "#date+released"), ("departed_at", "#date+departed"),
    ("delivered_at", "#date+delivered"), ("weight_kg", "#indicator+weight_kg+num"),
), key=("plan", "leg"))
LINES = Table("lines", (
    ("plan", "#activity+id"), ("leg", "#activity+leg+id"), ("line", "#item+id"), ("item", "#item+name"),
    ("category", "#item+type"), ("quantity", "#indicator+quantity+num"), ("unit", "#indicator+unit"),
    ("weight_kg", "#indicator+weight_kg+num"), ("carried", "#indicator+carried+num"),
    ("refused_by", "#org+refused+list"), ("good", "#indicator+received+good+num"),
    ("damaged", "#indicator+received+damaged+num"), ("lost", "#indicator+received+lost+num"),
), key=("plan", "leg", "line"))
INCIDENTS = Table("incidents", (
    ("incident", "#event+id"), ("reporter", "#org+reporter+code"), ("category", "#event+type"),
    ("place", "#loc+name"), ("lat", "#geo+lat"), ("lon", "#geo+lon"), ("occurred_from", "#date+start"),
    ("occurred_to", "#date+end"), ("plan", "#activity+id"), ("claim", "#description+claim"),
    ("disputed_by", "#org+disputing+list"), ("disputes", "#description+disputes"), ("reported_at", "#date+reported"),
    ("signed_by", "#meta+signed_by"), ("member", "#meta+signed_by+member"),
), key=("incident",))
WAITING = Table("waiting", (
    ("party", "#org+code"), ("party_name", "#org+name"), ("plan", "#activity+id"), ("status", "#status"),
    ("waiting_now", "#indicator+waiting_now"), ("waiting_since", "#date+waiting_since"),
    ("waited_seconds", "#indicator+waited+seconds+num"),
), key=("plan", "party"))
STATS = Table("stats", (
    ("source", "#meta+source"), ("dimension", "#meta+dimension"), ("key", "#meta+key"),
    ("passages", "#indicator+passages+num"), ("tonnes", "#indicator+tonnes+num"),
    ("weighed", "#indicator+weighed+num"), ("median_days", "#indicator+median_days+num"),
), key=("source", "dimension", "key"))
INSPECTIONS = Table("inspections", (
    ("plan", "#activity+id"), ("leg", "#activity+leg+id"), ("inspection", "#meta+inspection+num"),
    ("checkpoint", "#loc+checkpoint+code"), ("checkpoint_name", "#loc+checkpoint+name"),
    ("inspected_at", "#date+inspected"), ("party", "#org+inspecting+code"), ("signed_by", "#meta+signed_by"),
    ("member", "#meta+signed_by+member"), ("decision", "#status+decision"), ("line", "#item+id"),
    ("item", "#item+name"), ("vehicle", "#item+vehicle+id"), ("unit", "#indicator+unit"),
    ("declared", "#indicator+declared+num"), ("found", "#indicator+found+num"), ("codes", "#status+discrepancy+list"),
    ("offloaded", "#indicator+offloaded"), ("seals_intact", "#meta+seals+intact+list"),
    ("seals_broken", "#meta+seals+broken+list"), ("seals_applied", "#meta+seals+applied+list"),
), key=("plan", "leg", "inspection", "line"))
TABLES = {table.name: table for table in (PLANS, LEGS, LINES, INCIDENTS, WAITING, STATS, ATTESTATIONS, INSPECTIONS)}


def public_tables(fold: FigureFold) -> dict[str, list[dict]]:
    """Every public table at the fold's size, rows in their defined order."""
    state = fold.state
    waiting = waiting_rows(state)
    return {
        "plans": plan_rows(state), "legs": leg_rows(state), "lines": line_rows(state),
        "incidents": incident_rows(fold), "waiting": waiting,
        "stats": [*corridor_stats(state, waiting), *attested_stats(state)], "attestations": attestation_rows(state),
        "inspections": inspection_rows(fold),
    }


def _by_submission(state: State) -> list[PlanState]:
    """Plans, latest submitted first (ties: by plan id)."""
    plans = sorted(state.plans.values(), key=lambda plan: plan.id)
    return sorted(plans, key=lambda plan: -plan.submitted_at)


def plan_weight(plan: PlanState) -> int:
    return sum(line.weight_kg for leg in plan.content.legs for line in leg.lines)


def plan_rows(state: State) -> list[dict]:
    return [_plan_row(state, plan) for plan in _by_submission(state)]


def _plan_row(state: State, plan: PlanState) -> dict:
    window = plan.slot if plan.slot is not None and plan.status in CLOSED_STATUSES else None
    return {
        "plan": plan.id, "requester": plan.requester, "requester_name": state.parties[plan.requester].name,
        "linkage": plan.content.linkage, "status": plan.status, "version": plan.version,
        "legs": len(plan.content.legs), "vehicles": sum(len(leg.vehicles) for leg in plan.content.legs),
        "weight_kg": plan_weight(plan), "submitted_at": iso(plan.submitted_at),
        "slot_start": iso(window.start) if window else None, "slot_end": iso(window.end) if window else None,
        "closed_at": iso(plan.closed_at), "waiting_on": ";".join(sorted(plan.waiting_since)),
    }


def cleared_at(plan: PlanState) -> int | None:
    """When the last required consent to the current version came, once every required party consents."""
    times = [p.at for p in plan.positions.values() if p.stance == "consented"]
    return max(times) if times and len(times) == len(plan.positions) else None


def leg_rows(state: State) -> list[dict]:
    rows = []
    for plan in _by_submission(state):
        rows += sorted((_leg_row(state, plan, leg) for leg in plan.content.legs), key=lambda row: row["leg"])
    return rows


def _leg_row(state: State, plan: PlanState, leg) -> dict:
    live = plan.legs[leg.id]
    return {
        "plan": plan.id, "leg": leg.id, "route": leg.route, "route_name": state.routes[leg.route].name,
        "status": plan.status, "phase": live.phase, "checkpoint": live.checkpoint, "requester": plan.requester,
        "submitted_at": iso(plan.submitted_at), "cleared_at": iso(cleared_at(plan)),
        "arrived_at": iso(live.arrivals[0][0] if live.arrivals else None), "released_at": iso(live.released_at),
        "departed_at": iso(live.departed_at), "delivered_at": iso(live.delivered_at),
        "weight_kg": sum(line.weight_kg for line in leg.lines),
    }


def line_rows(state: State) -> list[dict]:
    rows = []
    for plan in sorted(state.plans.values(), key=lambda plan: plan.id):
        refused = _refused_lines(plan)
        for leg in sorted(plan.content.legs, key=lambda leg: leg.id):
            rows += [_line_row(plan, leg, line, refused.get((leg.id, line.id), [])) for line in leg.lines]
    return rows


def _refused_lines(plan: PlanState) -> dict[tuple[str, str], list[str]]:
    refused: dict[tuple[str, str], list[str]] = {}
    for party, position in plan.positions.items():
        for leg_id, line_id in position.lines:
            refused.setdefault((leg_id, line_id), []).append(party)
    return refused


def _line_row(plan: PlanState, leg, line, refused_by: list[str]) -> dict:
    live = plan.legs[leg.id]
    receipt = next((r for r in live.receipts if r.line == line.id), None)
    # quantities as numbers: ints as they were, decimal strings ("2.5") as exact Decimals (written 2.5)
    return {
        "plan": plan.id, "leg": leg.id, "line": line.id, "item": line.item, "category": line.category,
        "quantity": amount(line.quantity), "unit": line.unit, "weight_kg": line.weight_kg,
        "carried": amount(live.carried.get(line.id, 0)), "refused_by": ";".join(sorted(refused_by)),
        "good": amount(receipt.good) if receipt else None, "damaged": amount(receipt.damaged) if receipt else None,
        "lost": amount(receipt.lost) if receipt else None,
    }


def incident_rows(fold: FigureFold) -> list[dict]:
    """Each claim, latest reported first (ties: by incident id), with its disputes beside it in log order."""
    incidents = sorted(fold.state.incidents.items())
    return [_incident_row(incident_id, record, *fold.incident_signers.get(incident_id, ("", None)))
            for incident_id, record in sorted(incidents, key=lambda item: -item[1].reported_at)]


# A dispute's text is any party's: a `|`, a backslash or a line break in it is escaped, so that ` | ` only ever
# separates two disputes and no text can add a "party: …" that party never signed.
_ESCAPED_IN_DISPUTES = str.maketrans({"\\": "\\\\", "|": "\\|", "\n": "\\n", "\r": "\\r"})


def joined_disputes(disputes: Iterable[tuple[str, str]]) -> str:
    """The `disputes` column: each (party, text) as `party: text`, in the order given, joined by ` | `."""
    return " | ".join(f"{party}: {text.translate(_ESCAPED_IN_DISPUTES)}" for party, text in disputes)


def _incident_row(incident_id: str, record, signed_by: str, member: str | None) -> dict:
    claim = record.claim
    return {
        "incident": incident_id, "reporter": record.reporter, "category": claim.category, "place": claim.place.name,
        "lat": claim.place.lat, "lon": claim.place.lon, "occurred_from": iso(parse_time(claim.occurred_from)),
        "occurred_to": iso(parse_time(claim.occurred_to)) if claim.occurred_to else None, "plan": record.plan,
        "claim": claim.text, "disputed_by": ";".join(d.party for d in record.disputes),
        "disputes": joined_disputes((d.party, d.text) for d in record.disputes),
        "reported_at": iso(record.reported_at), "signed_by": signed_by, "member": member,
    }


def inspection_rows(fold: FigureFold) -> list[dict]:
    """One row per line of each inspection: by plan id, then leg id, then inspection (in log order), then in the
    order the leg lists its lines. Declared is the line's quantity in the current content; found, codes and
    offloaded as the inspecting party signed them; each seal's check on every row of its inspection. No plate:
    a vehicle is named by its id."""
    rows = []
    for plan in sorted(fold.state.plans.values(), key=lambda plan: plan.id):
        for leg in sorted(plan.content.legs, key=lambda leg: leg.id):
            for n, (moment, party, report) in enumerate(plan.legs[leg.id].inspections, start=1):
                signed_by, member = fold.inspection_signers.get((plan.id, leg.id, n), ("", None))
                rows += _inspection_rows(fold.state, plan, leg, n, (moment, party, report), signed_by, member)
    return rows


def _inspection_rows(state: State, plan: PlanState, leg, n: int, inspection, signed_by: str, member) -> list[dict]:
    moment, party, report = inspection
    route = state.routes.get(leg.route)
    checkpoint = next((c for c in route.checkpoints if c.id == report.checkpoint), None) if route else None
    findings = {finding.line: finding for finding in report.findings}
    seals = {
        "seals_intact": ";".join(s.seal for s in report.seals if s.intact),
        "seals_broken": ";".join(s.seal for s in report.seals if not s.intact),
        "seals_applied": ";".join(applied.seal for applied in report.applied),
    }
    rows = []
    for line in leg.lines:
        finding = findings.get(line.id)
        rows.append({
            "plan": plan.id, "leg": leg.id, "inspection": n, "checkpoint": report.checkpoint,
            "checkpoint_name": checkpoint.name if checkpoint else report.checkpoint, "inspected_at": iso(moment),
            "party": party, "signed_by": signed_by, "member": member, "decision": report.decision, "line": line.id,
            "item": line.item, "vehicle": line.vehicle, "unit": line.unit, "declared": line.quantity,
            "found": finding.found if finding else None, "codes": ";".join(finding.codes) if finding else "",
            "offloaded": line.id in report.offload, **seals,
        })
    return rows


def waiting_rows(state: State) -> list[dict]:
    """One row per plan and party the plan waits or waited on, counted up to the log's clock (the time of
    its latest statement). Those waited on now come first, longest waiting first; then the others; ties
    by plan id, then party id."""
    rows = [_waiting_row(state, plan, party) for plan in state.plans.values()
            for party in set(plan.waited) | set(plan.waiting_since)]
    rows.sort(key=lambda row: (row["plan"], row["party"]))
    return sorted(rows, key=lambda row: (not row["waiting_now"], row["waiting_since"] or ""))


def _waiting_row(state: State, plan: PlanState, party: str) -> dict:
    since = plan.waiting_since.get(party)
    live = 0 if since is None else max(state.clock - since, 0)
    return {
        "party": party, "party_name": state.parties[party].name, "plan": plan.id, "status": plan.status,
        "waiting_now": since is not None, "waiting_since": iso(since),
        "waited_seconds": plan.waited.get(party, 0) + live,
    }


def stat(source: str, dimension: str, key: str, passages: int, kg: int, weighed: int, median=None) -> dict:
    return {"source": source, "dimension": dimension, "key": key, "passages": passages, "tonnes": tonnes(kg),
            "weighed": weighed, "median_days": median}


def corridor_stats(state: State, waiting: list[dict]) -> Iterator[dict]:
    """Passages requested on Corridor (every manifest line has a weight, so all are weighed): by month of
    submission and status, by route, by requester, by category of goods; and per party waited on."""
    plans = sorted(state.plans.values(), key=lambda plan: plan.id)
    by_month = _group((f"{month(p.submitted_at)}\t{p.status}", p.id, plan_weight(p)) for p in plans)
    for key, (ids, kg) in sorted(by_month.items()):
        when, status = key.split("\t")
        yield stat("corridor", "month:" + status, when, len(ids), kg, len(ids))
    dimensions = {"route": lambda p, leg, line: leg.route, "requester": lambda p, leg, line: p.requester,
                  "category": lambda p, leg, line: line.category}
    for dimension, key_of in dimensions.items():
        groups = _group((key_of(p, leg, line), p.id, line.weight_kg)
                        for p in plans for leg in p.content.legs for line in leg.lines)
        for key, (ids, kg) in sorted(groups.items()):
            yield stat("corridor", dimension, key, len(ids), kg, len(ids))
    yield from _waited_on(state, waiting)


def _group(items) -> dict[str, tuple[set[str], int]]:
    """(key, plan id, kg) -> per key: the plans in it and their kilograms."""
    groups: dict[str, tuple[set[str], int]] = {}
    for key, plan_id, kg in items:
        ids, total = groups.get(key, (set(), 0))
        ids.add(plan_id)
        groups[key] = (ids, total + kg)
    return groups


def _waited_on(state: State, waiting: list[dict]) -> Iterator[dict]:
    per_party: dict[str, list[dict]] = defaultdict(list)
    for row in waiting:
        per_party[row["party"]].append(row)
    for party, rows in sorted(per_party.items()):
        kg = sum(plan_weight(state.plans[row["plan"]]) for row in rows)
        yield stat("corridor", "waited on", party, len(rows), kg, len(rows),
                   median_days([row["waited_seconds"] for row in rows]))
