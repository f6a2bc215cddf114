"""`derive_status` reads its flags in one pass (issue 12); it must answer exactly what the rule written over
the sets of stances and phases answers, for every combination of positions, legs, requests and slot."""

import itertools

import pytest

from corridor.engine.lifecycle import STICKY_STATUSES, UNCOMMITTED_PHASES, derive_status, slot_confirmed
from corridor.engine.model import Leg, ManifestLine, PlanContent
from corridor.engine.state import LEG_DONE, PENDING, InfoRequest, LegState, PlanState, Position, Slot

from .world import ROAD_A_PARTIES, World

STANCES = ("pending", "consented", "refused", "withdrawn")
PHASES = ("planned", "arrived", "held", "cleared", "released", "in_transit", "delivered", "turned_back")


def reference_status(plan: PlanState) -> str:
    """The rule as it was written before issue 12 (sets of stances and phases)."""
    if plan.status in STICKY_STATUSES:
        return plan.status
    stances = {position.stance for position in plan.positions.values()}
    phases = {leg.phase for leg in plan.legs.values()}
    consented = stances <= {"consented"}
    if phases == {"planned"}:
        if consented:
            return "scheduled" if slot_confirmed(plan) else "cleared"
        if "refused" in stances:
            return "refused"
        if "withdrawn" in stances:
            return "withdrawn"
        return "submitted" if stances == {"pending"} and not plan.requests else "awaiting_consent"
    if not consented and phases <= UNCOMMITTED_PHASES:
        if "refused" in stances:
            return "refused"
        if "withdrawn" in stances:
            return "withdrawn"
    return ("completed" if "delivered" in phases else "aborted") if phases <= LEG_DONE else "in_progress"


CONTENT = PlanContent(legs=(Leg(id="leg-0", route="r", lines=(
    ManifestLine(id="l0", item="x", category="food", quantity=1, unit="kg", weight_kg=1),)),))  # not read by the rule


def _plan(stances, phases, requests: bool, slot: str | None, status: str) -> PlanState:
    parties = [f"p{n}" for n in range(len(stances))]
    answers = {party: "confirmed" for party in parties}
    return PlanState(
        id="plan", requester="org", content=CONTENT, version="v", submitted_at=0, status=status,
        required={party: ("border_control",) for party in parties},
        positions={party: PENDING if stance == "pending" else Position(stance=stance)
                   for party, stance in zip(parties, stances, strict=True)},
        legs={f"leg-{n}": LegState(id=f"leg-{n}", phase=phase) for n, phase in enumerate(phases)},
        requests={"q": InfoRequest(party="p0", question="?", asked_at=0)} if requests else {},
        slot=None if slot is None else Slot(id="s", window="w", proposed_at=0, answers=answers,
                                            declined=slot == "declined"),
    )


def test_one_pass_answers_as_the_sets_do_on_every_combination():
    checked = 0
    for positions in range(0, 4):
        for stances in itertools.product(STANCES, repeat=positions):
            for legs in range(0, 3):
                for phases in itertools.product(PHASES, repeat=legs):
                    for requests, slot, status in itertools.product(
                        (False, True), (None, "confirmed", "declined"), ("awaiting_consent", "cancelled")
                    ):
                        plan = _plan(stances, phases, requests, slot, status)
                        assert derive_status(plan) == reference_status(plan), (stances, phases, requests, slot)
                        checked += 1
    assert checked == 85 * 73 * 12  # (1+4+16+64 stance lists) x (1+8+64 phase lists) x 12


def test_pending_positions_share_one_frozen_record():
    """Positions are replaced, never changed, so every pending one of a submitted plan can be PENDING."""
    world = World().submit()
    positions = world.plan().positions
    assert set(positions) == set(ROAD_A_PARTIES)
    assert all(position is PENDING for position in positions.values())
    with pytest.raises(AttributeError):
        PENDING.stance = "consented"  # type: ignore[misc]
    world.do("border", "plan.consent", version=world.version())
    assert world.plan().positions["border"].stance == "consented"
    assert PENDING.stance == "pending" and world.plan().positions["customs"] is PENDING
