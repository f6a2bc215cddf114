"""A small world for engine tests: the two-roads parties and routes, and a driver that numbers statements."""

from __future__ import annotations

import contextlib
import copy
from typing import Any

import pytest

from corridor.engine import (
    Checkpoint,
    Party,
    Requirement,
    Route,
    RuleViolation,
    State,
    apply_raw,
    settle,
    to_json,
)
from corridor.engine.times import format_time, parse_time
from corridor.ledger.commitments import commit, plate_value, window_value

T0 = parse_time("2023-09-11T08:00:00Z")

PARTIES = [
    Party(id="org-a", name="Organisation A", kind="humanitarian"),
    Party(id="org-b", name="Organisation B", kind="humanitarian"),
    Party(id="border", name="Border service", kind="authority"),
    Party(id="customs", name="Customs service", kind="authority"),
    Party(id="recv", name="Receiving authority", kind="authority"),
    Party(id="escort", name="Peacekeepers", kind="escort"),
    Party(id="mediator", name="Mediators", kind="observer"),
]
ROUTES = [
    Route(
        id="road-a", name="Road A",
        checkpoints=(
            Checkpoint(id="lachin", name="Lachin checkpoint", inspected_by=("border", "customs")),
            Checkpoint(id="post", name="Town entry post", inspected_by=("recv",)),
        ),
        policy=(
            Requirement(party="border", capacity="border_control"),
            Requirement(party="customs", capacity="customs"),
            Requirement(party="recv", capacity="receiving_security"),
            Requirement(party="escort", capacity="escort"),
        ),
    ),
    Route(
        id="road-b", name="Road B",
        checkpoints=(Checkpoint(id="gate-b", name="Road B gate"),),
        policy=(
            Requirement(party="border", capacity="transit"),
            Requirement(party="recv", capacity="receiving_security"),
            Requirement(party="escort", capacity="escort"),
        ),
    ),
]
ROAD_A_PARTIES = ("border", "customs", "recv", "escort")
SALT = "5a" * 16  # a fixed salt keeps tests deterministic; the service draws a random one each time
CLEAR_PLATES: dict[str, str] = {}  # commitment -> the plate it commits to, for reveals


def plate(text: str) -> str:
    """The commitment a vehicle's `plate` carries on the log."""
    commitment = commit(plate_value(text), SALT)[1]
    CLEAR_PLATES[commitment] = text
    return commitment


def window(start: str, end: str) -> str:
    """The commitment a slot proposal carries on the log."""
    return commit(window_value(start, end), SALT)[1]


def crew(name: str, document: str) -> str:
    return commit({"name": name, "document": document}, SALT)[1]


def leg(leg_id: str = "leg-a", route: str = "road-a", **overrides: Any) -> dict[str, Any]:
    data = {
        "id": leg_id, "route": route,
        "lines": [
            {"id": "flour", "item": "Wheat flour", "category": "food", "quantity": 1000, "unit": "kg",
             "weight_kg": 1000},
            {"id": "kits", "item": "Hygiene kits", "category": "wash", "quantity": 50, "unit": "kit", "weight_kg": 300},
        ],
        "vehicles": [{"id": "v1", "plate": plate("AB-1"), "type": "truck"}],
        "seals": ["S-1"],
    }
    return data | overrides


def two_legs(**overrides: Any) -> dict[str, Any]:
    return {"linkage": "simultaneous", "legs": [leg("leg-a", "road-a"), leg("leg-b", "road-b")]} | overrides


