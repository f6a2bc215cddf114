"""The checkpoint app's legs (web/checkpoint_app.py `_legs`) read from indexes: the same answer as the scan of
every plan in the fold it replaced (kept here as the reference), for every user, day and kind of permit —
revoked, of a closed plan, of other parties' plans, outside today and tomorrow or inside by the tolerance,
through checkpoints not the user's — while a request reads from the fold only the plans it answers with, in
as many queries whatever else the fold and the tables hold."""

from __future__ import annotations

import re
from collections.abc import MutableMapping

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corridor.engine.state import CLOSED_STATUSES, State
from corridor.permits import cose, document
from corridor.service import clock
from corridor.service.guard import guarded
from corridor.service.ledger.record import current_fold
from corridor.service.parties.operations import do_define_route
from corridor.service.permits.models import IssuedPermit
from corridor.service.web import checkpoint_app
from corridor.service.web.checkpoint_app import DAY, _recording

from ..plans import plan_body
from . import stages
from .test_checkpoint_app import DATA
from .test_pages import signed_in

pytestmark = pytest.mark.django_db
T = stages.T  # 2023-09-11T08:13:20Z: every statement below is made that morning, the windows come after
TOLERANCE = 900
DAYS = [1694304000 + n * DAY + 8 * 3600 for n in range(6)]  # 08:00 on each day from 10 to 15 Sep 2023


def legs_by_scan(state: State, parties: set[str], checkpoints: set[str]) -> list[dict]:
    """The algorithm `_legs` replaced, as it was: every plan in the fold, every permit of the user's."""
    today = clock.now() // DAY * DAY
    plans = [plan for plan in state.plans.values() if plan.status not in CLOSED_STATUSES
             and parties & ({plan.requester} | set(plan.required)) and plan.permits]
    live = {(plan.id, permit_id) for plan in plans for permit_id, record in plan.permits.items()
            if record.revoked_at is None}
    rows = IssuedPermit.objects.filter(plan_id__in=[plan.id for plan in plans], revoked_index__isnull=True) \
        .order_by("plan_id", "leg_id", "vehicle_id").only("plan_id", "permit_id", "digest", "signed")
    legs: dict[tuple[str, str], dict] = {}
    for row in rows:
        if (row.plan_id, row.permit_id) not in live:
            continue
        permit = document.decode(cose.decode_sign1(bytes(row.signed)).payload)
        if not checkpoints & set(permit.checkpoints):
            continue
        if permit.end + permit.tolerance < today or permit.start - permit.tolerance >= today + 2 * DAY:
            continue
        plan = state.plans[row.plan_id]
        route = state.routes.get(permit.route)
        leg = legs.setdefault((permit.plan, permit.leg), {
            "plan": permit.plan, "leg": permit.leg, "route": permit.route,
            "route_name": route.name if route else permit.route, "version": permit.version,
            "checkpoints": list(permit.checkpoints), "start": permit.start, "end": permit.end,
            "tolerance": permit.tolerance, "status": plan.legs[permit.leg].phase if permit.leg in plan.legs
            else plan.status, "vehicles": []} | _recording(plan, permit.leg))
        leg["vehicles"].append({
            "vehicle": permit.vehicle, "plate": permit.plate, "type": permit.vehicle_type, "permit": permit.id,
            "digest": row.digest, "lines": [{"line": str(n), "item": line.item, "quantity": str(line.quantity),
                                             "unit": line.unit} for n, line in enumerate(permit.lines, 1)]})
    return sorted(legs.values(), key=lambda leg: (leg["start"], leg["plan"], leg["leg"]))


# ---- the world: road A (Lachin: border, customs), road B (nobody inspects), road C (Goris: customs, Shushi: org-b) --

def road_c() -> None:
    """Border's transit road, whose checkpoints are inspected by customs (not a party to its plans) and org-b."""
    with clock.frozen_at(T - 600), guarded():
        do_define_route({"id": "road-c", "name": "Goris–Shushi", "policy": [{"party": "border", "capacity": "transit"}],
                         "checkpoints": [{"id": "goris", "name": "Goris gate", "inspected_by": ["customs"]},
                                         {"id": "shushi", "name": "Shushi gate", "inspected_by": ["org-b"]}]})


