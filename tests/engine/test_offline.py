"""Statements signed offline and relayed by the operator's service: what a late statement may still do."""

from __future__ import annotations

import copy
import json
from typing import Any

from corridor.engine import Party, State, apply_raw, from_json, to_json
from corridor.engine.rules import offline as offline_rules
from corridor.engine.times import format_time

from .world import World

ASSERTION = {"authenticatorData": "AAAA", "clientDataJSON": "AAAA", "signature": "AAAA"}
HOUR = 3600


def operated() -> World:
    world = World()
    world.state.parties["op"] = Party(id="op", name="Operator", kind="operator")
    return world


def inner(world: World, party: str, kind: str, signed: int, mark: str, **payload: Any) -> dict[str, Any]:
    return {"type": kind, "party": party, "plan": "p1", "time": format_time(signed), "key": "passkey:" + "0" * 32,
            "offline": {"id": mark}, "payload": payload}


def relay(world: World, statement: dict[str, Any], *, after: int = 60, party: str = "op") -> dict[str, Any]:
    world.now += after
    return world.statement(party, "offline.relay", "p1", statement=statement, assertion=ASSERTION)


def arrival(world: World, signed: int, mark: str = "a" * 32) -> dict[str, Any]:
    return inner(world, "border", "leg.arrive", signed, mark, leg="leg-a", checkpoint="lachin")


def inspection(world: World, signed: int, mark: str = "b" * 32, decision: str = "cleared") -> dict[str, Any]:
    return inner(world, "customs", "leg.inspect", signed, mark, leg="leg-a", checkpoint="lachin",
                 findings=[{"line": "flour", "found": 1000}], decision=decision)


def test_an_arrival_and_inspection_signed_offline_take_effect_at_their_signing_time():
    world = operated().cleared_and_scheduled()
    signed = world.now + 60
    world.send(relay(world, arrival(world, signed), after=2 * HOUR))
    world.send(relay(world, inspection(world, signed + 600)))
    leg = world.plan().legs["leg-a"]
    assert leg.phase == "cleared"
    assert leg.arrivals == [(signed, "lachin")]
    assert leg.inspections[0][0] == signed + 600
    record = world.state.offline["a" * 32]
    assert (record.party, record.type, record.signed, record.code) == ("border", "leg.arrive", signed, None)
    assert record.received == signed - 60 + 2 * HOUR and record.relay == 1
    assert world.state.offline["b" * 32].relay == 2
    assert world.state.last_seq["border"] == world.seq["border"]  # the signers' numbers did not move


def test_the_relay_leaves_the_signers_sequence_alone():
    world = operated().cleared_and_scheduled()
    before = world.state.last_seq["border"]
    world.send(relay(world, arrival(world, world.now)))
    assert world.state.last_seq["border"] == before
    world.do("border", "plan.note", sha256="0" * 64)  # its next online statement takes the next number as ever


def test_a_duplicate_offline_id_is_refused_and_changes_nothing():
    world = operated().cleared_and_scheduled()
    world.send(relay(world, arrival(world, world.now)))
    again = relay(world, arrival(world, world.now))
    world.refused_raw("offline.duplicate", again)
    other = relay(world, inspection(world, world.now, mark="a" * 32))
    world.refused_raw("offline.duplicate", other)


def test_signed_too_far_in_the_future_is_refused():
    world = operated().cleared_and_scheduled()
    world.refused_raw("offline.future", relay(world, arrival(world, world.now + 60 + 301)))
    world.send(relay(world, arrival(world, world.now + 60 + 300)))  # within the skew


def test_signed_more_than_72_hours_before_it_arrived_is_recorded_without_effect():
    world = operated().cleared_and_scheduled()
    signed = world.now
    world.send(relay(world, arrival(world, signed), after=72 * HOUR + 1))
    record = world.state.offline["a" * 32]
    assert record.code == "late.too_old" and record.rule is None and "72 hours" in record.reason
    assert world.plan().legs["leg-a"].phase == "planned"


