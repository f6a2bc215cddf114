"""What happened when, each thing with the log index of the entry that says so: the history a briefing
reads its period from.

The fold gives the state at the end of the log; a briefing needs the events of a period and who was waited
on *during* it. `History` folds the entries through the engine and keeps, as it goes:
- the events a briefing cites (requests, consents, refusals, withdrawals, departures, deliveries, incident
  claims and disputes, attested passages), each with its entry's index and time;
- every change of a plan's status (the entry that caused it);
- every waiting interval: one party waited on for one plan from `start` to `end` (None: still open), with
  the entries that opened and closed it. The intervals are read off the engine's own clock (clock.py), never
  recomputed: a party's intervals on a plan add up to the engine's `waiting_seconds` for it.

Pure: no Django, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..engine.state import PlanState, State
from ..engine.times import parse_time

# statement type -> the event kind a briefing cites
CITED = {"plan.submit": "submit", "plan.amend": "amend", "plan.consent": "consent", "plan.refuse": "refuse",
         "plan.withdraw": "withdraw", "plan.cancel": "cancel", "leg.depart": "depart", "leg.deliver": "deliver",
         "incident.report": "report", "incident.dispute": "dispute", "passage.attest": "attest"}


@dataclass(frozen=True)
class Event:
    """`payload`: the statement's payload; `content`: the plan's content right after the entry (what was
    requested at a submit or amend, what was carried at a departure or delivery); `signed`: how the entry
    was signed ("custodial", "passkey" …) and by which member, for claims."""

    kind: str
    index: int
    time: int
    party: str
    plan: str | None = None
    payload: Any = None
    content: Any = None
    signed: tuple[str | None, str | None] = (None, None)


@dataclass
class Interval:
    plan: str
    party: str
    start: int
    end: int | None = None
    entries: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class StatusChange:
    plan: str
    status: str
    time: int
    index: int


class History:
    """Wraps a fold (corridor.fold.LogFold or figures.fold.FigureFold): `apply(entry)` checks and applies
    the next entry exactly as the fold does, then records what it did."""

    def __init__(self, fold) -> None:
        self.fold = fold
        self.events: list[Event] = []
        self.intervals: list[Interval] = []
        self.statuses: list[StatusChange] = []
        self._open: dict[tuple[str, str], Interval] = {}
        self._waited: dict[str, dict[str, int]] = {}
        self._status: dict[str, str] = {}
        self._dormant: dict[str, list[tuple[int, int]]] = {}

    @property
    def state(self) -> State:
        return self.fold.state

    @property
    def size(self) -> int:
        return self.fold.size

    def apply(self, entry: bytes, signature_checked: bool = False):
        apply = getattr(self.fold, "apply", None) or self.fold.apply_entry
        folded = apply(entry, signature_checked=signature_checked)
        if folded.statement is None:  # a key statement: no plan, nothing a briefing cites
            return folded
        self._cite(folded)
        for plan_id in folded.plans:
            self._track(self.state.plans[plan_id], folded)
        return folded

    def _cite(self, folded) -> None:
        statement = folded.statement
        kind = CITED.get(statement.type)
        if kind is None:
            return
        plan_id = getattr(statement, "plan", None)
        plan = self.state.plans.get(plan_id) if plan_id else None
        self.events.append(Event(kind, folded.index, self.state.clock, statement.party, plan_id, statement.payload,
                                 plan.content if plan is not None else None,
                                 (folded.signed_by, folded.member)))

    def _track(self, plan: PlanState, folded) -> None:
        now = self.state.clock
        if self._status.get(plan.id) != plan.status:
            self._status[plan.id] = plan.status
            moment = plan.closed_at if plan.closed and plan.closed_at is not None else now
            self.statuses.append(StatusChange(plan.id, plan.status, moment, folded.index))
        waited = self._waited.get(plan.id, {})
        self._close(plan, waited, folded.index)
        if folded.type == "plan.reveal":  # the periods it credits are gone from the state: kept from before
            self._credit_reveal(plan, folded.index, self._dormant.get(plan.id, []))
        for party, since in plan.waiting_since.items():
            if (plan.id, party) not in self._open:
                interval = Interval(plan.id, party, since, entries=[folded.index])
                self._open[plan.id, party] = interval
                self.intervals.append(interval)
        self._waited[plan.id] = dict(plan.waited)
        self._dormant[plan.id] = list(plan.dormant)

    def _close(self, plan: PlanState, waited: dict[str, int], index: int) -> None:
        """An interval ends when its party leaves `waiting_since`; the engine added exactly its length to
        `waited`, so the end is read from there (an expiry ends it at its own time, not the entry's)."""
        for (plan_id, party), interval in list(self._open.items()):
            if plan_id != plan.id or party in plan.waiting_since:
                continue
            added = plan.waited.get(party, 0) - waited.get(party, 0)
            interval.end = interval.start + added
            interval.entries.append(index)
            waited[party] = waited.get(party, 0) + added
            del self._open[plan_id, party]

    def _credit_reveal(self, plan: PlanState, index: int, dormant: list[tuple[int, int]]) -> None:
        """The periods a reveal credits to the requester (clock.count_revealed_wait: the plan sat scheduled
        after the window's start), as intervals resting on the entries that began and ended them."""
        if plan.slot is None or plan.slot.start is None:
            return
        start = plan.slot.start
        cited = {change.time: change.index for change in self.statuses if change.plan == plan.id}
        for since, until in dormant:
            begin = max(since, start)
            if until > begin and since in cited:
                entries = sorted({cited[since], cited.get(until, index), index})
                self.intervals.append(Interval(plan.id, plan.requester, begin, until, entries))


def attested_day(claim) -> int | None:
    """The day an attested passage happened, for periods: its departure, else its receipt (seconds)."""
    day = claim.departed or claim.received
    return None if day is None else parse_time(day + "T00:00:00Z")