def truck(n: int) -> dict:
    return {"id": f"truck-{n}", "plate": f"AB {100 + n}", "type": "truck"}


def leg(leg_id: str = "leg-a", route: str = "road-a", trucks: int = 1) -> dict:
    return plan_body()["legs"][0] | {"id": leg_id, "route": route, "vehicles": [truck(n) for n in range(1, trucks + 1)]}


REQUIRED = {"road-a": stages.REQUIRED, "road-b": ("border", "recv", "escort"), "road-c": ("border",)}


class Clock:
    """Each statement a few seconds after the one before, all that morning."""

    def __init__(self) -> None:
        self.at = T

    def __call__(self) -> int:
        self.at += 5
        return self.at


def cleared(parties, tick, plan: str, window: tuple[str, str], legs: list[dict] | None = None,
            requester: str = "org-a", slot: str = "s1") -> None:
    """Submitted (unless it is), consented and scheduled for `window`: a permit per vehicle issued."""
    legs = legs or [leg()]
    if slot == "s1":
        body = plan_body(plan, legs=legs, tolerance_seconds=TOLERANCE)
        body["linkage"] = "simultaneous" if len(legs) > 1 else "independent"
        stages.post(parties, requester, "/plans", body, tick())
    required = sorted({party for item in legs for party in REQUIRED[item["route"]]})
    current = stages.version(parties, plan)
    for party in required:
        stages.post(parties, party, f"/plans/{plan}/consent", {"version": current}, tick())
    stages.post(parties, requester, f"/plans/{plan}/propose-slot",
                {"slot": slot, "start": window[0], "end": window[1]}, tick())
    for party in required:
        stages.post(parties, party, f"/plans/{plan}/confirm-slot", {"slot": slot}, tick())


def amended(parties, tick, plan: str) -> None:
    body = plan_body(plan, legs=[leg()], tolerance_seconds=TOLERANCE)
    body["legs"][0]["lines"][0]["quantity"] = 25
    del body["plan"]
    stages.post(parties, "org-a", f"/plans/{plan}/amend", body, tick())


def completed(parties, plan: str) -> None:
    """A road-A passage in the 12:00–13:00 slot on 11 Sep, inspected, released, departed and delivered."""
    for party, path, body, at in (
            ("org-a", "arrive", {"leg": "leg-a", "checkpoint": "lachin-checkpoint"}, 1694433900),
            ("border", "inspect", {"leg": "leg-a", "checkpoint": "lachin-checkpoint", "decision": "cleared",
                                   "findings": [{"line": "flour", "found": 20, "codes": []}]}, 1694434000),
            ("escort", "go", {}, 1694434200), ("org-a", "depart", {"leg": "leg-a"}, 1694434300),
            ("recv", "deliver", {"leg": "leg-a", "receipts": [{"line": "flour", "good": 20}]}, 1694440000)):
        stages.post(parties, party, f"/plans/{plan}/{path}", body, at)