def test_exactly_72_hours_is_still_applied():
    world = operated().cleared_and_scheduled()
    signed = world.now + 60
    world.send(relay(world, arrival(world, signed), after=72 * HOUR + 60))
    assert world.state.offline["a" * 32].code is None
    assert world.plan().legs["leg-a"].phase == "arrived"


def test_plan_cancelled_meanwhile_the_inspection_is_recorded_not_applied():
    world = operated().cleared_and_scheduled()
    world.do("border", "leg.arrive", leg="leg-a", checkpoint="lachin")
    signed = world.now + 30
    world.do("org-a", "plan.cancel", text="road closed")
    world.send(relay(world, inspection(world, signed)))
    record = world.state.offline["b" * 32]
    assert (record.code, record.rule) == ("late.plan_closed", "plan.closed")
    assert world.plan().status == "cancelled"
    assert world.plan().legs["leg-a"].inspections == []


def test_leg_already_released_the_late_inspection_has_no_effect():
    world = operated().cleared_and_scheduled()
    world.at_gates_cleared()
    signed = world.now
    world.released_and_departed()
    world.send(relay(world, inspection(world, signed, decision="held")))
    record = world.state.offline["b" * 32]
    assert (record.code, record.rule) == ("late.state_changed", "state.wrong")
    assert world.plan().legs["leg-a"].phase == "in_transit"


def test_any_other_refusal_of_the_rule_is_late_refused_with_the_rules_code():
    world = operated().cleared_and_scheduled()
    world.do("border", "leg.arrive", leg="leg-a", checkpoint="lachin")
    bad = inspection(world, world.now)
    bad["party"] = "escort"  # escorts do not inspect at Lachin
    world.send(relay(world, bad))
    record = world.state.offline["b" * 32]
    assert (record.code, record.rule) == ("late.refused", "party.wrong_capacity")


def test_only_the_operator_relays_and_only_an_acting_party_signs():
    world = operated().cleared_and_scheduled()
    world.refused_raw("party.role", relay(world, arrival(world, world.now), party="border"))
    observer = arrival(world, world.now)
    observer["party"] = "mediator"
    world.refused_raw("party.observer", relay(world, observer))
    stranger = arrival(world, world.now)
    stranger["party"] = "nobody"
    world.refused_raw("party.unknown", relay(world, stranger))


def test_the_relay_and_its_statement_name_the_same_known_plan():
    world = operated().cleared_and_scheduled()
    raw = relay(world, arrival(world, world.now))
    raw["plan"] = "p2"
    world.refused_raw("offline.mismatch", raw)
    unknown = arrival(world, world.now)
    unknown["plan"] = "p9"
    raw = relay(world, unknown)
    raw["plan"] = "p9"
    world.refused_raw("plan.unknown", raw)


def test_only_arrivals_and_inspections_may_be_signed_offline():
    world = operated().cleared_and_scheduled()
    go = inner(world, "escort", "plan.go", world.now, "c" * 32)
    world.refused_raw("offline.kind", relay(world, go))


def test_an_offline_statement_carries_no_seq_and_a_well_formed_id():
    world = operated().cleared_and_scheduled()
    numbered = arrival(world, world.now)
    numbered["seq"] = 1
    world.refused_raw("statement.malformed", relay(world, numbered))
    world.refused_raw("statement.malformed", relay(world, arrival(world, world.now, mark="A" * 32)))
    world.refused_raw("statement.malformed", relay(world, arrival(world, world.now, mark="a" * 31)))


def test_replay_gives_the_same_state_byte_for_byte():
    world = operated().cleared_and_scheduled()
    sent: list[dict] = []
    original_send = world.send

    def keep(raw: dict) -> None:
        sent.append(copy.deepcopy(raw))
        original_send(raw)

    world.send = keep  # type: ignore[method-assign]
    signed = world.now
    keep(relay(world, arrival(world, signed), after=HOUR))
    world.do("org-a", "plan.cancel")
    keep(relay(world, inspection(world, signed + 60)))
    assert world.state.offline["b" * 32].code == "late.plan_closed"
    replayed = operated().cleared_and_scheduled()
    for raw in sent:
        apply_raw(replayed.state, copy.deepcopy(raw))
    assert to_json(replayed.state) == to_json(world.state)
    assert from_json(to_json(world.state)).offline == world.state.offline


