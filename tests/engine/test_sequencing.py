"""Who may speak, and in what order: parties, observers, sequence numbers, time."""

from .world import World


def test_unknown_party_is_refused():
    World().submit().refused("party.unknown", "stranger", "plan.cancel")


def test_observers_act_on_nothing():
    world = World().submit()
    world.refused("party.observer", "mediator", "plan.consent", version=world.version())


def test_sequence_number_cannot_repeat():
    world = World().submit()
    raw = world.statement("org-a", "plan.cancel")
    raw["seq"] = 1
    world.refused_raw("seq.duplicate", raw)


def test_sequence_number_cannot_skip():
    world = World().submit()
    raw = world.statement("org-a", "plan.cancel")
    raw["seq"] = 3
    world.refused_raw("seq.gap", raw)


def test_refused_statement_does_not_consume_the_sequence_number():
    world = World().submit()
    world.refused("version.stale", "border", "plan.consent", version="0" * 64)
    world.do("border", "plan.consent", version=world.version())
    assert world.state.last_seq["border"] == 1


def test_small_clock_skew_is_tolerated_but_not_a_jump_back():
    world = World().submit()
    world.now -= 240
    world.do("border", "plan.consent", version=world.version())
    world.now -= 3600
    world.refused("time.backwards", "customs", "plan.consent", version=world.version())


def test_skewed_statement_never_makes_waiting_time_negative():
    world = World().submit()
    world.do("border", "plan.consent", version=world.version())
    world.now -= 200  # customs' clock runs behind, within the allowed skew
    world.send(world.statement("customs", "plan.consent", version=world.version()))
    assert world.plan().waited["customs"] >= 0
    assert all(seconds >= 0 for seconds in world.plan().waited.values())
