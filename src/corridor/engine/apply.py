"""`apply(state, statement)`: the only way the engine's state changes.

Order of checks: who is speaking (party known, not an observer), in order (sequence number, time), then
time-driven changes up to the statement's time (expiries), then the rule for the statement.
A refused statement changes nothing except settling timers that were due anyway, which replay reproduces.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

from .clock import refresh_clock
from .errors import refuse
from .lifecycle import derive_status
from .rules import consent, incidents, movement, offline, permits, registry, reveal, slots
from .state import BEFORE_MOVEMENT, CLOSED_STATUSES, PlanState, State, count_open_routes
from .statements import (
    PERMIT_TYPES,
    REGISTRY_TYPES,
    RELAY_TYPES,
    STATEMENT_CLASSES,
    PlanStatement,
    Statement,
    parse_statement,
    utc_seconds,
)
from .times import format_time

# Small clock differences between the parties' machines are tolerated; larger jumps back are refused.
MAX_SKEW_SECONDS = 300

Handler = Callable[[State, Statement, int], None]
HANDLERS_BY_TYPE: dict[str, Handler] = {
    "plan.submit": consent.submit,
    "plan.amend": consent.amend,
    "plan.consent": consent.consent,
    "plan.refuse": consent.refuse_plan,
    "plan.request_info": consent.request_info,
    "plan.answer": consent.answer,
    "plan.withdraw": consent.withdraw,
    "plan.cancel": consent.cancel,
    "plan.note": consent.note,
    "plan.reveal": reveal.reveal,
    "slot.propose": slots.propose,
    "slot.confirm": slots.confirm,
    "slot.decline": slots.decline,
    "leg.arrive": movement.arrive,
    "leg.inspect": movement.inspect,
    "plan.go": movement.go,
    "leg.depart": movement.depart,
    "leg.deliver": movement.deliver,
    "incident.report": incidents.report,
    "incident.dispute": incidents.dispute,
    "party.register": registry.register_party,
    "route.define": registry.define_route,
    "passage.attest": registry.attest_passage,
    "permit.issue": permits.issue,
    "permit.revoke": permits.revoke,
    "offline.relay": offline.relay,
}
HANDLERS: dict[type, Handler] = {STATEMENT_CLASSES[kind]: handler for kind, handler in HANDLERS_BY_TYPE.items()}
# statements whose speaker's kind is checked against the statement (registry and attestations)
ROLE_CHECKED: frozenset[type] = frozenset(STATEMENT_CLASSES[kind]
                                          for kind in (*REGISTRY_TYPES, *PERMIT_TYPES, *RELAY_TYPES, "passage.attest"))
# only an operator makes these, and an operator nothing else
OPERATOR_TYPES = REGISTRY_TYPES | PERMIT_TYPES | RELAY_TYPES
ROLE_KINDS = frozenset({"operator", "source"})
SPEAKER_CHECKED_KINDS = ROLE_KINDS | {"observer"}  # a speaker of these kinds always gets _check_speaker whole
PLAN_CLASSES: frozenset[type] = frozenset(cls for cls in STATEMENT_CLASSES.values() if issubclass(cls, PlanStatement))


def apply(state: State, st: Statement) -> State:
    """Apply one parsed statement, or raise RuleViolation leaving the state as it was.

    Every statement of a fold passes here, so the common case is kept to dictionary lookups (the checks
    are `_check_speaker`'s, in its order; it runs whole whenever one of them would refuse)."""
    moment = utc_seconds(st.time)  # st.seconds(), without the method's frame
    cls, party_id, seq = type(st), st.party, st.seq
    party, clock = state.parties.get(party_id), state.clock
    if (party is None or party.kind in SPEAKER_CHECKED_KINDS or cls in ROLE_CHECKED
            or seq != state.last_seq.get(party_id, 0) + 1 or moment < clock - MAX_SKEW_SECONDS):
        _check_speaker(state, st, moment)
    now = moment if moment > clock else clock
    timers = state.timers
    if timers and timers[0][0] <= now:
        settle(state, now)
    HANDLERS[cls](state, st, now)
    state.last_seq[party_id] = seq
    state.clock = now
    if cls in PLAN_CLASSES:
        after_change(state, state.plans[st.plan], now)
    return state


def apply_raw(state: State, raw: dict[str, Any]) -> Statement:
    """Parse and apply a statement given as plain JSON data; returns the parsed statement."""
    st = parse_statement(raw)
    apply(state, st)
    return st


def settle(state: State, now: int) -> list[str]:
    """Run time-driven transitions due by `now`: plan expiry. (Slots open on no timer: their window is
    committed, so the fold does not know when; see clock.py.) Returns the ids of the plans it changed
    (read models refresh those)."""
    timers, changed = state.timers, []
    while timers and timers[0][0] <= now:
        due, plan_id, kind = heapq.heappop(timers)
        plan = state.plans[plan_id]
        if kind == "expiry" and plan.expires_at == due and plan.status in BEFORE_MOVEMENT:
            plan.status = "expired"
        after_change(state, plan, due)
        changed.append(plan_id)
    return changed


def after_change(state: State, plan: PlanState, now: int) -> None:
    """After anything happened to a plan: its status from the facts (closed from then on, if it closed),
    then who it now waits on.

    Every way a plan closes (a rule's cancel or abort, an expiry, the last delivery) passes here, and a
    closed plan never opens again: so this is where it stops counting on its routes."""
    status = plan.status = derive_status(plan)
    if status in CLOSED_STATUSES and plan.closed_at is None:
        plan.closed_at = now
        count_open_routes(state, plan.content, -1)
    refresh_clock(plan, state.routes, now)


def _check_speaker(state: State, st: Statement, moment: int) -> None:
    party = state.parties.get(st.party)
    if party is None:
        raise refuse("party.unknown", f"no party {st.party!r} is registered")
    if party.kind == "observer":
        raise refuse("party.observer", f"{party.name} is an observer: observers read everything and act on nothing")
    if party.kind in ("operator", "source") or st.type in OPERATOR_TYPES or st.type == "passage.attest":
        registry.check_role(state, st, st.type in OPERATOR_TYPES, st.type == "passage.attest")
    expected = state.last_seq.get(st.party, 0) + 1
    if st.seq < expected:
        raise refuse("seq.duplicate", f"{st.party} already made statement #{st.seq}; the next is #{expected}")
    if st.seq > expected:
        raise refuse("seq.gap", f"{st.party}'s next statement is #{expected}, not #{st.seq}; one is missing")
    check_time(state, moment)


def check_time(state: State, moment: int) -> None:
    """A statement may be dated a little before the latest one (clock skew between machines), no more."""
    if moment < state.clock - MAX_SKEW_SECONDS:
        latest = format_time(state.clock)
        raise refuse("time.backwards", f"{format_time(moment)} is more than {MAX_SKEW_SECONDS}s before {latest}")
