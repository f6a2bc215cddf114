"""Properties over random statement sequences (hypothesis): the rules hold whatever parties try."""

from __future__ import annotations

from typing import Any

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.engine import RuleViolation, State, apply_raw, from_json, settle, to_json
from corridor.engine.clock import waiting_seconds
from corridor.engine.times import format_time

from .test_registry import OPERATOR
from .world import PARTIES, ROUTES, World, leg, two_legs, window

ACTORS = ["org-a", "border", "customs", "recv", "escort", "org-b"]
REQUIRED = ["border", "customs", "recv", "escort"]
# who would naturally take each action; an actor draw past the list picks any party, right or wrong
NATURAL_ACTORS = {
    "consent": REQUIRED, "consent_stale": REQUIRED, "refuse": REQUIRED, "request": REQUIRED, "withdraw": REQUIRED,
    "confirm": REQUIRED, "decline": REQUIRED, "answer": ["org-a"], "amend": ["org-a"], "cancel": ["org-a"],
    "propose": ["org-a"], "note": ["org-a", "recv"], "arrive": ["border", "org-a"], "inspect": ["customs", "recv"],
    "go": ["escort", "org-a"], "depart": ["org-a", "escort"], "deliver": ["recv"], "deliver_short": ["recv"],
    "reveal": ["org-a"],
}
ACTIONS = [
    "consent", "consent", "consent", "consent_stale", "refuse", "request", "answer", "withdraw", "amend", "cancel",
    "propose", "confirm", "confirm", "confirm", "decline", "arrive", "arrive", "inspect", "inspect", "go", "depart",
    "depart", "deliver", "deliver_short", "note", "reveal",
]
LEGS = ["leg-a", "leg-b"]
CHECKPOINTS = ["lachin", "post", "gate-b"]
DECISIONS = ["cleared", "cleared", "held", "turned_back", "cleared_with_offload"]

steps = st.lists(
    st.tuples(
        st.integers(0, 9),                           # < 6: a step that moves the plan on; else a random one
        st.integers(0, 6 * 3600),                    # seconds since the previous statement
        st.integers(0, len(ACTIONS) - 1),
        st.integers(0, 9),                           # actor: mostly the natural one, sometimes anyone
        st.integers(0, 5),                           # a free choice: leg, checkpoint, variant
    ),
    min_size=25, max_size=90,
)


def _payload(world: World, action: str, choice: int, n: int) -> dict[str, Any] | None:
    plan = world.plan()
    version = plan.version
    leg_id = LEGS[choice % 2]
    match action:
        case "consent":
            return {"version": version}
        case "consent_stale":
            return {"version": "0" * 64}
        case "refuse":
            return {"version": version, "reason": "security", "lines": [{"leg": leg_id, "line": "kits"}][: choice % 2]}
        case "request":
            return {"request": f"q{n}", "question": "When?"}
        case "answer":
            open_ids = [rid for rid, req in plan.requests.items() if req.answered_at is None] or ["q-none"]
            return {"request": open_ids[choice % len(open_ids)], "answer": "Tomorrow"}
        case "withdraw":
            return {"reason": "security"}
        case "amend":
            return _amendment(choice)
        case "cancel" | "go":
            return {}
        case "propose":
            start = world.now + 600 * choice
            clear = (format_time(start), format_time(start + 3600))
            world.windows[(plan.id, f"s{n}")] = clear
            return {"slot": f"s{n}", "window": window(*clear)}
        case "confirm" | "decline":
            return {"slot": plan.slot.id if plan.slot else "s-none"}
        case "arrive":
            return {"leg": leg_id, "checkpoint": CHECKPOINTS[choice % 3]}
        case "inspect":
            offload = ["kits"] if DECISIONS[choice % 5] == "cleared_with_offload" else []
            return {"leg": leg_id, "checkpoint": CHECKPOINTS[choice % 2], "findings": [],
                    "decision": DECISIONS[choice % 5], "offload": offload}
        case "depart":
            return {"leg": leg_id}
        case "deliver" | "deliver_short":
            carried = plan.legs[leg_id].carried if leg_id in plan.legs else {}
            short = 1 if action == "deliver_short" else 0
            return {"leg": leg_id, "receipts": [{"line": line, "good": max(qty - short, 0)}
                                                for line, qty in carried.items() if qty > 0]}
        case "note":
            return {"sha256": "cd" * 32}
        case "reveal":
            return world.reveal_payload(plates=choice % 2 == 0)
    return None