class World:
    """Drives the engine like a set of parties would: each statement gets the party's next number."""

    def __init__(self) -> None:
        self.state = State.with_registry(PARTIES, ROUTES)
        self.seq: dict[str, int] = {}
        self.now = T0
        self.windows: dict[tuple[str, str], tuple[str, str]] = {}  # (plan, slot) -> clear (start, end)

    def at(self, seconds_after_t0: int) -> World:
        self.now = T0 + seconds_after_t0
        return self

    def statement(self, party: str, kind: str, /, plan: str | None = "p1", **payload: Any) -> dict[str, Any]:
        raw = {"type": kind, "party": party, "seq": self.seq.get(party, 0) + 1, "time": format_time(self.now),
               "payload": payload}
        if plan is not None:
            raw["plan"] = plan
        return raw

    def do(self, party: str, kind: str, /, plan: str | None = "p1", **payload: Any) -> World:
        self.now += 60
        self.send(self.statement(party, kind, plan, **payload))
        return self

    def send(self, raw: dict[str, Any]) -> None:
        apply_raw(self.state, raw)
        self.seq[raw["party"]] = raw["seq"]

    def refused(self, code: str, party: str, kind: str, /, plan: str | None = "p1", **payload: Any) -> RuleViolation:
        self.now += 60
        return self.refused_raw(code, self.statement(party, kind, plan, **payload))

    def refused_raw(self, code: str, raw: dict[str, Any]) -> RuleViolation:
        """Assert the engine refuses `raw` with `code` and that the refusal changed nothing."""
        with contextlib.suppress(RuleViolation):  # timers due by then settle, accepted or not
            settle(self.state, max(parse_time(raw.get("time")), self.state.clock))
        before = to_json(self.state)
        with pytest.raises(RuleViolation) as caught:
            apply_raw(self.state, copy.deepcopy(raw))
        assert caught.value.code == code, caught.value
        assert to_json(self.state) == before, "a refused statement changed the state"
        return caught.value

    # -- common stretches of a passage ------------------------------------------------------------------
    def plan(self, plan_id: str = "p1") -> Any:
        return self.state.plans[plan_id]

    def version(self, plan_id: str = "p1") -> str:
        return self.plan(plan_id).version

    def submit(self, plan_id: str = "p1", requester: str = "org-a", **content: Any) -> World:
        return self.do(requester, "plan.submit", plan_id, **(content or two_legs()))

    def consent_all(self, plan_id: str = "p1") -> World:
        for party in self.plan(plan_id).required:
            self.do(party, "plan.consent", plan_id, version=self.version(plan_id))
        return self

    def propose(self, plan_id: str = "p1", slot: str = "s1", start: int = 3600, end: int = 7200,
                party: str | None = None) -> World:
        """Propose a slot from `start` to `end` seconds after now, committing to the window as the service does."""
        clear = (format_time(self.now + 60 + start), format_time(self.now + 60 + end))
        self.windows[(plan_id, slot)] = clear
        return self.do(party or self.plan(plan_id).requester, "slot.propose", plan_id, slot=slot,
                       window=window(*clear))

    def reveal_payload(self, plan_id: str = "p1", plates: bool = True) -> dict[str, Any]:
        """What the requester reveals once the plan is closed: the current slot's window and every plate."""
        plan, payload = self.plan(plan_id), {}
        if plan.slot is not None:
            start, end = self.windows[(plan_id, plan.slot.id)]
            payload["window"] = {"slot": plan.slot.id, "start": start, "end": end, "salt": SALT}
        if plates:
            payload["plates"] = [{"leg": leg.id, "vehicle": v.id, "plate": CLEAR_PLATES[v.plate], "salt": SALT}
                                 for leg in plan.content.legs for v in leg.vehicles]
        return payload

    def reveal(self, plan_id: str = "p1", plates: bool = True) -> World:
        return self.do(self.plan(plan_id).requester, "plan.reveal", plan_id, **self.reveal_payload(plan_id, plates))

    def schedule(self, plan_id: str = "p1", start: int = 3600, end: int = 7200) -> World:
        plan = self.plan(plan_id)
        self.propose(plan_id, "s1", start, end)
        for party in plan.required:
            self.do(party, "slot.confirm", plan_id, slot="s1")
        return self

    def cleared_and_scheduled(self, plan_id: str = "p1", **content: Any) -> World:
        return self.submit(plan_id, **content).consent_all(plan_id).schedule(plan_id)

    def at_gates_cleared(self, plan_id: str = "p1") -> World:
        """Both legs of the default two-leg plan at their gates; leg-a inspected and cleared."""
        self.do("border", "leg.arrive", plan_id, leg="leg-a", checkpoint="lachin")
        self.do("org-a", "leg.arrive", plan_id, leg="leg-b", checkpoint="gate-b")
        return self.do("customs", "leg.inspect", plan_id, leg="leg-a", checkpoint="lachin", findings=[],
                       decision="cleared")

    def released_and_departed(self, plan_id: str = "p1") -> World:
        self.now += 3600
        self.do("escort", "plan.go", plan_id)
        self.do("org-a", "leg.depart", plan_id, leg="leg-a")
        return self.do("org-a", "leg.depart", plan_id, leg="leg-b")


def full_receipts(quantities: dict[str, int] | None = None) -> list[dict[str, Any]]:
    quantities = quantities or {"flour": 1000, "kits": 50}
    return [{"line": line, "good": qty} for line, qty in quantities.items()]
