"""The plans of a fold snapshot read where they lie (MappedPlans): a plan is found by its id even where the
index's keys collide, reads and writes after a load behave as a dict's, and the section written again is byte
for byte what a fresh fold writes."""

from __future__ import annotations

import msgspec
import pytest
from bench.engine_fold import registry

from corridor import snapshot, snapshot_plans
from corridor.engine import RuleViolation, apply_raw, to_json
from corridor.engine.times import format_time
from corridor.fold import LogFold
from corridor.snapshot_plans import MappedPlans
from tests.engine.test_properties import routes_in_use_scanned
from tests.generated_logs import OPERATOR
from tests.test_snapshot import SECRET, generated, replayed, restored_two_roads, roots_of, snapshot_at, two_roads


def test_plans_are_decoded_on_first_use_and_equal_the_replayed_ones():
    restored, original = restored_two_roads()
    plans = restored.state.plans
    assert isinstance(plans, MappedPlans) and len(plans) == len(original.state.plans) > 0
    assert list(plans) == list(original.state.plans)  # the fold's own order
    first = next(iter(plans))
    assert plans[first] == original.state.plans[first] and plans.get(first) is plans[first]
    assert plans.get("no-such-plan") is None and "no-such-plan" not in plans and 7 not in plans
    assert dict(plans) == original.state.plans
    assert to_json(restored.state) == to_json(original.state)


def test_the_operator_redefines_the_routes_of_a_loaded_fold_without_reading_a_plan(monkeypatch):
    """route.define asks whether an open plan uses the route: the fold's count answers, and a plan left in the
    file stays there (reading every one grew with the log, inside the request that records the statement)."""
    registrar, entries = generated()
    restored = snapshot.decode(snapshot_at(registrar, entries, len(entries)), SECRET, roots_of(entries),
                               registrar_public=registrar)
    full = replayed(registrar, entries).state
    assert restored.state.open_plans_by_route == full.open_plans_by_route != {}
    monkeypatch.setattr(snapshot_plans, "_plan_decoder", None)  # a plan read from the file fails loudly
    routes = registry()[1]
    new = msgspec.structs.replace(routes[0], id="route-new", name="New route")
    for route in [*routes, new, new]:  # every route of the log is in use; a new one, defined again, is not
        raw = {"type": "route.define", "party": OPERATOR, "seq": restored.next_seq(OPERATOR),
               "time": format_time(restored.state.clock), "payload": msgspec.to_builtins(route)}
        try:
            apply_raw(restored.state, raw)
            code = None
        except RuleViolation as refusal:
            code = refusal.code
        assert code == ("route.in_use" if routes_in_use_scanned(full, route.id) else None), route.id


def test_code_that_walks_the_plans_as_a_dict_fails_loudly_rather_than_missing_them():
    restored, _ = restored_two_roads()
    with pytest.raises(TypeError):
        msgspec.json.encode(restored.state)  # not a dict: refused, not written without the plans in the file


def test_plans_never_read_are_written_again_as_the_very_bytes_they_were():
    registrar, entries = two_roads()
    data = snapshot_at(registrar, entries, len(entries))
    restored = snapshot.decode(data, SECRET, roots_of(entries), registrar_public=registrar)
    assert snapshot.encode(restored, roots_of(entries)(len(entries)), SECRET) == data


def test_a_plan_is_found_among_plans_whose_keys_collide(monkeypatch):
    """Two ids whose hashes share the 8 bytes the index keeps are told apart by the ids in the records."""
    monkeypatch.setattr(snapshot_plans, "key_of", lambda plan_id: 42)
    restored, original = restored_two_roads()
    for plan_id, plan in original.state.plans.items():
        assert restored.state.plans[plan_id] == plan
    assert "no-such-plan" not in restored.state.plans


@pytest.mark.parametrize("size", [80, 300])  # the generated log submits its plans at entries 62-101
def test_written_again_after_a_tail_with_colliding_keys_it_is_what_a_replay_writes(monkeypatch, size):
    """The section written again (records copied in runs, the index merged with the plans added) is byte for
    byte the one a fresh fold writes, even where every key collides (then the order among equal keys counts)."""
    monkeypatch.setattr(snapshot_plans, "key_of", lambda plan_id: 42)
    registrar, entries = generated()
    restored = snapshot.decode(snapshot_at(registrar, entries, size), SECRET, roots_of(entries),
                               registrar_public=registrar)
    for entry in entries[size:]:
        restored.apply_entry(entry, signature_checked=True)
    assert snapshot.encode_body(restored) == snapshot.encode_body(replayed(registrar, entries))


def test_plans_set_and_removed_after_a_load_read_as_a_dict_would():
    restored, original = restored_two_roads()
    plans, expected = restored.state.plans, dict(original.state.plans)
    first, second = list(expected)[:2]
    for mapping in (plans, expected):
        mapping["added"] = mapping[first]
        mapping[second] = mapping[first]
        del mapping[first]
        mapping[first] = mapping["added"]  # back, now after the others
    assert list(plans) == list(expected) and len(plans) == len(expected)
    assert all(plans[plan_id] == expected[plan_id] for plan_id in expected)
    with pytest.raises(KeyError):
        del plans["no-such-plan"]
    restored.state.plans = plans
    assert snapshot.encode_body(restored) == snapshot.encode_body(_with_plans(original, expected))


def _with_plans(fold: LogFold, plans: dict) -> LogFold:
    fold.state = msgspec.structs.replace(fold.state, plans=plans)
    return fold


def test_an_empty_fold_has_an_empty_plans_section():
    registrar, entries = two_roads()
    restored = snapshot.decode(snapshot_at(registrar, entries, 0), SECRET, roots_of(entries),
                               registrar_public=registrar)
    assert len(restored.state.plans) == 0 and list(restored.state.plans) == []