def _amendment(choice: int) -> dict[str, Any]:
    variants = [
        two_legs(tolerance_seconds=60 * (choice + 1)),
        {"legs": [leg("leg-a", "road-a")]},
        {"legs": [leg("leg-b", "road-b")], "linkage": "simultaneous"},
        two_legs(linkage="independent"),
    ]
    return variants[choice % len(variants)]


ACTION_TYPES = {
    "consent": "plan.consent", "consent_stale": "plan.consent", "refuse": "plan.refuse",
    "request": "plan.request_info", "answer": "plan.answer", "withdraw": "plan.withdraw", "amend": "plan.amend",
    "cancel": "plan.cancel", "propose": "slot.propose", "confirm": "slot.confirm", "decline": "slot.decline",
    "arrive": "leg.arrive", "inspect": "leg.inspect", "go": "plan.go", "depart": "leg.depart",
    "deliver": "leg.deliver", "deliver_short": "leg.deliver", "note": "plan.note", "reveal": "plan.reveal",
}


def progress(world: World) -> tuple[str, str, dict[str, Any]]:
    """The action that moves the plan one step towards completion, as a cooperative party would take it."""
    plan = world.plan()
    if plan.status in ("submitted", "awaiting_consent", "withdrawn"):
        open_ids = [rid for rid, req in plan.requests.items() if req.answered_at is None]
        if open_ids:
            return "plan.answer", "org-a", {"request": open_ids[0], "answer": "Noted"}
        party = next(p for p, pos in plan.positions.items() if pos.stance != "consented")
        return "plan.consent", party, {"version": plan.version}
    if plan.status == "refused":
        return "plan.amend", "org-a", _amendment(plan.amendments + 1)
    if plan.status == "cleared":
        if plan.slot is None or plan.slot.declined:
            return "slot.propose", "org-a", _payload(world, "propose", 1, plan.amendments + len(plan.requests) + 99)
        party = next(p for p in plan.required if p not in plan.slot.answers)
        return "slot.confirm", party, {"slot": plan.slot.id}
    return _movement_progress(world, plan)


def _movement_progress(world: World, plan: Any) -> tuple[str, str, dict[str, Any]]:
    for leg_state in plan.legs.values():
        leg_id, phase = leg_state.id, leg_state.phase
        gate = "lachin" if plan.content.leg(leg_id).route == "road-a" else "gate-b"
        if phase == "planned":
            return "leg.arrive", "org-a", {"leg": leg_id, "checkpoint": gate}
        if phase in ("arrived", "held"):
            inspector = "recv" if leg_state.checkpoint == "post" else "customs"
            return "leg.inspect", inspector, {"leg": leg_id, "checkpoint": leg_state.checkpoint, "findings": [],
                                               "decision": "cleared"}
    for leg_state in plan.legs.values():
        if leg_state.phase == "cleared":
            return "plan.go", "escort", {}
        if leg_state.phase == "released":
            return "leg.depart", "escort", {"leg": leg_state.id}
        if leg_state.phase == "in_transit":
            return "leg.deliver", "recv", _payload(world, "deliver", LEGS.index(leg_state.id), 0)
    return "plan.note", "org-a", {"sha256": "ef" * 32}


def pick_actor(action: str, draw: int) -> str:
    natural = NATURAL_ACTORS[action]
    return natural[draw % len(natural)] if draw < 7 else ACTORS[draw % len(ACTORS)]


