"""Requesting passage and the parties' answers: submit, amend, consent, refuse, ask, answer, withdraw, cancel."""

from __future__ import annotations

import heapq
import re
from typing import get_args

from ..errors import refuse
from ..lifecycle import UNCOMMITTED_PHASES
from ..model import ID_PATTERN, PlanContent
from ..state import (
    BEFORE_CLEARANCE,
    BEFORE_MOVEMENT,
    PENDING,
    InfoRequest,
    LegState,
    Note,
    PlanState,
    Position,
    State,
    count_open_routes,
)
from ..statements import RefusalReason, Statement
from ..times import parse_time
from .common import (
    existing_plan,
    find_leg,
    find_line,
    open_plan,
    plan_version,
    require_involved,
    require_requester,
    require_required,
    require_status,
)

REASONS = frozenset(get_args(RefusalReason))
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_PLAN_ID = re.compile(ID_PATTERN)


def submit(state: State, st: Statement, now: int) -> None:
    if st.plan in state.plans:
        raise refuse("plan.exists", f"plan {st.plan} already exists; amend it or choose another id")
    if not _PLAN_ID.match(st.plan):
        raise refuse("plan.invalid", f"plan id {st.plan!r} must be letters, digits and . _ : - only")
    if state.parties[st.party].kind != "humanitarian":
        raise refuse(
            "party.wrong_capacity", f"{st.party} is not a humanitarian organisation; only they request passage"
        )
    content: PlanContent = st.payload
    required, expires_at = _check_content(state, content, st.party, now)
    plan = PlanState(
        id=st.plan,
        requester=st.party,
        content=content,
        version=plan_version(content),
        submitted_at=now,
        expires_at=expires_at,
    )
    _reset_for_version(plan, required)
    state.plans[plan.id] = plan
    count_open_routes(state, content, 1)
    _schedule_expiry(state, plan)


def amend(state: State, st: Statement, now: int) -> None:
    plan = open_plan(state, st)
    require_requester(plan, st)
    if any(leg.phase != "planned" for leg in plan.legs.values()):
        raise refuse("state.wrong", f"plan {plan.id} is already moving; it can no longer be amended")
    content: PlanContent = st.payload
    required, expires_at = _check_content(state, content, st.party, now)
    version = plan_version(content)
    if version == plan.version:
        raise refuse("plan.invalid", "the amendment is identical to the current version")
    for request in plan.open_requests():
        request.answered_at, request.answer = now, None  # superseded by the new version
    count_open_routes(state, plan.content, -1)  # an open plan (open_plan): it counts on the new version's routes
    count_open_routes(state, content, 1)
    plan.content, plan.version, plan.expires_at = content, version, expires_at
    plan.amendments += 1
    plan.slot = None
    _reset_for_version(plan, required)
    _schedule_expiry(state, plan)


def consent(state: State, st: Statement, now: int) -> None:
    plan = open_plan(state, st)
    capacities = require_required(plan, st)
    wanted = st.payload.capacity
    if wanted is not None and wanted not in capacities:
        raise refuse("party.wrong_capacity", f"{st.party} is required here as {', '.join(capacities)}, not {wanted}")
    _require_current(plan, st.payload.version)
    position = plan.positions[st.party]
    if position.stance == "consented":
        raise refuse("consent.already_given", f"{st.party} already consents to version {plan.version[:12]}")
    require_status(plan, BEFORE_CLEARANCE, "consent")
    plan.positions[st.party] = Position(stance="consented", at=now, conditions=st.payload.conditions)


def refuse_plan(state: State, st: Statement, now: int) -> None:
    plan = open_plan(state, st)
    require_required(plan, st)
    payload = st.payload
    _require_current(plan, payload.version)
    _require_reason(payload.reason)
    if plan.positions[st.party].stance == "consented":
        raise refuse("state.wrong", f"{st.party} consented to this version; withdraw the consent instead")
    require_status(plan, BEFORE_CLEARANCE, "refuse")
    for ref in payload.lines:
        find_line(find_leg(plan, ref.leg), ref.line)
    plan.positions[st.party] = Position(
        stance="refused",
        at=now,
        reason=payload.reason,
        text=payload.text,
        lines=tuple((ref.leg, ref.line) for ref in payload.lines),
    )


def request_info(state: State, st: Statement, now: int) -> None:
    plan = open_plan(state, st)
    require_required(plan, st)
    require_status(plan, BEFORE_MOVEMENT, "request information")
    if st.payload.request in plan.requests:
        raise refuse("state.wrong", f"request id {st.payload.request!r} is already used on plan {plan.id}")
    plan.requests[st.payload.request] = InfoRequest(party=st.party, question=st.payload.question, asked_at=now)


def answer(state: State, st: Statement, now: int) -> None:
    plan = open_plan(state, st)
    require_requester(plan, st)
    request = plan.requests.get(st.payload.request)
    if request is None or request.answered_at is not None:
        raise refuse("request.unknown", f"plan {plan.id} has no open request {st.payload.request!r}")
    request.answer, request.answered_at = st.payload.answer, now