def world(parties) -> None:
    """Permits of every kind around 12 Sep (times UTC; tolerance ± 15 min)."""
    road_c()
    tick = Clock()
    cleared(parties, tick, "a-yesterday", ("2023-09-11T12:00:00Z", "2023-09-11T13:00:00Z"))
    cleared(parties, tick, "a-edge-in", ("2023-09-11T23:00:00Z", "2023-09-11T23:45:00Z"))  # + 15 min: 12 Sep 00:00
    cleared(parties, tick, "a-today", ("2023-09-12T12:00:00Z", "2023-09-12T13:00:00Z"), [leg(trucks=3)])
    cleared(parties, tick, "a-tomorrow", ("2023-09-13T06:00:00Z", "2023-09-13T07:00:00Z"))
    cleared(parties, tick, "a-late-in", ("2023-09-14T00:10:00Z", "2023-09-14T01:00:00Z"))  # − 15 min: 13 Sep 23:55
    cleared(parties, tick, "a-late-out", ("2023-09-14T00:15:00Z", "2023-09-14T01:00:00Z"))  # − 15 min: 14 Sep 00:00
    cleared(parties, tick, "a-revoked", ("2023-09-12T09:00:00Z", "2023-09-12T10:00:00Z"))
    amended(parties, tick, "a-revoked")  # open again, awaiting consent: its permit revoked
    cleared(parties, tick, "a-reissued", ("2023-09-12T09:00:00Z", "2023-09-12T10:00:00Z"))
    amended(parties, tick, "a-reissued")
    cleared(parties, tick, "a-reissued", ("2023-09-13T09:00:00Z", "2023-09-13T10:00:00Z"), slot="s2")
    cleared(parties, tick, "a-cancelled", ("2023-09-12T15:00:00Z", "2023-09-12T16:00:00Z"))
    stages.post(parties, "org-a", "/plans/a-cancelled/cancel", {"text": "road closed"}, tick())
    cleared(parties, tick, "two-roads", ("2023-09-12T07:00:00Z", "2023-09-12T08:00:00Z"),  # leg B: nobody's gate
            [leg(), leg("leg-b", "road-b", trucks=2)])
    cleared(parties, tick, "b-road-b", ("2023-09-12T10:00:00Z", "2023-09-12T11:00:00Z"), [leg(route="road-b")],
            requester="org-b")
    cleared(parties, tick, "c-road-c", ("2023-09-12T11:00:00Z", "2023-09-12T12:00:00Z"), [leg(route="road-c")],
            requester="org-b")
    stages.post(parties, "org-a", "/plans", plan_body("a-submitted"), tick())  # no permit yet
    cleared(parties, tick, "a-done", ("2023-09-11T12:00:00Z", "2023-09-11T13:00:00Z"))
    completed(parties, "a-done")  # closed, its permit still live
    assert IssuedPermit.objects.filter(plan_id="a-done", revoked_index=None).exists()
    assert IssuedPermit.objects.filter(plan_id="a-revoked").exclude(revoked_index=None).exists()


USERS = [{"border"}, {"customs"}, {"org-b"}, {"border", "customs"}, {"customs", "org-b"}, {"escort"}]


def their_checkpoints(state: State, parties: set[str]) -> set[str]:
    return {c.id for route in state.routes.values() for c in route.checkpoints if parties & set(c.inspected_by)}


def both(parties: set[str], at: int) -> tuple[list[dict], list[dict]]:
    with clock.frozen_at(at):
        state = current_fold().state
        checkpoints = their_checkpoints(state, parties)
        return checkpoint_app._legs(state, parties, checkpoints), legs_by_scan(state, parties, checkpoints)


def test_the_legs_are_those_the_scan_of_every_plan_gave_for_every_user_and_day(parties, tiles):
    world(parties)
    for at in DAYS:
        for users in USERS:
            indexed, scanned = both(users, at)
            assert indexed == scanned, (users, at)
    indexed, _ = both({"border"}, DAYS[2])  # 12 Sep: today's and tomorrow's, and the two the tolerance reaches
    assert [(leg["plan"], leg["leg"], [v["vehicle"] for v in leg["vehicles"]]) for leg in indexed] == [
        ("a-edge-in", "leg-a", ["truck-1"]), ("two-roads", "leg-a", ["truck-1"]),
        ("a-today", "leg-a", ["truck-1", "truck-2", "truck-3"]), ("a-tomorrow", "leg-a", ["truck-1"]),
        ("a-reissued", "leg-a", ["truck-1"]), ("a-late-in", "leg-a", ["truck-1"])]
    assert [leg["plan"] for leg in both({"org-b"}, DAYS[2])[0]] == ["c-road-c"]  # its own, at its Shushi gate
    on_11_sep = [leg["plan"] for leg in both({"customs"}, DAYS[1])[0]]
    assert "a-yesterday" in on_11_sep and "a-done" not in on_11_sep  # the same window; a-done is completed
    assert both({"escort"}, DAYS[2]) == ([], [])  # a party to them all, inspecting nowhere


