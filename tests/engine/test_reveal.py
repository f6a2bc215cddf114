"""Commitments on the log, and their reveal once the plan is closed: windows, plates; crew never."""

from corridor.ledger.commitments import plate_value, verify_reveal, window_value

from .world import SALT, World, crew, full_receipts, leg, plate, two_legs


def completed(world: World) -> World:
    world.cleared_and_scheduled(legs=[leg("leg-a", "road-a")])
    world.do("border", "leg.arrive", leg="leg-a", checkpoint="lachin")
    world.do("customs", "leg.inspect", leg="leg-a", checkpoint="lachin", findings=[], decision="cleared")
    world.do("escort", "plan.go").do("org-a", "leg.depart", leg="leg-a")
    return world.do("recv", "leg.deliver", leg="leg-a", receipts=full_receipts())


def test_crew_and_plates_in_clear_are_refused_with_their_own_codes():
    world = World()
    clear_crew = two_legs(legs=[leg("leg-a", "road-a", crew=["A. Driver, passport P-123"])])
    world.refused("crew.not_committed", "org-a", "plan.submit", **clear_crew)
    as_person = two_legs(legs=[leg("leg-a", "road-a", crew=[{"name": "A. Driver", "document": "P-123"}])])
    world.refused("crew.not_committed", "org-a", "plan.submit", **as_person)
    clear_plate = two_legs(legs=[leg("leg-a", "road-a", vehicles=[{"id": "v1", "plate": "AB 123", "type": "truck"}])])
    world.refused("plate.not_committed", "org-a", "plan.submit", **clear_plate)
    world.submit(**two_legs(legs=[leg("leg-a", "road-a", crew=[crew("A. Driver", "P-123")])]))
    world.refused("crew.not_committed", "org-a", "plan.amend", **clear_crew)


def test_reveal_opens_the_window_and_plates_for_every_reader_of_the_fold():
    world = completed(World())
    world.reveal()
    plan = world.plan()
    start, end = world.windows[("p1", "s1")]
    assert plan.slot.revealed.start == start and plan.slot.revealed.end == end
    assert verify_reveal(window_value(start, end), plan.slot.revealed.salt, plan.slot.window)
    assert plan.slot.start is not None and plan.slot.end > plan.slot.start
    [revealed] = plan.plates
    assert (revealed.leg, revealed.vehicle, revealed.plate) == ("leg-a", "v1", "AB-1")
    assert verify_reveal(plate_value("AB-1"), revealed.salt, plan.content.legs[0].vehicles[0].plate)


def test_reveal_comes_only_from_the_requester_once_the_plan_is_closed():
    world = World().cleared_and_scheduled(legs=[leg("leg-a", "road-a")])
    world.refused("reveal.early", "org-a", "plan.reveal", **world.reveal_payload())
    world.do("org-a", "plan.cancel")
    world.refused("party.not_requester", "border", "plan.reveal", **world.reveal_payload())
    world.refused("reveal.empty", "org-a", "plan.reveal")
    world.reveal()


def test_a_reveal_that_does_not_open_the_commitment_is_refused():
    world = completed(World())
    payload = world.reveal_payload()
    wrong_time = {**payload, "window": {**payload["window"], "start": "2023-09-11T09:00:00Z"}}
    world.refused("reveal.mismatch", "org-a", "plan.reveal", **wrong_time)
    wrong_salt = {"window": {**payload["window"], "salt": "00" * 16}}
    world.refused("reveal.mismatch", "org-a", "plan.reveal", **wrong_salt)
    wrong_plate = {"plates": [{**payload["plates"][0], "plate": "AB-2"}]}
    world.refused("reveal.mismatch", "org-a", "plan.reveal", **wrong_plate)
    no_such_vehicle = {"plates": [{**payload["plates"][0], "vehicle": "v9"}]}
    world.refused("reveal.mismatch", "org-a", "plan.reveal", **no_such_vehicle)
    other_slot = {"window": {**payload["window"], "slot": "s9"}}
    world.refused("reveal.mismatch", "org-a", "plan.reveal", **other_slot)


def test_each_commitment_is_revealed_once():
    world = completed(World())
    payload = world.reveal_payload()
    world.do("org-a", "plan.reveal", window=payload["window"])
    world.refused("reveal.done", "org-a", "plan.reveal", window=payload["window"])
    world.do("org-a", "plan.reveal", plates=payload["plates"])
    world.refused("reveal.done", "org-a", "plan.reveal", plates=payload["plates"])
    twice = World()
    completed(twice)
    twice.refused("reveal.done", "org-a", "plan.reveal", plates=payload["plates"] * 2)


def test_plates_committed_in_the_plan_are_covered_by_its_version():
    world = World().submit(**two_legs(legs=[leg("leg-a", "road-a")]))
    first = world.version()
    world.do("org-a", "plan.amend", **two_legs(legs=[leg("leg-a", "road-a", vehicles=[
        {"id": "v1", "plate": plate("AB-2"), "type": "truck"}])]))
    assert world.version() != first
    assert SALT  # the salt is the requester's to keep; the log never shows it before the reveal
