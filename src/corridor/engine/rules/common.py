"""Checks shared by the rule families: who may act on a plan, and lookups that refuse with the right code."""

from __future__ import annotations

import hashlib

import msgspec

from ..errors import refuse
from ..model import Checkpoint, Leg, ManifestLine, PlanContent, Route
from ..state import CLOSED_STATUSES, PlanState, State
from ..statements import Statement


def plan_version(content: PlanContent) -> str:
    """The version of a plan: SHA-256 over its RFC 8785 canonical JSON, so anyone can recompute it.

    msgspec's sorted compact encoding is byte-identical to RFC 8785 for this content (ASCII keys, no
    floats, integers below 2**53) and ~30x faster than the `rfc8785` package; a property test holds
    the two equal on arbitrary text.
    """
    return hashlib.sha256(msgspec.json.encode(content, order="sorted")).hexdigest()


def open_plan(state: State, st: Statement) -> PlanState:
    plan = state.plans.get(st.plan)  # `existing_plan`, inline: every plan statement passes here
    if plan is None:
        raise refuse("plan.unknown", f"there is no plan {st.plan!r}")
    if plan.status in CLOSED_STATUSES:
        code = "plan.expired" if plan.status == "expired" else "plan.closed"
        raise refuse(code, f"plan {plan.id} is {plan.status}; {st.type} is no longer possible")
    return plan


def existing_plan(state: State, st: Statement) -> PlanState:
    plan = state.plans.get(st.plan or "")
    if plan is None:
        raise refuse("plan.unknown", f"there is no plan {st.plan!r}")
    return plan


def require_requester(plan: PlanState, st: Statement) -> None:
    if st.party != plan.requester:
        raise refuse("party.not_requester", f"only {plan.requester}, who requested plan {plan.id}, may {st.type}")


def require_required(plan: PlanState, st: Statement) -> tuple[str, ...]:
    """The capacities in which the acting party is required on this plan."""
    capacities = plan.required.get(st.party)
    if capacities is None:
        raise refuse("party.not_required", f"{st.party} is not required on any route of plan {plan.id}")
    return capacities


def require_status(plan: PlanState, allowed: frozenset[str], action: str) -> None:
    if plan.status not in allowed:
        raise refuse("state.wrong", f"cannot {action} while plan {plan.id} is {plan.status}")


def require_involved(plan: PlanState, st: Statement) -> None:
    if st.party != plan.requester and st.party not in plan.required:
        raise refuse("party.not_required", f"{st.party} takes no part in plan {plan.id}")


def find_leg(plan: PlanState, leg_id: str) -> Leg:
    leg = plan.content.leg(leg_id)
    if leg is None:
        raise refuse("leg.unknown", f"plan {plan.id} has no leg {leg_id!r}")
    return leg


def find_line(leg: Leg, line_id: str) -> ManifestLine:
    line = leg.line(line_id)
    if line is None:
        raise refuse("line.unknown", f"leg {leg.id} has no manifest line {line_id!r}")
    return line


def find_checkpoint(route: Route, checkpoint_id: str) -> tuple[int, Checkpoint]:
    for index, checkpoint in enumerate(route.checkpoints):
        if checkpoint.id == checkpoint_id:
            return index, checkpoint
    raise refuse("checkpoint.unknown", f"route {route.id} has no checkpoint {checkpoint_id!r}")


def require_escort_or_requester(state: State, plan: PlanState, st: Statement) -> None:
    """Movement orders (go, depart) come from the convoy: the requester or an escort on the plan."""
    if st.party == plan.requester or "escort" in plan.required.get(st.party, ()):
        return
    if st.party in plan.required:
        raise refuse("party.wrong_capacity", f"{st.party} is not the requester or an escort of plan {plan.id}")
    raise refuse("party.not_required", f"{st.party} takes no part in plan {plan.id}")