def test_the_app_answers_with_the_indexed_legs(parties, tiles):
    world(parties)
    with clock.frozen_at(DAYS[2]):
        answer = signed_in("customs").get(DATA).json()
    assert answer["legs"] == both({"customs"}, DAYS[2])[1]
    assert [c["id"] for c in answer["checkpoints"]] == ["lachin-checkpoint", "goris"]


# ---- what a request reads ---------------------------------------------------------------------------------

class WatchedPlans(MutableMapping):
    """The fold's plans, noting each one read and refusing to be walked (as a snapshot's, decoded on read)."""

    def __init__(self, plans) -> None:
        self.plans, self.read = plans, set()

    def __getitem__(self, plan_id):
        self.read.add(plan_id)
        return self.plans[plan_id]

    def __iter__(self):
        raise AssertionError("the request walked every plan of the fold")

    def __len__(self):
        raise AssertionError("the request counted every plan of the fold")

    def __setitem__(self, plan_id, plan):
        raise AssertionError("a read changed the fold")

    def __delitem__(self, plan_id):
        raise AssertionError("a read changed the fold")


def watched_request(client) -> tuple[dict, set[str], list[str]]:
    """data.json on 12 Sep, with the fold's plans watched: the answer, the plans read, the SQL run."""
    with clock.frozen_at(DAYS[2]):
        assert client.get(DATA).status_code == 200  # the fold caught up first
        state = current_fold().state
        state.plans = watched = WatchedPlans(state.plans)
        try:
            with CaptureQueriesContext(connection) as queries:
                answer = client.get(DATA).json()
        finally:
            state.plans = watched.plans
    return answer, watched.read, [query["sql"] for query in queries.captured_queries]


def others(parties, first: int, last: int) -> None:
    """Plans that are not customs' to see at its checkpoints: org-b's at Goris (customs' gate, but not its
    passage), already due that day, and org-a's submitted ones with no permit."""
    tick = Clock()
    tick.at = T + 21000 + 400 * first  # after a-done's delivery
    for n in range(first, last):
        cleared(parties, tick, f"c-{n}", ("2023-09-12T11:00:00Z", "2023-09-12T12:00:00Z"), [leg(route="road-c")],
                requester="org-b")
        for m in range(3):
            stages.post(parties, "org-a", "/plans", plan_body(f"s-{n}-{m}"), tick())


def test_a_request_reads_only_the_plans_it_answers_with_in_as_many_queries(parties, tiles):
    road_c()
    tick = Clock()
    cleared(parties, tick, "mine", ("2023-09-12T12:00:00Z", "2023-09-12T13:00:00Z"))
    cleared(parties, tick, "a-done", ("2023-09-11T12:00:00Z", "2023-09-11T13:00:00Z"))
    completed(parties, "a-done")
    client = signed_in("customs")
    others(parties, 0, 1)
    answer, read, small = watched_request(client)
    assert [leg["plan"] for leg in answer["legs"]] == ["mine"] and read == {"mine"}
    others(parties, 1, 6)
    answer, read, large = watched_request(client)
    assert [leg["plan"] for leg in answer["legs"]] == ["mine"] and read == {"mine"}
    assert len(large) == len(small) <= 12, large
    legs_queries = [sql for sql in large if re.search(r'FROM "(permit_checkpoint|plan)"|"issued_permit"\."id" IN', sql)]
    assert len(legs_queries) == 3, legs_queries
    if connection.vendor == "sqlite":  # PostgreSQL's plans are chosen by cost: seen by hand (docs/scaling.md)
        for sql in legs_queries:
            plan = explain(sql)
            assert "SCAN" not in plan and "LIST SUBQUERY" not in plan, (sql, plan)


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())
