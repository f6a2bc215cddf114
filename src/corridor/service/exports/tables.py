"""The public tables' rows built from the read models, for the API's filtered, paginated lists and plan
detail (where a party's reader also sees its own plans' windows). The tables themselves (columns, HXL
hashtags) and every public download and aggregate are computed from the log by `corridor.figures`; a test
holds these rows equal to the log-derived ones (tests/service/exports/test_read_models.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.db.models import Count, F, Q

from ...engine.state import CLOSED_STATUSES
from ...figures.tables import INCIDENTS, LEGS, LINES, PLANS, TABLES, WAITING, joined_disputes
from .. import clock
from ..incidents.models import Dispute, Incident
from ..ledger.models import StatementIndex
from ..passages.models import Clock, Leg, ManifestLine, Plan
from ..passages.projection import at

__all__ = ["INCIDENTS", "LEGS", "LINES", "PLANS", "TABLES", "WAITING"]


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def plan_rows(plans: Iterable[Plan], private_ok: set[str] = frozenset()) -> Iterator[dict]:
    """`private_ok`: plans whose movement window the reader may see before it is over."""
    for plan in plans:
        hide = plan.status not in CLOSED_STATUSES and plan.id not in private_ok
        yield {
            "plan": plan.id, "requester": plan.requester_id, "requester_name": plan.requester.name,
            "linkage": plan.linkage, "status": plan.status, "version": plan.version, "legs": plan.leg_count,
            "vehicles": plan.vehicles,
            "weight_kg": plan.weight_kg, "submitted_at": iso(plan.submitted_at),
            "slot_start": None if hide else iso(plan.slot_start), "slot_end": None if hide else iso(plan.slot_end),
            "closed_at": iso(plan.closed_at), "waiting_on": ";".join(sorted(plan.awaited)),
        }


def plans_query(filter_q: Q | None = None):
    """Newest first, through the (submitted_at, id) index; the rows' leg counts and waits come per page
    (`with_awaited`), never as an aggregate over every plan."""
    return Plan.objects.filter(filter_q or Q()).select_related("requester").order_by("-submitted_at", "id")


def with_awaited(plans: list[Plan]) -> list[Plan]:
    """The page's plans with who each waits on now and how many legs it has: two queries by primary key."""
    legs = dict(Leg.objects.filter(plan_id__in=[p.id for p in plans]).values("plan_id")
                .annotate(n=Count("id")).order_by().values_list("plan_id", "n"))
    awaited = defaultdict(list)
    for plan_id, party in Clock.objects.filter(plan_id__in=[p.id for p in plans], waiting_since__isnull=False) \
            .values_list("plan_id", "party_id"):
        awaited[plan_id].append(party)
    for plan in plans:
        plan.awaited = awaited.get(plan.id, [])
        plan.leg_count = legs.get(plan.id, 0)
    return plans


def leg_rows(legs: Iterable[Leg]) -> Iterator[dict]:
    for leg in legs:
        plan = leg.plan
        yield {
            "plan": plan.id, "leg": leg.leg_id, "route": leg.route_id, "route_name": leg.route.name,
            "status": plan.status, "phase": leg.phase, "checkpoint": leg.checkpoint, "requester": plan.requester_id,
            "submitted_at": iso(plan.submitted_at), "cleared_at": iso(plan.cleared_at),
            "arrived_at": iso(leg.arrived_at), "released_at": iso(leg.released_at),
            "departed_at": iso(leg.departed_at), "delivered_at": iso(leg.delivered_at), "weight_kg": leg.weight_kg,
        }


def legs_query(filter_q: Q | None = None):
    legs = Leg.objects.filter(filter_q or Q()).select_related("plan", "route")
    return legs.order_by("-submitted_at", "plan_id", "leg_id")


def line_rows(lines: Iterable[ManifestLine]) -> Iterator[dict]:
    for line in lines:
        yield {
            "plan": line.leg.plan_id, "leg": line.leg.leg_id, "line": line.line_id, "item": line.item,
            "category": line.category, "quantity": line.quantity, "unit": line.unit, "weight_kg": line.weight_kg,
            "carried": line.carried, "refused_by": ";".join(line.refused_by), "good": line.good,
            "damaged": line.damaged, "lost": line.lost,
        }


