"""Agreeing on a slot: propose, confirm, decline."""

from .world import SALT, World, full_receipts, leg, window


def propose(world, slot="s1", start=3600, end=7200, party="org-a"):
    return world.propose("p1", slot, start, end, party)


WINDOW = window("2023-09-12T07:00:00Z", "2023-09-12T08:00:00Z")


def test_slot_confirmed_by_all_schedules_the_plan():
    world = World().submit().consent_all()
    propose(world)
    for party in ("border", "customs", "recv"):
        world.do(party, "slot.confirm", slot="s1")
        assert world.plan().status == "cleared"
    world.do("escort", "slot.confirm", slot="s1")
    assert world.plan().status == "scheduled"


def test_slot_cannot_be_proposed_before_clearance():
    world = World().submit()
    world.refused("state.wrong", "org-a", "slot.propose", slot="s1", window=WINDOW)


def test_a_window_in_clear_is_refused_the_log_carries_only_its_commitment():
    world = World().submit().consent_all()
    world.refused("statement.malformed", "org-a", "slot.propose", slot="s1", start="2023-09-12T07:00:00Z",
                  end="2023-09-12T08:00:00Z")
    world.refused("window.not_committed", "org-a", "slot.propose", slot="s1", window="2023-09-12T07:00:00Z")


def completed(world):
    world.submit(legs=[leg("leg-a", "road-a")]).consent_all()
    propose(world)
    for party in world.plan().required:
        world.do(party, "slot.confirm", slot="s1")
    world.do("border", "leg.arrive", leg="leg-a", checkpoint="lachin")
    world.do("customs", "leg.inspect", leg="leg-a", checkpoint="lachin", findings=[], decision="cleared")
    world.do("escort", "plan.go").do("org-a", "leg.depart", leg="leg-a")
    return world.do("recv", "leg.deliver", leg="leg-a", receipts=full_receipts())


def test_a_revealed_empty_window_is_refused():
    world = World().submit(legs=[leg("leg-a", "road-a")]).consent_all()
    world.do("org-a", "slot.propose", slot="s1", window=window("2023-09-12T08:00:00Z", "2023-09-12T07:00:00Z"))
    world.do("org-a", "plan.cancel")
    world.refused("slot.invalid", "org-a", "plan.reveal", window={"slot": "s1", "start": "2023-09-12T08:00:00Z",
                                                                  "end": "2023-09-12T07:00:00Z", "salt": SALT})


def test_only_the_requester_proposes():
    world = World().submit().consent_all()
    world.refused("party.not_requester", "border", "slot.propose", slot="s1", window=WINDOW)


def test_confirming_an_unknown_slot_or_twice_is_refused():
    world = World().submit().consent_all()
    world.refused("slot.unknown", "border", "slot.confirm", slot="s1")
    propose(world)
    world.refused("slot.unknown", "border", "slot.confirm", slot="s2")
    world.do("border", "slot.confirm", slot="s1")
    world.refused("slot.already_answered", "border", "slot.confirm", slot="s1")
    world.refused("party.not_required", "org-b", "slot.confirm", slot="s1")


def test_declined_slot_returns_the_ball_to_the_requester_who_proposes_again():
    world = World().submit().consent_all()
    propose(world)
    world.do("recv", "slot.decline", slot="s1", text="Not on a Sunday")
    plan = world.plan()
    assert plan.status == "cleared"
    assert set(plan.waiting_since) == {"org-a"}
    world.refused("slot.unknown", "border", "slot.confirm", slot="s1")
    propose(world, slot="s2", start=86400, end=90000)
    assert set(world.plan().waiting_since) == {"border", "customs", "recv", "escort"}


def test_a_new_proposal_replaces_a_scheduled_slot():
    world = World().cleared_and_scheduled()
    propose(world, slot="s2", start=86400, end=90000)
    assert world.plan().status == "cleared"
    assert world.plan().slot.id == "s2"
