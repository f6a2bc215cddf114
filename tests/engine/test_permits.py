"""Passage permits on the log: issued by the operator for a leg cleared for passage, revoked when the plan
changes under it. The log holds the permit's digest, never its plate or window."""

from corridor.engine import Party

from .world import World, two_legs

DIGEST = "ab" * 32
OTHER_DIGEST = "cd" * 32


def world_with_operator() -> World:
    world = World()
    world.state.parties["op"] = Party(id="op", name="Corridor service", kind="operator")
    return world


def issue(world: World, permit: str = "leg-a.v1.1", leg: str = "leg-a", vehicle: str = "v1", **extra) -> World:
    return world.do("op", "permit.issue", permit=permit, leg=leg, vehicle=vehicle, version=world.version(),
                    digest=extra.pop("digest", DIGEST), consents=[3, 4, 5], **extra)


def test_a_permit_is_issued_for_a_vehicle_of_a_scheduled_leg_and_revoked_once():
    world = issue(world_with_operator().cleared_and_scheduled())
    record = world.plan().permits["leg-a.v1.1"]
    assert (record.leg, record.vehicle, record.digest, record.consents) == ("leg-a", "v1", DIGEST, (3, 4, 5))
    world.do("op", "permit.revoke", permit="leg-a.v1.1", reason="amendment")
    assert world.plan().permits["leg-a.v1.1"].reason == "amendment"
    world.refused("permit.revoked", "op", "permit.revoke", permit="leg-a.v1.1", reason="other")
    world.refused("permit.unknown", "op", "permit.revoke", permit="nope", reason="other")


def test_no_permit_before_the_leg_is_cleared_for_passage():
    world = world_with_operator().submit().consent_all()  # consented, slot not confirmed
    world.refused("permit.not_cleared", "op", "permit.issue", permit="x", leg="leg-a", vehicle="v1",
                  version=world.version(), digest=DIGEST)


def test_no_permit_once_the_leg_is_released():
    world = world_with_operator().cleared_and_scheduled().at_gates_cleared().released_and_departed()
    world.refused("permit.not_cleared", "op", "permit.issue", permit="x", leg="leg-a", vehicle="v1",
                  version=world.version(), digest=DIGEST)


def test_a_permit_names_the_current_version_a_known_vehicle_and_a_new_id():
    world = issue(world_with_operator().cleared_and_scheduled())
    world.refused("permit.stale_version", "op", "permit.issue", permit="y", leg="leg-a", vehicle="v1",
                  version="00" * 32, digest=OTHER_DIGEST)
    world.refused("vehicle.unknown_on_leg", "op", "permit.issue", permit="y", leg="leg-a", vehicle="v9",
                  version=world.version(), digest=OTHER_DIGEST)
    world.refused("permit.exists", "op", "permit.issue", permit="leg-a.v1.1", leg="leg-b", vehicle="v1",
                  version=world.version(), digest=OTHER_DIGEST)
    world.refused("permit.duplicate", "op", "permit.issue", permit="leg-a.v1.2", leg="leg-a", vehicle="v1",
                  version=world.version(), digest=OTHER_DIGEST)
    world.do("op", "permit.revoke", permit="leg-a.v1.1", reason="other")
    issue(world, permit="leg-a.v1.2", digest=OTHER_DIGEST)  # a fresh permit once the first is revoked


def test_only_the_operator_issues_permits_and_a_revocation_survives_the_plan_closing():
    world = world_with_operator().cleared_and_scheduled()
    world.refused("party.role", "org-a", "permit.issue", permit="x", leg="leg-a", vehicle="v1",
                  version=world.version(), digest=DIGEST)
    issue(world)
    world.do("org-a", "plan.cancel")
    assert world.plan().closed
    world.do("op", "permit.revoke", permit="leg-a.v1.1", reason="cancellation")


def test_a_plate_in_clear_cannot_ride_on_a_permit_statement():
    world = world_with_operator().cleared_and_scheduled(**two_legs())
    world.refused("statement.malformed", "op", "permit.issue", permit="x", leg="leg-a", vehicle="v1",
                  version=world.version(), digest=DIGEST, plate="AB-1")
