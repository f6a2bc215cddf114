"""The exportable tables: plans, legs, manifest lines, incidents, who is waited on, and public aggregates.

One definition per table, with its HXL hashtag per column, used by the API lists and by `corridor
export`. Rows are built from the read models with the privacy rules applied (see `public_row`).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from .. import clock
from ..incidents.models import Incident
from ..ledger.models import StatementIndex
from ..passages.models import Attestation, AttestedLine, Clock, Leg, ManifestLine, Plan
from ..passages.projection import at

CLOSED = ("completed", "cancelled", "expired", "aborted")


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, str], ...]  # (column, HXL hashtag)

    @property
    def fields(self) -> list[str]:
        return [name for name, _ in self.columns]

    @property
    def hxl_tags(self) -> list[str]:
        return [tag for _, tag in self.columns]


PLANS = Table("plans", (
    ("plan", "#activity+id"), ("requester", "#org+requester+code"), ("requester_name", "#org+requester+name"),
    ("linkage", "#activity+linkage"), ("status", "#status"), ("version", "#meta+version"),
    ("legs", "#indicator+legs+num"),
    ("vehicles", "#indicator+vehicles+num"), ("weight_kg", "#indicator+weight_kg+num"),
    ("submitted_at", "#date+submitted"), ("slot_start", "#date+slot+start"), ("slot_end", "#date+slot+end"),
    ("closed_at", "#date+closed"), ("waiting_on", "#org+awaited+list"),
))
LEGS = Table("legs", (
    ("plan", "#activity+id"), ("leg", "#activity+leg+id"), ("route", "#loc+route+code"),
    ("route_name", "#loc+route+name"), ("status", "#status+plan"), ("phase", "#status+leg"),
    ("checkpoint", "#loc+checkpoint+code"),
    ("requester", "#org+requester+code"), ("submitted_at", "#date+submitted"), ("cleared_at", "#date+cleared"),
    ("arrived_at", "#date+arrived"), ("released_at", "#date+released"), ("departed_at", "#date+departed"),
    ("delivered_at", "#date+delivered"), ("weight_kg", "#indicator+weight_kg+num"),
))
LINES = Table("lines", (
    ("plan", "#activity+id"), ("leg", "#activity+leg+id"), ("line", "#item+id"), ("item", "#item+name"),
    ("category", "#item+type"), ("quantity", "#indicator+quantity+num"), ("unit", "#indicator+unit"),
    ("weight_kg", "#indicator+weight_kg+num"), ("carried", "#indicator+carried+num"),
    ("refused_by", "#org+refused+list"), ("good", "#indicator+received+good+num"),
    ("damaged", "#indicator+received+damaged+num"), ("lost", "#indicator+received+lost+num"),
))
INCIDENTS = Table("incidents", (
    ("incident", "#event+id"), ("reporter", "#org+reporter+code"), ("category", "#event+type"),
    ("place", "#loc+name"), ("lat", "#geo+lat"), ("lon", "#geo+lon"), ("occurred_from", "#date+start"),
    ("occurred_to", "#date+end"), ("plan", "#activity+id"), ("claim", "#description+claim"),
    ("disputed_by", "#org+disputing+list"), ("disputes", "#description+disputes"), ("reported_at", "#date+reported"),
    ("signed_by", "#meta+signed_by"), ("member", "#meta+signed_by+member"),
))
WAITING = Table("waiting", (
    ("party", "#org+code"), ("party_name", "#org+name"), ("plan", "#activity+id"), ("status", "#status"),
    ("waiting_now", "#indicator+waiting_now"), ("waiting_since", "#date+waiting_since"),
    ("waited_seconds", "#indicator+waited+seconds+num"),
))
STATS = Table("stats", (
    ("source", "#meta+source"), ("dimension", "#meta+dimension"), ("key", "#meta+key"),
    ("passages", "#indicator+passages+num"), ("tonnes", "#indicator+tonnes+num"),
    ("median_days", "#indicator+median_days+num"),
))
TABLES = {table.name: table for table in (PLANS, LEGS, LINES, INCIDENTS, WAITING, STATS)}


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def plan_rows(plans: Iterable[Plan], private_ok: set[str] = frozenset()) -> Iterator[dict]:
    """`private_ok`: plans whose movement window the reader may see before it is over."""
    for plan in plans:
        hide = plan.status not in CLOSED and plan.id not in private_ok
        yield {
            "plan": plan.id, "requester": plan.requester_id, "requester_name": plan.requester.name,
            "linkage": plan.linkage, "status": plan.status, "version": plan.version, "legs": plan.leg_count,
            "vehicles": plan.vehicles,
            "weight_kg": plan.weight_kg, "submitted_at": iso(plan.submitted_at),
            "slot_start": None if hide else iso(plan.slot_start), "slot_end": None if hide else iso(plan.slot_end),
            "closed_at": iso(plan.closed_at), "waiting_on": ";".join(sorted(plan.awaited)),
        }


def plans_query(filter_q: Q | None = None):
    plans = Plan.objects.filter(filter_q or Q()).select_related("requester")
    return plans.annotate(leg_count=Count("legs", distinct=True)).order_by("-submitted_at", "id")


def with_awaited(plans: list[Plan]) -> list[Plan]:
    awaited = defaultdict(list)
    for plan_id, party in Clock.objects.filter(plan_id__in=[p.id for p in plans], waiting_since__isnull=False) \
            .values_list("plan_id", "party_id"):
        awaited[plan_id].append(party)
    for plan in plans:
        plan.awaited = awaited.get(plan.id, [])
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
    return legs.order_by("-plan__submitted_at", "plan_id", "leg_id")


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
        signers = {subject: (kind, member) for subject, kind, member in StatementIndex.objects.filter(
            type="incident.report", subject__in=[i.id for i in chunk]).values_list("subject", "signed_by", "member")}
        yield from (_incident_row(incident, *signers.get(incident.id, ("", None))) for incident in chunk)


def _incident_row(incident: Incident, signed_by: str, member: str | None) -> dict:
    disputes = list(incident.disputes.all())
    return {
        "incident": incident.id, "reporter": incident.reporter_id, "category": incident.category,
        "place": incident.place, "lat": incident.lat, "lon": incident.lon,
        "occurred_from": iso(incident.occurred_from), "occurred_to": iso(incident.occurred_to),
        "plan": incident.plan, "claim": incident.text, "disputed_by": ";".join(d.party_id for d in disputes),
        "disputes": " | ".join(f"{d.party_id}: {d.text}" for d in disputes),
        "reported_at": iso(incident.reported_at), "signed_by": signed_by, "member": member,
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


def incidents_query(filter_q: Q | None = None):
    return Incident.objects.filter(filter_q or Q()).prefetch_related("disputes").order_by("-reported_at", "id")


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
    return Clock.objects.filter(filter_q or Q()).select_related("party", "plan").order_by("waiting_since", "plan_id",
                                                                                    "party_id")


def stat_rows() -> Iterator[dict]:
    """Public aggregates: plans by month and status, by route, by requesting organisation, tonnes by
    category; who is waited on (plans, median days); attested passages by source, month (with the median
    days from departure to inspection cleared), commodity, destination and crossing."""
    for row in Plan.objects.annotate(month=TruncMonth("submitted_at")).values("month", "status") \
            .annotate(n=Count("id"), kg=Sum("weight_kg")).order_by("month", "status"):
        yield _stat("corridor", "month:" + row["status"], row["month"].strftime("%Y-%m"), row["n"], row["kg"])
    for dimension, field in (("route", "route_id"), ("requester", "plan__requester_id")):
        for row in Leg.objects.values(field).annotate(n=Count("plan", distinct=True), kg=Sum("weight_kg")) \
                .order_by(field):
            yield _stat("corridor", dimension, row[field], row["n"], row["kg"])
    for row in ManifestLine.objects.values("category").annotate(n=Count("leg__plan", distinct=True),
                                                                kg=Sum("weight_kg")).order_by("category"):
        yield _stat("corridor", "category", row["category"], row["n"], row["kg"])
    for row in waiting_board():
        yield _stat("corridor", "waited on", row["party"], row["plans"], None, row["median_seconds"] / 86400)
    yield from _attested_stats()


def waiting_board(now: int | None = None) -> list[dict]:
    """Per party: the plans it is (or was) waited on for, how many now, and the total and median waiting,
    counting open waits up to `now`. Sorted by total waiting, longest first."""
    per_party: dict[str, list[dict]] = defaultdict(list)
    for row in waiting_rows(waiting_query().filter(waited_seconds__gte=0), now):
        per_party[row["party"]].append(row)
    board = [
        {"party": party, "party_name": rows[0]["party_name"], "plans": len(rows),
         "plans_waiting_now": sum(r["waiting_now"] for r in rows),
         "total_seconds": sum(r["waited_seconds"] for r in rows),
         "median_seconds": float(statistics.median(r["waited_seconds"] for r in rows))}
        for party, rows in per_party.items()
    ]
    return sorted(board, key=lambda row: (-row["total_seconds"], row["party"]))


def _stat(source: str, dimension: str, key: str, passages: int, kg: int | None, median: float | None = None) -> dict:
    return {"source": source, "dimension": dimension, "key": key, "passages": passages,
            "tonnes": round((kg or 0) / 1000), "median_days": median}


def _attested_stats() -> Iterator[dict]:
    for dataset in Attestation.objects.values_list("dataset", flat=True).distinct().order_by("dataset"):
        passages = Attestation.objects.filter(dataset=dataset)
        total = passages.aggregate(n=Count("passage"), kg=Sum("weight_kg"))
        yield _stat(dataset, "total", "all", total["n"], total["kg"])
        yield from _by_month(dataset, passages)
        lines = AttestedLine.objects.filter(attestation__dataset=dataset)
        for dimension, fields in ATTESTED_DIMENSIONS:
            grouped = lines.values(*fields).annotate(n=Count("attestation", distinct=True), kg=Sum("weight_kg"))
            for row in grouped.order_by(*fields):
                if any(row[f] is None for f in fields):
                    continue  # e.g. a day the source does not give
                yield _stat(dataset, dimension, " / ".join(str(row[f]) for f in fields), row["n"], row["kg"])


# dimension name -> the attested line's fields it groups by (a passage counts once per group)
ATTESTED_DIMENSIONS = (
    ("commodity", ("category",)),
    ("destination", ("destination",)),
    ("destination / commodity", ("destination", "category")),
    ("crossing", ("attestation__crossing",)),
    ("crossing / day", ("attestation__crossing", "attestation__received")),
)


def _by_month(dataset: str, passages) -> Iterator[dict]:
    days: dict[str, list[int]] = defaultdict(list)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for day, cleared, received, kg in passages.values_list("departed", "cleared", "received", "weight_kg"):
        moment = day or received
        if moment is None:
            continue
        month = moment.strftime("%Y-%m")
        totals[month][0] += 1
        totals[month][1] += kg or 0  # an unknown weight adds nothing (the coverage says how many)
        if day and cleared:
            days[month].append((cleared - day).days)
    for month in sorted(totals):
        median = float(statistics.median(days[month])) if days[month] else None
        yield _stat(dataset, "month", month, totals[month][0], totals[month][1], median)