class Harness:
    """Applies random statements and tracks, independently of the engine, what the invariants need."""

    def __init__(self, linkage: str) -> None:
        self.world = World()
        self.accepted: list[dict[str, Any]] = []
        self.consented: set[str] = set()
        self.world.now += 60
        self._apply(self.world.statement("org-a", "plan.submit", **two_legs(linkage=linkage)))

    def step(self, moves_on: bool, gap: int, action: str, actor: str, choice: int, n: int) -> None:
        world = self.world
        world.now += gap
        if moves_on and not world.plan().closed:
            kind, actor, payload = progress(world)
        else:
            kind, payload = ACTION_TYPES[action], _payload(world, action, choice, n)
        raw = world.statement(actor, kind, **payload)
        phases_before = {leg_id: leg.phase for leg_id, leg in world.plan().legs.items()}
        settle(world.state, max(world.now, world.state.clock))  # timers due by now run, accepted or not
        before = to_json(world.state)
        try:
            self._apply(raw)
        except RuleViolation:
            assert to_json(world.state) == before, "a refused statement changed the state"
            return
        self._track(raw, phases_before)

    def _apply(self, raw: dict[str, Any]) -> None:
        apply_raw(self.world.state, raw)
        self.world.seq[raw["party"]] = raw["seq"]
        self.accepted.append(raw)

    def _track(self, raw: dict[str, Any], phases_before: dict[str, str]) -> None:
        plan = self.world.plan()
        kind, party = raw["type"], raw["party"]
        if kind == "plan.amend":
            self.consented = set()
            assert {p.stance for p in plan.positions.values()} == {"pending"}, "amendment must void consents"
        elif kind == "plan.consent":
            self.consented.add(party)
        elif kind == "plan.withdraw":
            self.consented.discard(party)
        if kind == "plan.go" and plan.simultaneous:
            assert set(phases_before.values()) == {"cleared"}, f"go released a simultaneous plan at {phases_before}"
        if plan.status in ("cleared", "scheduled", "in_progress", "completed"):
            assert set(plan.required) <= self.consented, f"{plan.status} without every consent to this version"
        self._check_waiting(plan)

    def _check_waiting(self, plan: Any) -> None:
        end = plan.closed_at if plan.closed_at is not None else self.world.state.clock
        for party, seconds in waiting_seconds(plan, end).items():
            assert 0 <= seconds <= end - plan.submitted_at, f"{party} waited {seconds}s on a plan open less"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(linkage=st.sampled_from(["simultaneous", "independent"]), script=steps)
def test_random_sequences_keep_the_rules(linkage, script):
    harness = Harness(linkage)
    for n, (lean, gap, action, actor, choice) in enumerate(script):
        harness.step(lean < 6, gap, ACTIONS[action], pick_actor(ACTIONS[action], actor), choice, n)
    replayed = State.with_registry(PARTIES, ROUTES)
    for raw in harness.accepted:
        apply_raw(replayed, raw)
    for state in (replayed, harness.world.state):  # compare both as of the same moment
        settle(state, harness.world.now)
    assert to_json(replayed) == to_json(harness.world.state), "replay must give the same state, byte for byte"
    assert to_json(from_json(to_json(replayed))) == to_json(replayed)


# -- several plans at once: the fold's count of open plans by route is what reading every plan finds -----------
PLAN_IDS = ["p1", "p2", "p3"]
OPERATOR_TURN = 6  # a `target` draw: below, one of the plans acts (submitted first if new); this, the operator

several_steps = st.lists(
    st.tuples(
        st.integers(0, OPERATOR_TURN),               # which plan the step is about, or the operator's turn
        st.integers(0, 9),                           # < 6: a step that moves the plan on; else a random one
        st.integers(0, 6 * 3600),                    # seconds since the previous statement
        st.integers(0, len(ACTIONS) - 1),
        st.integers(0, 9),                           # actor: mostly the natural one, sometimes anyone
        st.integers(0, 5),                           # a free choice: leg, checkpoint, variant, route
    ),
    min_size=30, max_size=120,
)


