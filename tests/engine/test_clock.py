"""The ball-holder clock: who is waited on at each stage, and how waiting accumulates."""

from corridor.engine import settle, waiting_seconds
from corridor.engine.times import parse_time

from .world import World, full_receipts, leg


def holders(world):
    return set(world.plan().waiting_since)


def test_after_submission_every_required_party_is_waited_on_from_the_submission():
    world = World().submit()
    plan = world.plan()
    assert holders(world) == {"border", "customs", "recv", "escort"}
    assert set(plan.waiting_since.values()) == {plan.submitted_at}


def test_consent_stops_that_partys_clock_only():
    world = World().submit()
    world.now += 3 * 3600
    world.do("border", "plan.consent", version=world.version())
    assert holders(world) == {"customs", "recv", "escort"}
    assert world.plan().waited["border"] == 3 * 3600 + 60


def test_open_question_moves_the_asker_off_the_clock_and_the_requester_on():
    world = World().submit()
    world.do("customs", "plan.request_info", request="q1", question="Which date?")
    assert holders(world) == {"border", "recv", "escort", "org-a"}
    world.do("org-a", "plan.answer", request="q1", answer="18 Sep")
    assert holders(world) == {"border", "customs", "recv", "escort"}


def test_cleared_plan_waits_on_the_requester_then_on_slot_confirmations():
    world = World().submit().consent_all()
    assert holders(world) == {"org-a"}
    world.propose(start=7200, end=9000)
    assert holders(world) == {"border", "customs", "recv", "escort"}


def test_while_the_window_is_committed_nobody_is_waited_on_until_the_first_movement():
    world = World().cleared_and_scheduled()
    plan = world.plan()
    assert holders(world) == set()
    start = parse_time(world.windows[("p1", "s1")][0])
    settle(world.state, start + 600)  # the fold does not know the window opened
    assert holders(world) == set()
    world.now = start + 3600
    world.do("org-a", "leg.arrive", leg="leg-b", checkpoint="gate-b")
    assert "org-a" in holders(world) and plan.dormant == [(plan.slot.proposed_at + 4 * 60, world.now)]


def completed_single_leg(world, wait_after_start: int) -> int:
    """Run a one-leg plan to completion, arriving `wait_after_start` seconds after the window opens."""
    world.cleared_and_scheduled(legs=[leg("leg-a", "road-a")])
    start = parse_time(world.windows[("p1", "s1")][0])
    world.now = start + wait_after_start - 60
    world.do("border", "leg.arrive", leg="leg-a", checkpoint="lachin")
    world.do("customs", "leg.inspect", leg="leg-a", checkpoint="lachin", findings=[], decision="cleared")
    world.do("escort", "plan.go").do("org-a", "leg.depart", leg="leg-a")
    world.do("recv", "leg.deliver", leg="leg-a", receipts=full_receipts())
    assert world.plan().status == "completed"
    return start


def test_the_reveal_adds_the_requesters_wait_from_the_window_start_to_the_first_movement():
    world = World()
    completed_single_leg(world, wait_after_start=2 * 3600)
    before = world.plan().waited["org-a"]
    world.reveal()
    assert world.plan().waited["org-a"] - before == 2 * 3600  # the arrival came two hours after the start
    assert world.plan().dormant == []


def test_the_reveal_adds_nothing_when_the_convoy_came_before_the_window_opened():
    world = World()
    completed_single_leg(world, wait_after_start=-1800)
    before = dict(world.plan().waited)
    world.reveal()
    assert world.plan().waited == before


def test_the_revealed_wait_does_not_overlap_the_requesters_other_intervals():
    """Waiting intervals of one party never overlap, so a total never exceeds the time the plan was open."""
    world = World()
    completed_single_leg(world, wait_after_start=5 * 3600)
    world.reveal()
    plan = world.plan()
    assert max(plan.waited.values()) <= plan.closed_at - plan.submitted_at


def test_at_the_checkpoint_the_inspectors_are_waited_on():
    world = World().cleared_and_scheduled()
    world.do("border", "leg.arrive", leg="leg-a", checkpoint="lachin")
    assert {"border", "customs"} <= holders(world)


def test_when_all_legs_are_cleared_the_convoy_is_waited_on_to_go_then_nobody_in_transit():
    world = World().cleared_and_scheduled().at_gates_cleared()
    assert holders(world) == {"org-a"}
    world.released_and_departed()
    assert holders(world) == set()


def test_refusal_puts_the_requester_on_the_clock_until_amended():
    world = World().submit()
    world.do("recv", "plan.refuse", version=world.version(), reason="security")
    assert holders(world) == {"org-a"}
    world.do("org-a", "plan.amend", legs=[leg("leg-a", "road-a")])
    assert holders(world) == {"border", "customs", "recv", "escort"}


def test_expiry_stops_every_clock_at_the_expiry_time():
    world = World().submit(**{"legs": [leg()], "expires_at": "2023-09-12T08:00:00Z"})
    plan = world.plan()
    settle(world.state, plan.expires_at + 86400)
    assert plan.status == "expired"
    assert waiting_seconds(plan, plan.expires_at + 86400)["recv"] == plan.expires_at - plan.submitted_at


def test_waiting_seconds_counts_open_intervals_up_to_as_of():
    world = World().submit()
    plan = world.plan()
    assert waiting_seconds(plan, plan.submitted_at + 100) == {
        "border": 100, "customs": 100, "escort": 100, "recv": 100,
    }


def test_held_vehicle_keeps_the_inspectors_on_the_clock_until_released():
    world = World().cleared_and_scheduled(legs=[leg("leg-a", "road-a")])
    before = dict(world.plan().waited)  # waiting during consent and slot stages counts too
    world.do("border", "leg.arrive", leg="leg-a", checkpoint="lachin")
    arrived = world.now
    world.now += 5 * 3600
    world.do("customs", "leg.inspect", leg="leg-a", checkpoint="lachin", findings=[], decision="held")
    world.now += 3 * 3600
    world.do("customs", "leg.inspect", leg="leg-a", checkpoint="lachin", findings=[], decision="cleared")
    waited = world.plan().waited
    for party in ("customs", "border"):
        assert waited[party] - before[party] == world.now - arrived
    assert set(world.plan().waiting_since) == {"org-a"}  # now the convoy must go


def test_a_plan_that_expires_while_scheduled_stops_every_clock():
    world = World().submit(**{"legs": [leg()], "expires_at": "2023-09-11T12:00:00Z"})
    world.consent_all()
    world.propose(start=3600, end=7200)
    for party in world.plan().required:
        world.do(party, "slot.confirm", slot="s1")
    plan = world.plan()
    before = plan.waited.get("org-a", 0)  # the minute it took org-a to propose the slot
    settle(world.state, plan.expires_at + 3600)
    assert plan.status == "expired" and plan.waiting_since == {}
    world.now = plan.expires_at + 3600
    world.reveal()
    start = parse_time(world.windows[("p1", "s1")][0])
    assert plan.waited["org-a"] - before == plan.expires_at - start  # waited on to bring the vehicle


def test_an_independent_leg_turned_back_leaves_the_clock_on_the_other_leg():
    from .world import two_legs

    world = World().cleared_and_scheduled(**two_legs(linkage="independent"))
    world.do("border", "leg.arrive", leg="leg-a", checkpoint="lachin")
    world.do("customs", "leg.inspect", leg="leg-a", checkpoint="lachin", findings=[], decision="turned_back")
    assert set(world.plan().waiting_since) == {"org-a"}  # leg-b has yet to reach its gate
