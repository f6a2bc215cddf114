"""Crew per vehicle: a member may be seated in one of the leg's vehicles ({"commitment", "vehicle"} on the log);
a bare commitment stays what it was, so every plan written before seats existed keeps its version."""

import msgspec

from corridor.engine.model import CrewSeat, Leg, PlanContent
from corridor.engine.rules.common import plan_version

from .world import World, crew, leg, two_legs


def test_a_seated_member_names_a_vehicle_of_the_leg():
    world = World()
    driver, mate = crew("A. Driver", "P-1"), crew("B. Mate", "P-2")
    world.submit(**two_legs(legs=[leg("leg-a", "road-a", crew=[{"commitment": driver, "vehicle": "v1"}, mate])]))
    [only] = world.plan().content.legs
    assert only.crew == (CrewSeat(commitment=driver, vehicle="v1"), mate)
    assert only.crew_commitments() == [driver, mate] and only.crew_vehicles() == {driver: "v1"}


def test_a_member_seated_in_a_vehicle_the_leg_does_not_list_is_refused():
    world = World()
    seated = [{"commitment": crew("A. Driver", "P-1"), "vehicle": "v9"}]
    world.refused("crew.vehicle_unknown", "org-a", "plan.submit", **two_legs(legs=[leg("leg-a", "road-a",
                                                                                     crew=seated)]))
    world.submit(**two_legs(legs=[leg("leg-a", "road-a")]))
    world.refused("crew.vehicle_unknown", "org-a", "plan.amend", **two_legs(legs=[leg("leg-a", "road-a",
                                                                                    crew=seated)]))


def test_a_person_or_a_clear_value_in_a_seat_is_refused_as_not_committed():
    world = World()
    as_person = {"name": "A. Driver", "document": "P-1", "vehicle": "v1"}
    for seat in (as_person, {"commitment": "A. Driver", "vehicle": "v1"}):
        world.refused("crew.not_committed", "org-a", "plan.submit", **two_legs(legs=[leg("leg-a", "road-a",
                                                                                       crew=[seat])]))


def test_a_leg_without_seats_encodes_and_hashes_as_before_seats_existed():
    member = crew("A. Driver", "P-1")
    raw = leg("leg-a", "road-a", crew=[member])
    decoded = msgspec.convert(raw, Leg)
    assert msgspec.json.decode(msgspec.json.encode(decoded))["crew"] == [member]
    assert b'"vehicle"' not in msgspec.json.encode(decoded.crew)
    seated = msgspec.convert(leg("leg-a", "road-a", crew=[{"commitment": member, "vehicle": "v1"}]), Leg)
    assert msgspec.json.decode(msgspec.json.encode(seated))["crew"] == [{"commitment": member, "vehicle": "v1"}]


def test_seating_a_member_is_a_new_version():
    member = crew("A. Driver", "P-1")
    bare = msgspec.convert({"legs": [leg(crew=[member])]}, PlanContent)
    seated = msgspec.convert({"legs": [leg(crew=[{"commitment": member, "vehicle": "v1"}])]}, PlanContent)
    assert plan_version(bare) != plan_version(seated)
