"""What the pages show from the read models (no HTML here): the map's routes and incidents, what a party is
waited on for, what it waits on, and who signs for each party. The public totals, the waiting-on board and
the stage times are published figures (exports/published.py), computed from the log."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q

from ..exports.tables import waiting_query, waiting_rows
from ..incidents.models import Incident
from ..ledger.signatures import signing_shares
from ..parties.models import Party, PartyKey


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


MAP_CLAIMS = 500  # the public map's claims: the latest located ones (the incidents page pages through every one)


def mapped_incidents() -> tuple[list[dict], bool]:
    """The latest MAP_CLAIMS claims that name a place by its coordinates, newest first, read off the claims'
    index (each says whether it is disputed by its own count: no dispute is read), and whether there are more.
    Every claim would make the public page, which carries them, grow with the log."""
    rows = list(Incident.objects.exclude(lat=None).exclude(lon=None).order_by("-reported_at", "id")
                .only("id", "lat", "lon", "category", "place", "reporter_id", "dispute_count")[:MAP_CLAIMS + 1])
    return [{"id": i.id, "lat": float(i.lat), "lon": float(i.lon), "category": i.category, "place": i.place,
             "reporter": i.reporter_id, "disputed": i.dispute_count > 0} for i in rows[:MAP_CLAIMS]], \
        len(rows) > MAP_CLAIMS


HOME_ROWS = 100  # a party's home lists the oldest waits first; the rest are counted, up to COUNTED
COUNTED = 10_000  # the count stops there: a large party's home never counts every open wait


def awaiting_my_party(parties: list[str]) -> tuple[list[dict], int]:
    """What my parties are being waited on for now, oldest first (the first HOME_ROWS), and how many."""
    query = waiting_query(Q(party_id__in=parties, waiting_since__isnull=False))
    return list(waiting_rows(query[:HOME_ROWS])), query.order_by()[:COUNTED].count()


def my_party_awaits(parties: list[str]) -> tuple[list[dict], int]:
    """Open plans my parties requested that wait on others, longest-waiting first, and how many."""
    query = waiting_query(Q(plan__requester_id__in=parties, waiting_since__isnull=False) & ~Q(party_id__in=parties))
    waiting = defaultdict(list)
    for row in waiting_rows(query[:HOME_ROWS * 4]):
        waiting[row["plan"]].append(row)
    plans = [{"plan": plan, "waiting": sorted(items, key=lambda r: -r["waited_seconds"])}
             for plan, items in waiting.items()][:HOME_ROWS]
    return plans, query.order_by().values("plan_id").distinct()[:COUNTED].count()


def operation_waits() -> tuple[list[dict], int]:
    """The plans waited on now across the operation, longest wait first, each with whom it waits on and since
    when, and how many plans wait: for a party with no plan of its own (a mediator, an observer). Read off the
    waiting clocks' index (oldest open waits first, a bounded page), never the log or every plan; only what
    the public waiting board shows."""
    query = waiting_query(Q(waiting_since__isnull=False)).select_related("plan__requester")
    plans: dict[str, dict] = {}
    clocks = list(query[:HOME_ROWS * 4])
    for clock_row, row in zip(clocks, waiting_rows(clocks), strict=True):
        plan = plans.setdefault(row["plan"], {"plan": row["plan"], "status": row["status"], "since": row[
            "waiting_since"], "requester_name": clock_row.plan.requester.name, "waiting": []})
        plan["waiting"].append(row)
    return list(plans.values())[:HOME_ROWS], query.order_by().values("plan_id").distinct()[:COUNTED].count()


def signing(counts: dict[str, dict[str, int]]) -> list[dict]:
    """Per party (the operator's registry aside), how what was signed in its name was signed, and whether
    the server holds a valid key for it now (then it can sign in the party's name)."""
    parties = dict(Party.objects.exclude(kind="operator").values_list("id", "name"))
    custodial_now = set(PartyKey.objects.filter(sealed_private__isnull=False, revoked_at__isnull=True)
                        .values_list("party_id", flat=True))
    return signing_shares(counts, parties, custodial_now)
