"""A long fold's plans with the closed ones packed (PackedPlans): the mapping behaves as the dict it replaces,
in every read, write and in its order, whenever plans are packed; a fold that packs serialises byte for byte
as one that does not."""

from __future__ import annotations

import functools

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor import packed_plans
from corridor.engine import to_json
from corridor.engine.state import PlanState
from corridor.fold import LogFold
from corridor.packed_plans import PackedPlans, held_plans, leg_count, plan_of
from corridor.snapshot_plans import write_section
from tests.test_snapshot import generated, replayed, two_roads


def copy(plan: PlanState) -> PlanState:
    return msgspec.msgpack.decode(msgspec.msgpack.encode(plan), type=PlanState)


@functools.cache
def sample_plans() -> tuple[PlanState, ...]:
    """The generated log's plans, closed and open ones."""
    plans = tuple(replayed(*generated()).state.plans.values())
    assert any(plan.closed for plan in plans) and not all(plan.closed for plan in plans)
    return plans


def packed_with(plans) -> PackedPlans:
    packed = PackedPlans()
    for plan in plans:
        packed[plan.id] = copy(plan)
    return packed


def test_closed_plans_are_packed_and_read_back_equal():
    plans = sample_plans()
    packed = packed_with(plans)
    assert packed.pack_closed() == sum(plan.closed for plan in plans)
    held = list(held_plans(packed))
    assert [type(h) is bytes for h in held] == [plan.closed for plan in plans]
    assert [plan_of(h) for h in held] == list(plans) and [leg_count(h) for h in held] == [len(p.content.legs)
                                                                                           for p in plans]
    assert list(packed) == [plan.id for plan in plans] and len(packed) == len(plans)
    assert dict(packed) == {plan.id: plan for plan in plans} and packed == {plan.id: plan for plan in plans}
    assert packed.pack_closed() == sum(plan.closed for plan in plans)  # decoded by the reads above: packed again


def test_a_plan_read_stays_the_one_object_until_the_next_pack_and_its_changes_are_kept():
    closed = next(plan for plan in sample_plans() if plan.closed)
    packed = packed_with([closed])
    packed.pack_closed()
    plan = packed[closed.id]
    assert packed.get(closed.id) is plan and packed[closed.id] is plan
    plan.amendments += 7
    assert packed.pack_closed() == 1 and type(next(packed.held())) is bytes
    assert packed[closed.id].amendments == closed.amendments + 7 and packed[closed.id] is not plan


def test_missing_plans_answer_as_a_dict_does():
    packed = packed_with(sample_plans()[:2])
    assert packed.get("nope") is None and packed.get("nope", 5) == 5 and "nope" not in packed and 7 not in packed
    with pytest.raises(KeyError):
        packed["nope"]
    with pytest.raises(KeyError):
        del packed["nope"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["set", "read", "change", "delete", "pack", "get"]),
                          st.integers(0, 7), st.integers(0, 10 ** 6)), max_size=60))
def test_the_mapping_behaves_as_a_dict_whatever_is_done_and_packed(operations):
    plans = sample_plans()
    model, packed = {}, PackedPlans()
    for operation, key, number in operations:
        plan_id = f"p{key}"
        if operation == "set":
            plan = msgspec.structs.replace(copy(plans[number % len(plans)]), id=plan_id)
            model[plan_id], packed[plan_id] = plan, copy(plan)
        elif operation == "pack":
            packed.pack_closed()
        elif operation == "get":
            assert packed.get(plan_id) == model.get(plan_id) and (plan_id in packed) == (plan_id in model)
        elif plan_id not in model:
            with pytest.raises(KeyError):
                packed.pop(plan_id) if operation == "delete" else packed[plan_id]
        elif operation == "delete":
            del model[plan_id], packed[plan_id]
        else:
            assert packed[plan_id] == model[plan_id]
            if operation == "change":  # as the engine does: the object read is the one changed
                model[plan_id].amendments += number
                packed[plan_id].amendments += number
        assert list(packed) == list(model) and len(packed) == len(model)
    assert list(packed.items()) == list(model.items())


def packing_fold(registrar: bytes, entries: list[bytes], every: int) -> tuple[LogFold, int]:
    """The log folded with its closed plans packed every `every` entries; also how many packings there were."""
    fold, packings = replayed(registrar, []), 0
    fold.state.plans = PackedPlans()
    for entry in entries:
        fold.apply_entry(entry)
        if fold.size % every == 0:
            packings += fold.state.plans.pack_closed()
    return fold, packings


@pytest.mark.parametrize("log", [two_roads, generated])
@pytest.mark.parametrize("every", [1, 7, 50])
def test_a_fold_that_packs_serialises_and_snapshots_as_one_that_does_not(log, every, monkeypatch):
    import io

    registrar, entries = log()
    plain = replayed(registrar, entries)
    fold, packings = packing_fold(registrar, entries, every)
    assert packings > 0
    sections = []
    for plans in (plain.state.plans, fold.state.plans):
        out = io.BytesIO()
        with monkeypatch.context() as patch:
            patch.setattr(packed_plans, "_plan_decoder", None)  # the packed plans are copied, not decoded
            write_section(plans, out)
        sections.append(out.getvalue())
    assert sections[0] == sections[1]
    assert to_json(fold.state) == to_json(plain.state)