def withdraw(state: State, st: Statement, now: int) -> None:
    plan = open_plan(state, st)
    require_required(plan, st)
    if plan.positions[st.party].stance != "consented":
        raise refuse("consent.not_given", f"{st.party} has no consent to plan {plan.id} to withdraw")
    _require_reason(st.payload.reason)
    _require_uncommitted(plan, "withdraw consent")
    plan.positions[st.party] = Position(stance="withdrawn", at=now, reason=st.payload.reason, text=st.payload.text)


def cancel(state: State, st: Statement, now: int) -> None:
    plan = open_plan(state, st)
    require_requester(plan, st)
    _require_uncommitted(plan, "cancel")
    plan.status = "cancelled"


def note(state: State, st: Statement, now: int) -> None:
    """Attach a formal note (note verbale, letter) by the hash of the document; allowed on any plan."""
    plan = existing_plan(state, st)
    require_involved(plan, st)
    if not _SHA256.match(st.payload.sha256):
        raise refuse("note.invalid", f"sha256 must be 64 lowercase hex digits, got {st.payload.sha256!r}")
    plan.notes.append(
        Note(party=st.party, sha256=st.payload.sha256, kind=st.payload.kind, title=st.payload.title, at=now)
    )


def _check_content(state: State, content: PlanContent, requester: str, now: int) -> tuple[dict, int | None]:
    """Validate a plan's content; return the parties it requires (with capacities) and its expiry."""
    if not content.legs:
        raise refuse("plan.invalid", "a plan needs at least one leg")
    _require_unique("leg", content.legs)
    required: dict[str, tuple[str, ...]] = {}
    for leg in content.legs:
        _require_unique("manifest line in leg", leg.lines, leg.id)
        _require_unique("vehicle in leg", leg.vehicles, leg.id)
        _require_known_vehicles(leg)
        if not leg.lines:
            raise refuse("plan.invalid", f"leg {leg.id} lists no goods")
        route = state.routes.get(leg.route)
        if route is None:
            raise refuse("route.unknown", f"leg {leg.id} names route {leg.route!r}, which does not exist")
        for req in route.policy:  # each party in the order first met, with its capacities in that order
            if req.party != requester:
                capacities = required.get(req.party)
                if capacities is None:
                    required[req.party] = (req.capacity,)
                elif req.capacity not in capacities:
                    required[req.party] = (*capacities, req.capacity)
    expires_at = None if content.expires_at is None else parse_time(content.expires_at, "expires_at")
    if expires_at is not None and expires_at <= now:
        raise refuse("plan.invalid", f"the plan would expire at {content.expires_at}, before it is submitted")
    return required, expires_at


def _require_known_vehicles(leg) -> None:
    named = set()
    for line in leg.lines:  # plain loops: the cheapest way over a handful of records
        if line.vehicle is not None:  # else carried by the leg as a whole
            named.add(line.vehicle)
    if not named and not leg.crew:  # the common case: nothing names a vehicle
        return
    vehicles = {vehicle.id for vehicle in leg.vehicles}
    unknown = sorted(named - vehicles)
    if unknown:
        raise refuse("plan.invalid", f"leg {leg.id} puts goods on vehicles it does not list: {', '.join(unknown)}")
    unseated = sorted(set(leg.crew_vehicles().values()) - vehicles)
    if unseated:
        raise refuse("crew.vehicle_unknown",
                     f"leg {leg.id} seats crew in vehicles it does not list: {', '.join(unseated)}")


def _require_unique(what: str, records: tuple, where: str = "") -> None:
    """Each record's id once; `where` (a leg's id) completes `what` in the refusal, written only when there is one."""
    seen = set()
    for record in records:  # a loop: cheaper than a comprehension (a frame) or map() (a generic lookup each)
        seen.add(record.id)
    if len(seen) != len(records):
        ids = [record.id for record in records]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        place = f"{what} {where}" if where else what
        raise refuse("plan.invalid", f"each {place} needs its own id; repeated: {', '.join(duplicates)}")


def _reset_for_version(plan: PlanState, required: dict[str, tuple[str, ...]]) -> None:
    """A new version voids every earlier consent: one road's consent may depend on the other road."""
    plan.required = required
    plan.positions = dict.fromkeys(required, PENDING)
    legs = plan.legs = {}
    for leg in plan.content.legs:  # a loop, not a comprehension: no frame
        legs[leg.id] = LegState.fresh(leg)


def _schedule_expiry(state: State, plan: PlanState) -> None:
    if plan.expires_at is not None:
        heapq.heappush(state.timers, (plan.expires_at, plan.id, "expiry"))


def _require_current(plan: PlanState, version: str) -> None:
    if version != plan.version:
        raise refuse("version.stale", f"plan {plan.id} is now at version {plan.version[:12]}…, not {version[:12]}…")


def _require_reason(reason: str) -> None:
    if reason not in REASONS:
        raise refuse("reason.unknown", f"reason {reason!r} is not one of: {', '.join(sorted(REASONS))}")


def _require_uncommitted(plan: PlanState, action: str) -> None:
    if any(leg.phase not in UNCOMMITTED_PHASES for leg in plan.legs.values()):
        raise refuse("state.wrong", f"cannot {action}: vehicles of plan {plan.id} have already been released")
