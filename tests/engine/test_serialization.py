"""State snapshots: JSON out and back, and continuing from a snapshot equals never stopping."""

import json

from corridor.engine import from_json, to_json

from .world import World, full_receipts


def finished_world():
    world = World().cleared_and_scheduled().at_gates_cleared().released_and_departed()
    world.do("recv", "leg.deliver", leg="leg-a", receipts=full_receipts())
    return world


def test_round_trip_is_byte_identical():
    state = finished_world().state
    assert to_json(from_json(to_json(state))) == to_json(state)


def test_snapshot_is_plain_json_without_floats():
    def walk(value):
        assert not isinstance(value, float)
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
    walk(json.loads(to_json(finished_world().state)))


def test_continuing_from_a_snapshot_equals_never_stopping():
    world = finished_world()
    restored = World()
    restored.state, restored.seq, restored.now = from_json(to_json(world.state)), dict(world.seq), world.now
    for target in (world, restored):
        target.do("recv", "leg.deliver", leg="leg-b", receipts=full_receipts())
    assert to_json(restored.state) == to_json(world.state)
    assert restored.plan().status == "completed"