def test_an_empty_state_serialises_its_offline_records():
    assert b'"offline":{}' in to_json(State())
def test_late_codes_are_described_and_documented():
    from pathlib import Path

    from corridor.engine.rules.offline import LATE, LATE_CODES

    text = (Path(__file__).parents[2] / "docs" / "rules.md").read_text()
    assert set(LATE_CODES.values()) | {"late.too_old", "late.refused"} == set(LATE)
    assert [code for code in LATE if f"| `{code}` |" not in text] == []


# -- how long an offline id is remembered (rules/offline.py: RETENTION_SECONDS) -------------------------------------

RETENTION = offline_rules.RETENTION_SECONDS


def test_a_duplicate_is_refused_until_the_last_second_of_the_window():
    world = operated().cleared_and_scheduled()
    world.send(relay(world, arrival(world, world.now)))
    received = world.state.offline["a" * 32].received
    world.refused_raw("offline.duplicate", relay(world, arrival(world, received), after=RETENTION))
    assert world.now == received + RETENTION and "a" * 32 in world.state.offline


def test_a_replay_after_the_window_is_recorded_too_old_and_changes_nothing_else():
    world = operated().cleared_and_scheduled()
    signed = world.now
    world.send(relay(world, arrival(world, signed)))
    first = copy.deepcopy(world.state.offline["a" * 32])
    assert first.code is None and world.plan().legs["leg-a"].arrivals == [(signed, "lachin")]
    plans = json.loads(to_json(world.state))["plans"]
    world.send(relay(world, arrival(world, signed), after=RETENTION + 1))  # the same statement, sent again
    again = world.state.offline["a" * 32]
    assert again.code == "late.too_old" and again.received == first.received + RETENTION + 1
    assert json.loads(to_json(world.state))["plans"] == plans  # no second arrival: the late rule gives it no effect


def test_records_are_forgotten_at_the_next_relay_after_their_window_and_the_recent_ones_kept():
    world = operated().cleared_and_scheduled()
    marks = [f"{n:032x}" for n in range(1, 6)]
    for mark in marks:
        world.send(relay(world, arrival(world, world.now, mark=mark), after=HOUR))
    assert list(world.state.offline) == marks
    world.now += RETENTION - 3 * HOUR  # the first two are out of their window, the other three not yet
    assert list(world.state.offline) == marks  # nothing happens without a relay: no wall clock
    world.send(relay(world, inspection(world, world.now), after=60))
    assert list(world.state.offline) == [*marks[2:], "b" * 32]


def test_a_refused_relay_forgets_nothing():
    world = operated().cleared_and_scheduled()
    world.send(relay(world, arrival(world, world.now)))
    world.refused_raw("offline.future", relay(world, inspection(world, world.now + RETENTION + 3600),
                                                     after=RETENTION + 60))
    assert "a" * 32 in world.state.offline  # refused_raw also checked the whole state is unchanged


def test_every_replay_keeps_the_same_records_from_the_start_or_from_any_point():
    """The state serialized at any point (as a snapshot keeps it) and fed the rest equals the full replay."""
    world = operated().cleared_and_scheduled()
    start, sent = copy.deepcopy(world.state), []
    for n in range(1, 13):
        raw = relay(world, arrival(world, world.now, mark=f"{n:032x}"), after=20 * HOUR)
        world.send(raw)
        sent.append(raw)
    assert 0 < len(world.state.offline) < 12
    full = to_json(world.state)
    for cut in range(len(sent) + 1):
        state = copy.deepcopy(start)
        for raw in sent[:cut]:
            apply_raw(state, copy.deepcopy(raw))
        state = from_json(to_json(state))
        for raw in sent[cut:]:
            apply_raw(state, copy.deepcopy(raw))
        assert to_json(state) == full
