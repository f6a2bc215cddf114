"""Which permits a plan calls for, and which live ones it no longer supports."""

from corridor.permits import issue

from .factory import scheduled_world


def issue_on_log(world, due, digest="ab" * 32):
    world.do("op", "permit.issue", permit=due.permit, leg=due.leg, vehicle=due.vehicle, version=world.version(),
             digest=digest)


def test_one_permit_per_vehicle_of_each_cleared_leg_and_none_twice():
    world = scheduled_world()
    due = issue.due_permits(world.plan())
    assert [(d.permit, d.leg, d.vehicle) for d in due] == [("leg-a.v1.1", "leg-a", "v1"), ("leg-b.v1.1", "leg-b", "v1")]
    issue_on_log(world, due[0])
    assert [d.permit for d in issue.due_permits(world.plan())] == ["leg-b.v1.1"]


def test_none_before_the_slot_is_confirmed():
    world = scheduled_world()
    world.state.plans["p1"].status = "cleared"
    assert issue.due_permits(world.plan()) == []


def test_an_amendment_or_a_withdrawal_makes_live_permits_stale_and_a_new_number_follows():
    world = scheduled_world()
    for due in issue.due_permits(world.plan()):
        issue_on_log(world, due)
    assert issue.stale_permits(world.plan()) == []
    world.do("border", "plan.withdraw", reason="security")
    assert {(s.permit, s.reason) for s in issue.stale_permits(world.plan())} == {
        ("leg-a.v1.1", "withdrawal"), ("leg-b.v1.1", "withdrawal")}
    world.do("op", "permit.revoke", permit="leg-a.v1.1", reason="withdrawal")
    world.plan().permits["leg-b.v1.1"].version = "00" * 32  # as if issued for a version since amended
    assert [(s.permit, s.reason) for s in issue.stale_permits(world.plan())] == [("leg-b.v1.1", "amendment")]


def test_a_new_slot_in_place_of_the_confirmed_one_makes_the_permits_stale_as_rescheduled():
    world = scheduled_world()
    for due in issue.due_permits(world.plan()):
        issue_on_log(world, due)
    world.propose("p1", "s2")
    assert world.plan().status == "cleared"
    assert {s.reason for s in issue.stale_permits(world.plan())} == {"rescheduled"}
