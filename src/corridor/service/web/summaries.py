"""What the pages show, computed from the read models (no HTML here): the public totals, how long each
stage takes, what a party is waited on for, and what it waits on."""

from __future__ import annotations

import statistics
from collections import defaultdict

from django.db.models import Count, Q, Sum

from .. import clock
from ..exports.tables import CLOSED, waiting_board, waiting_query, waiting_rows
from ..incidents.models import Incident
from ..ledger.signatures import signing_shares
from ..parties.models import Party, PartyKey
from ..passages.models import Leg, ManifestLine, Plan

STAGES = (
    ("submitted → cleared", "plan__submitted_at", "plan__cleared_at"),
    ("cleared → departed", "plan__cleared_at", "departed_at"),
    ("departed → delivered", "departed_at", "delivered_at"),
)


def public_totals() -> dict:
    by_status = dict(Plan.objects.values_list("status").annotate(n=Count("id")))
    totals = Plan.objects.aggregate(plans=Count("id"), vehicles=Sum("vehicles"), kg=Sum("weight_kg"))
    return {
        "plans": totals["plans"], "vehicles": totals["vehicles"] or 0, "tonnes": round((totals["kg"] or 0) / 1000),
        "by_status": by_status,
        "tonnes_by_category": _tonnes(ManifestLine.objects.values_list("category").annotate(kg=Sum("weight_kg"))),
        "tonnes_by_route": _tonnes(Leg.objects.values_list("route__name").annotate(kg=Sum("weight_kg"))),
        "tonnes_by_organisation": _tonnes(Leg.objects.values_list("plan__requester__name").annotate(
            kg=Sum("weight_kg"))),
        "by_month": [{"month": month.strftime("%Y-%m"), "plans": n, "vehicles": vehicles or 0,
                      "tonnes": round((kg or 0) / 1000, 1)} for month, n, vehicles, kg in _by_month()],
    }


def _tonnes(rows) -> list[tuple[str, float]]:
    return sorted(((name, round(kg / 1000, 1)) for name, kg in rows if kg), key=lambda row: -row[1])


def _by_month():
    """Passages requested, their vehicles and tonnes, by the month they were requested."""
    from django.db.models.functions import TruncMonth

    return Plan.objects.annotate(month=TruncMonth("submitted_at")).values_list("month").annotate(
        n=Count("id"), vehicles=Sum("vehicles"), kg=Sum("weight_kg")).order_by("month")


def stage_durations() -> list[dict]:
    """Median and 90th percentile hours of each stage, over legs that went through it."""
    out = []
    for label, start, end in STAGES:
        pairs = Leg.objects.filter(**{f"{start}__isnull": False, f"{end}__isnull": False}).values_list(start, end)
        hours = sorted((b - a).total_seconds() / 3600 for a, b in pairs)
        if hours:
            out.append({"stage": label, "legs": len(hours), "median_hours": round(statistics.median(hours), 1),
                        "p90_hours": round(hours[min(len(hours) - 1, int(len(hours) * 0.9))], 1)})
    return out


def mapped_routes() -> list[dict]:
    """Routes with the checkpoints that have coordinates (a line joins them when there are several)."""
    from ..parties.models import Route

    routes = []
    for route in Route.objects.order_by("name"):
        points = [{"id": c["id"], "name": c["name"], "lat": float(c["lat"]), "lon": float(c["lon"]),
                   "inspected_by": c.get("inspected_by", [])}
                  for c in route.definition.get("checkpoints", []) if c.get("lat") and c.get("lon")]
        if points:
            routes.append({"id": route.id, "name": route.name, "checkpoints": points})
    return routes


def mapped_incidents() -> list[dict]:
    rows = Incident.objects.exclude(lat=None).exclude(lon=None).annotate(disputes_count=Count("disputes"))
    return [{"id": i.id, "lat": float(i.lat), "lon": float(i.lon), "category": i.category, "place": i.place,
             "reporter": i.reporter_id, "disputed": i.disputes_count > 0} for i in rows]


HOME_ROWS = 100  # a party's home lists the oldest waits first; the rest are counted


def awaiting_my_party(parties: list[str]) -> tuple[list[dict], int]:
    """What my parties are being waited on for now, oldest first (the first HOME_ROWS), and how many."""
    query = waiting_query(Q(party_id__in=parties, waiting_since__isnull=False))
    return list(waiting_rows(query[:HOME_ROWS])), query.count()


def my_party_awaits(parties: list[str]) -> tuple[list[dict], int]:
    """Open plans my parties requested that wait on others, longest-waiting first, and how many."""
    query = waiting_query(Q(plan__requester_id__in=parties, waiting_since__isnull=False) & ~Q(party_id__in=parties))
    waiting = defaultdict(list)
    for row in waiting_rows(query[:HOME_ROWS * 4]):
        waiting[row["plan"]].append(row)
    plans = [{"plan": plan, "waiting": sorted(items, key=lambda r: -r["waited_seconds"])}
             for plan, items in waiting.items()][:HOME_ROWS]
    return plans, query.values("plan_id").distinct().count()


def board(now: int | None = None) -> list[dict]:
    return waiting_board(clock.now() if now is None else now)


__all__ = ["CLOSED", "board"]


def signing(counts: dict[str, dict[str, int]]) -> list[dict]:
    """Per party (the operator's registry aside), how what was signed in its name was signed, and whether
    the server holds a valid key for it now (then it can sign in the party's name)."""
    parties = dict(Party.objects.exclude(kind="operator").values_list("id", "name"))
    custodial_now = set(PartyKey.objects.filter(sealed_private__isnull=False, revoked_at__isnull=True)
                        .values_list("party_id", flat=True))
    return signing_shares(counts, parties, custodial_now)
