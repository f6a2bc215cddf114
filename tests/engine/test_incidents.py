"""Incident claims and disputes: recorded side by side, never merged or judged."""

from .world import World

PLACE = {"name": "Road B km 7", "lat": "39.97", "lon": "46.93"}


def report(world, incident="inc-1", party="border", plan=None, **extra):
    payload = {"incident": incident, "category": "mines_uxo", "place": PLACE,
               "occurred_from": "2023-09-13T14:00:00Z", "text": "Mines found"} | extra
    return world.do(party, "incident.report", plan, **payload)


def test_claim_and_dispute_are_both_kept():
    world = report(World())
    world.do("recv", "incident.dispute", None, incident="inc-1", text="Denied")
    world.do("escort", "incident.dispute", None, incident="inc-1", text="Not observed")
    incident = world.state.incidents["inc-1"]
    assert incident.reporter == "border"
    assert [d.party for d in incident.disputes] == ["recv", "escort"]


def test_category_must_come_from_the_access_taxonomy():
    World().refused("incident.category", "border", "incident.report", None, incident="i", category="rumour",
                    place=PLACE, occurred_from="2023-09-13T14:00:00Z", text="x")


def test_incident_ids_are_unique_and_disputes_need_a_claim():
    world = report(World())
    world.refused("incident.exists", "recv", "incident.report", None, incident="inc-1", category="violence",
                  place=PLACE, occurred_from="2023-09-13T14:00:00Z", text="x")
    world.refused("incident.unknown", "recv", "incident.dispute", None, incident="inc-9", text="x")


def test_a_party_cannot_dispute_its_own_claim():
    world = report(World())
    world.refused("incident.own_claim", "border", "incident.dispute", None, incident="inc-1", text="x")


def test_coordinates_come_as_a_pair_on_the_globe():
    for place in ({"name": "x", "lat": "39.97"}, {"name": "x", "lon": "46.93"}, {"name": "x", "lat": "999", "lon": "1"},
                  {"name": "x", "lat": "1", "lon": "-180.5"}):
        World().refused("place.invalid", "border", "incident.report", None, incident="i", category="mines_uxo",
                        place=place, occurred_from="2023-09-13T14:00:00Z", text="x")
    report(World(), place={"name": "Road B, no coordinates"})
    report(World(), place={"name": "the pole", "lat": "-90", "lon": "180"})


def test_period_and_references_are_checked():
    world = World().submit()
    base = {"category": "violence", "place": PLACE, "text": "x"}
    world.refused("time.invalid", "recv", "incident.report", None, incident="a", occurred_from="2023-09-13T14:00:00Z",
                  occurred_to="2023-09-12T00:00:00Z", **base)
    world.refused("route.unknown", "recv", "incident.report", None, incident="a", occurred_from="2023-09-13T14:00:00Z",
                  route="road-z", **base)
    world.refused("plan.unknown", "recv", "incident.report", "p9", incident="a", occurred_from="2023-09-13T14:00:00Z",
                  **base)
    world.refused("leg.unknown", "recv", "incident.report", "p1", incident="a", occurred_from="2023-09-13T14:00:00Z",
                  leg="leg-z", **base)
    world.refused("statement.malformed", "recv", "incident.report", None, incident="a",
                  occurred_from="2023-09-13T14:00:00Z", leg="leg-a", **base)
    world.refused("value.float", "recv", "incident.report", None, incident="a", occurred_from="2023-09-13T14:00:00Z",
                  **(base | {"place": {"name": "x", "lat": 39.9}}))


def test_incident_may_refer_to_a_plan_and_leg():
    world = report(World().submit(), plan="p1", leg="leg-a")
    assert world.state.incidents["inc-1"].plan == "p1"


def test_observers_cannot_report():
    World().refused("party.observer", "mediator", "incident.report", None, incident="i", category="violence",
                    place=PLACE, occurred_from="2023-09-13T14:00:00Z", text="x")
