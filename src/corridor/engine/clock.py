"""The ball-holder clock: who is being waited on for each plan, since when, and for how long in total.

This is Corridor's central public figure, so the rule lives here and nowhere else.

THE RULE. At any moment a plan waits on the parties whose action is the next step:
- submitted / awaiting consent: every required party that has not consented to the current version,
  except a party whose own request for information is still unanswered; while any request is open,
  the requester is waited on too (for the answer).
- refused or withdrawn: the requester (to amend or cancel; the refusal is on the record with its reason).
- cleared: the requester, to propose a slot (again, if the last one was declined); once a slot is
  proposed, every required party that has not confirmed it.
- scheduled: nobody until the slot opens; then the movement rule below. The log carries the slot's
  window only as a salted commitment until the plan is closed, so the fold does not know when the slot
  opens: while the window is committed, the slot counts as open from the plan's first movement statement
  (a vehicle arriving at its gate). When the requester reveals the window (plan.reveal, once the plan is
  closed), the time the plan spent scheduled after the window's start and before that first movement is
  added to the requester's total: exactly what the rule counts when the start is known. Nobody else is
  waited on during those periods, so the requester's intervals still never overlap.
- in progress, per leg: not yet at its gate -> the requester; at a checkpoint awaiting inspection or held
  there -> the parties that inspect at that checkpoint; cleared at the gate -> nobody for that leg while
  other legs of a simultaneous plan are not cleared (their holders are the ones waited on), and the
  requester once the plan can go; released -> the requester, to depart; in transit, delivered or turned
  back -> nobody (travel time is nobody's delay).
- completed, cancelled, expired, aborted: nobody.
Waiting intervals of one party on one plan never overlap, so a party's total never exceeds the time the
plan was open.
"""

from __future__ import annotations

from .model import Route
from .state import CLOSED_STATUSES, LegState, PlanState


def ball_holders(plan: PlanState, routes: dict[str, Route], now: int) -> set[str]:
    status = plan.status
    # the statuses are tested most frequent first (each test excludes the others): every fold step passes here
    if status == "awaiting_consent" or status == "submitted":
        if not plan.requests:  # the common case, kept cheap (a loop: no frame)
            holders = set()
            for party, position in plan.positions.items():
                if position.stance != "consented":
                    holders.add(party)
            return holders
        return _consent_holders(plan)
    if status == "cleared":
        return _slot_holders(plan)
    if status in CLOSED_STATUSES:
        return set()
    if status == "refused" or status == "withdrawn":
        return {plan.requester}
    if status == "scheduled" and _slot_not_open(plan, now):
        return set()
    return _movement_holders(plan, routes)


def _slot_not_open(plan: PlanState, now: int) -> bool:
    slot = plan.slot
    return slot is not None and (slot.start is None or now < slot.start)


def _consent_holders(plan: PlanState) -> set[str]:
    open_requests = plan.open_requests()
    asking = {request.party for request in open_requests}
    holders = {p for p, pos in plan.positions.items() if pos.stance != "consented" and p not in asking}
    if open_requests:
        holders.add(plan.requester)
    return holders


def _slot_holders(plan: PlanState) -> set[str]:
    slot = plan.slot
    if slot is None or slot.declined:
        return {plan.requester}
    answers, holders = slot.answers, set()
    for party in plan.required:  # a loop rather than a comprehension: this runs for every confirmation
        if party not in answers:
            holders.add(party)
    return holders


def _movement_holders(plan: PlanState, routes: dict[str, Route]) -> set[str]:
    """Per leg (one loop, no call per leg): not yet at its gate or released -> the requester; at a checkpoint
    awaiting inspection or held there -> its inspectors; cleared at the gate -> the requester once the plan
    can go (every leg cleared, or legs independent); in transit, delivered, turned back -> nobody."""
    legs = plan.legs.values()
    all_cleared = bool(legs)  # every leg cleared at its gate
    for leg in legs:
        if leg.phase != "cleared":
            all_cleared = False
            break
    holders: set[str] = set()
    for leg in legs:
        phase = leg.phase
        if phase == "planned" or phase == "released":
            holders.add(plan.requester)
        elif phase == "arrived" or phase == "held":
            holders |= set(_inspectors(plan, leg, routes))
        elif phase == "cleared" and (all_cleared or not plan.simultaneous):
            holders.add(plan.requester)
    return holders


def _inspectors(plan: PlanState, leg: LegState, routes: dict[str, Route]) -> tuple[str, ...]:
    route = routes[plan.content.leg(leg.id).route]
    for checkpoint in route.checkpoints:  # a plain loop: cheaper than next() over a generator
        if checkpoint.id == leg.checkpoint:
            return checkpoint.inspected_by
    raise StopIteration  # as next() did: a leg is only ever at a checkpoint of its route


def refresh_clock(plan: PlanState, routes: dict[str, Route], now: int) -> None:
    """Close the intervals of parties no longer waited on, open those of parties newly waited on."""
    holders = ball_holders(plan, routes, now)
    if plan.status == "scheduled" or plan.dormant_since is not None:  # else dormancy has nothing to track
        _track_dormant(plan, now)
    since = plan.waiting_since
    if since.keys() == holders:
        return
    waited = plan.waited
    for party in list(since):
        if party not in holders:
            waited[party] = waited.get(party, 0) + now - since.pop(party)
    # every party still waited on is now a holder: as many as the holders means none is new (a consent or a
    # slot confirmation only takes the ball from its party)
    if len(since) == len(holders):
        return
    for party in holders:
        if party not in since:
            since[party] = now


def _track_dormant(plan: PlanState, now: int) -> None:
    """Keep the periods the plan is scheduled with its window committed (nobody is waited on then)."""
    dormant = plan.status == "scheduled" and plan.slot is not None and plan.slot.start is None
    if dormant and plan.dormant_since is None:
        plan.dormant_since = now
    elif not dormant and plan.dormant_since is not None:
        plan.dormant.append((plan.dormant_since, now))
        plan.dormant_since = None


def count_revealed_wait(plan: PlanState, start: int) -> None:
    """On the window's reveal: the requester was waited on from the window's start during the periods the
    plan sat scheduled, as if the start had been known all along (the rule above)."""
    extra = sum(max(0, until - max(since, start)) for since, until in plan.dormant)
    if extra:
        plan.waited[plan.requester] = plan.waited.get(plan.requester, 0) + extra
    plan.dormant = []


def waiting_seconds(plan: PlanState, as_of: int) -> dict[str, int]:
    """Total seconds each party has been waited on, counting open intervals up to `as_of`."""
    totals = dict(plan.waited)
    for party, since in plan.waiting_since.items():
        totals[party] = totals.get(party, 0) + max(as_of - since, 0)
    return dict(sorted(totals.items()))