def lines_query(filter_q: Q | None = None):
    lines = ManifestLine.objects.filter(filter_q or Q()).select_related("leg")
    return lines.order_by("leg__plan_id", "leg__leg_id", "id")


def incident_rows(incidents: Iterable[Incident]) -> Iterator[dict]:
    """Each claim, with its disputes beside it and how the claim was signed (`signed_by`, `member`)."""
    for chunk in _chunks(incidents, 500):
        _read_latest_disputes(chunk)
        signers = {subject: (kind, member) for subject, kind, member in StatementIndex.objects.filter(
            type="incident.report", subject__in=[i.id for i in chunk]).values_list("subject", "signed_by", "member")}
        yield from (_incident_row(incident, *signers.get(incident.id, ("", None))) for incident in chunk)


def _incident_row(incident: Incident, signed_by: str, member: str | None) -> dict:
    """`disputed_by` and `disputes`: the claim's latest LATEST_DISPUTES disputes, in log order (incidents_query
    reads no more); `dispute_count`: how many it has in all (GET /incidents/{id}/disputes lists every one)."""
    disputes = latest_disputes(incident)
    return {
        "incident": incident.id, "reporter": incident.reporter_id, "category": incident.category,
        "place": incident.place, "lat": incident.lat, "lon": incident.lon,
        "occurred_from": iso(incident.occurred_from), "occurred_to": iso(incident.occurred_to),
        "plan": incident.plan, "claim": incident.text, "disputed_by": ";".join(d.party_id for d in disputes),
        "disputes": joined_disputes((d.party_id, d.text) for d in disputes),
        "reported_at": iso(incident.reported_at), "signed_by": signed_by, "member": member,
        "dispute_count": incident.dispute_count,
    }


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


LATEST_DISPUTES = 20  # a claim's disputes shown beside it in lists; any party but its reporter may add more


def latest_disputes(incident: Incident) -> list[Dispute]:
    """The claim's latest LATEST_DISPUTES disputes, in log order (read by incident_rows)."""
    return incident.latest_disputes


def _read_latest_disputes(incidents: list[Incident]) -> None:
    """Each claim's latest LATEST_DISPUTES disputes, as `latest_disputes`: those of the claims with no more, in one
    query; a claim with more (one a party kept disputing), in one query of its own off the (incident, id)
    index. A window over every dispute of the page's claims would read them all."""
    found: dict[str, list[Dispute]] = {incident.id: [] for incident in incidents}
    few = [incident.id for incident in incidents if 0 < incident.dispute_count <= LATEST_DISPUTES]
    for dispute in Dispute.objects.filter(incident_id__in=few).order_by("id") if few else ():
        found[dispute.incident_id].append(dispute)
    for incident in incidents:
        if incident.dispute_count > LATEST_DISPUTES:
            found[incident.id] = list(incident.disputes.order_by("-id")[:LATEST_DISPUTES])[::-1]
        incident.latest_disputes = found[incident.id]


def incidents_query(filter_q: Q | None = None):
    return Incident.objects.filter(filter_q or Q()).order_by("-reported_at", "id")


def waiting_rows(clocks: Iterable[Clock], now: int | None = None) -> Iterator[dict]:
    now_at = at(clock.now() if now is None else now)
    for row in clocks:
        live = row.waited_seconds + (max(int((now_at - row.waiting_since).total_seconds()), 0)
                                     if row.waiting_since else 0)
        yield {
            "party": row.party_id, "party_name": row.party.name, "plan": row.plan_id, "status": row.plan.status,
            "waiting_now": row.waiting_since is not None, "waiting_since": iso(row.waiting_since),
            "waited_seconds": live,
        }


def waiting_query(filter_q: Q | None = None):
    """Those waited on now first, longest waiting first; then the others (as the figures order them)."""
    order = (F("waiting_since").asc(nulls_last=True), "plan_id", "party_id")
    return Clock.objects.filter(filter_q or Q()).select_related("party", "plan").order_by(*order)