class SeveralPlans(World):
    """The world with plans p1..p3 open side by side, and an operator: the strategies above (`_payload`,
    `progress`) act on the plan `current` names."""

    def __init__(self) -> None:
        super().__init__()
        self.state = State.with_registry([*PARTIES, OPERATOR], ROUTES)
        self.current = PLAN_IDS[0]
        self.accepted: list[dict[str, Any]] = []

    def plan(self, plan_id: str | None = None) -> Any:
        return super().plan(plan_id or self.current)

    def reveal_payload(self, plan_id: str | None = None, plates: bool = True) -> dict[str, Any]:
        return super().reveal_payload(plan_id or self.current, plates)

    def step(self, target: int, moves_on: bool, gap: int, action: str, actor: str, choice: int, n: int) -> None:
        self.now += gap
        settle(self.state, max(self.now, self.state.clock))  # expiries due by now, accepted or not
        assert_counted(self.state)
        if target == OPERATOR_TURN:
            self._redefine(ROUTES[choice % len(ROUTES)].id)
        else:
            self.current = PLAN_IDS[target % len(PLAN_IDS)]
            self._try(self._plan_statement(moves_on, action, actor, choice, n))
        assert_counted(self.state)

    def _plan_statement(self, moves_on: bool, action: str, actor: str, choice: int, n: int) -> dict[str, Any]:
        if self.current not in self.state.plans:
            return self.statement("org-a", "plan.submit", self.current, **self._content(choice, n))
        if moves_on and not self.plan().closed:
            kind, actor, payload = progress(self)
            if kind == "leg.inspect" and choice == 0:
                payload["decision"] = "turned_back"  # the plan aborts (a simultaneous one, or its only leg)
        else:
            kind, payload = ACTION_TYPES[action], _payload(self, action, choice, n)
        return self.statement(actor, kind, self.current, **payload)

    def _content(self, choice: int, n: int) -> dict[str, Any]:
        """Both roads, one of them, or one road twice (the plan counts once on it); some plans expire."""
        variants = [two_legs(), {"legs": [leg("leg-a", "road-a")]},
                    {"legs": [leg("leg-b", "road-b")], "linkage": "simultaneous"},
                    two_legs(legs=[leg("leg-a", "road-a"), leg("leg-b", "road-a")])]
        expiry = {"expires_at": format_time(self.now + 24 * 3600)} if n % 3 == 0 else {}
        return variants[choice % len(variants)] | expiry

    def _redefine(self, route_id: str) -> None:
        """The operator defines the route again, as it is: refused exactly while the old scan finds it in use."""
        route = next(route for route in ROUTES if route.id == route_id)
        in_use = routes_in_use_scanned(self.state, route_id)
        code = self._try(self.statement("operator", "route.define", None, **msgspec.to_builtins(route)))
        assert code == ("route.in_use" if in_use else None), f"{route_id} in use: {in_use}; refused: {code}"

    def _try(self, raw: dict[str, Any]) -> str | None:
        """Apply `raw`; the refusal's code if refused (which changes nothing)."""
        before = to_json(self.state)
        try:
            apply_raw(self.state, raw)
        except RuleViolation as refusal:
            assert to_json(self.state) == before, "a refused statement changed the state"
            return refusal.code
        self.seq[raw["party"]] = raw["seq"]
        self.accepted.append(raw)
        return None


def routes_in_use_scanned(state: State, route_id: str) -> bool:
    """What route.define asked before the fold counted (rules/registry.py): every plan read, on every call."""
    return any(
        not plan.closed and any(leg.route == route_id for leg in plan.content.legs) for plan in state.plans.values()
    )


def open_plans_by_route_scanned(state: State) -> dict[str, int]:
    counts: dict[str, int] = {}
    for plan in state.plans.values():
        if not plan.closed:
            for route in {leg.route for leg in plan.content.legs}:
                counts[route] = counts.get(route, 0) + 1
    return counts


def assert_counted(state: State) -> None:
    assert state.open_plans_by_route == open_plans_by_route_scanned(state)
    for route_id in state.routes:
        assert (route_id in state.open_plans_by_route) == routes_in_use_scanned(state, route_id), route_id


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(script=several_steps)
def test_the_count_of_open_plans_by_route_is_what_reading_every_plan_finds(script):
    world = SeveralPlans()
    for n, (target, lean, gap, action, actor, choice) in enumerate(script):
        world.step(target, lean < 6, gap, ACTIONS[action], pick_actor(ACTIONS[action], actor), choice, n)
    replayed = State.with_registry([*PARTIES, OPERATOR], ROUTES)
    for raw in world.accepted:
        apply_raw(replayed, raw)
        assert_counted(replayed)
    for state in (replayed, world.state):
        settle(state, world.now)
    assert replayed.open_plans_by_route == world.state.open_plans_by_route
    assert to_json(replayed) == to_json(world.state), "replay must give the same state, byte for byte"
    assert from_json(to_json(replayed)).open_plans_by_route == replayed.open_plans_by_route
