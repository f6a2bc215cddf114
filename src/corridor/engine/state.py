"""The engine's state: everything the fold of the statements has established, serialisable to JSON.

All times are integer seconds since the epoch. The state is mutated in place by `apply`; rules check
everything before they change anything, so a refused statement leaves no trace.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import msgspec

from .model import Leg, Party, PlanContent, Route
from .statements import AttestPassage, Inspect, Receipt, ReportIncident, RevealedPlate, RevealedWindow

PlanStatus = Literal[
    "submitted",
    "awaiting_consent",
    "refused",
    "withdrawn",
    "cleared",
    "scheduled",
    "in_progress",
    "completed",
    "cancelled",
    "expired",
    "aborted",
]
LegPhase = Literal["planned", "arrived", "held", "cleared", "released", "in_transit", "delivered", "turned_back"]
Stance = Literal["pending", "consented", "refused", "withdrawn"]

CLOSED_STATUSES: frozenset[str] = frozenset({"completed", "cancelled", "expired", "aborted"})
BEFORE_CLEARANCE: frozenset[str] = frozenset({"submitted", "awaiting_consent", "refused", "withdrawn"})
BEFORE_MOVEMENT: frozenset[str] = BEFORE_CLEARANCE | {"cleared", "scheduled"}
LEG_DONE: frozenset[str] = frozenset({"delivered", "turned_back"})


class Mutable(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, gc=False):
    """Base for state records (mutable, unlike statement payloads); trees, never cycles (see Record)."""


class Position(Mutable, kw_only=True, frozen=True):
    """One required party's current stance on the plan's current version. Replaced whole, never changed
    (frozen), so every pending position can be the one `PENDING` record: a new version resets every
    position without allocating, and the status and clock rules read a record that stays in the cache."""

    stance: Stance = "pending"
    at: int | None = None
    reason: str | None = None
    text: str = ""
    conditions: tuple[str, ...] = ()
    lines: tuple[tuple[str, str], ...] = ()


PENDING = Position()


class InfoRequest(Mutable, kw_only=True):
    party: str
    question: str
    asked_at: int
    answer: str | None = None
    answered_at: int | None = None


class Slot(Mutable, kw_only=True):
    """A proposed movement slot. The log carries only the commitment to its window; `start`, `end` and
    `revealed` (the opened window with its salt) are known once the requester reveals it."""

    id: str
    window: str
    proposed_at: int
    answers: dict[str, str] = {}
    declined: bool = False
    start: int | None = None
    end: int | None = None
    revealed: RevealedWindow | None = None


class LegState(Mutable, kw_only=True):
    id: str
    phase: LegPhase = "planned"
    checkpoint: str | None = None
    checkpoint_index: int = -1
    carried: dict[str, int | str] = {}  # what the leg carries of each line (engine/quantity.py)
    arrivals: list[tuple[int, str]] = []
    inspections: list[tuple[int, str, Inspect]] = []
    released_at: int | None = None
    departed_at: int | None = None
    delivered_at: int | None = None
    receipts: tuple[Receipt, ...] = ()

    @classmethod
    def fresh(cls, leg: Leg) -> LegState:
        carried = {}
        for line in leg.lines:  # a loop, not a comprehension: no frame for every plan submitted
            carried[line.id] = line.quantity
        return cls(id=leg.id, carried=carried)


class Note(Mutable, kw_only=True):
    party: str
    sha256: str
    kind: str
    title: str
    at: int


class PermitRecord(Mutable, kw_only=True, omit_defaults=True):
    """A permit issued on the log (permit.issue); `revoked_at` and `reason` once permit.revoke said so."""

    leg: str
    vehicle: str
    version: str
    digest: str
    issued_at: int
    consents: tuple[int, ...] = ()
    revoked_at: int | None = None
    reason: str | None = None


class PlanState(Mutable, kw_only=True):
    id: str
    requester: str
    content: PlanContent
    version: str
    submitted_at: int
    expires_at: int | None = None
    status: PlanStatus = "submitted"
    required: dict[str, tuple[str, ...]] = {}
    positions: dict[str, Position] = {}
    requests: dict[str, InfoRequest] = {}
    slot: Slot | None = None
    legs: dict[str, LegState] = {}
    notes: list[Note] = []
    amendments: int = 0
    closed_at: int | None = None
    waiting_since: dict[str, int] = {}
    waited: dict[str, int] = {}
    # scheduled with its window still committed: nobody is waited on, and these (from, to) periods are
    # kept so that the reveal can count the requester's wait from the window's start (see clock.py)
    dormant_since: int | None = None
    dormant: list[tuple[int, int]] = []
    plates: list[RevealedPlate] = []
    permits: dict[str, PermitRecord] = {}

    @property
    def closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def simultaneous(self) -> bool:
        return self.content.linkage == "simultaneous"

    def open_requests(self) -> list[InfoRequest]:
        return [request for request in self.requests.values() if request.answered_at is None]


class Dispute(Mutable, kw_only=True):
    party: str
    text: str
    at: int


class Incident(Mutable, kw_only=True):
    reporter: str
    claim: ReportIncident
    plan: str | None
    reported_at: int
    disputes: list[Dispute] = []


class Attestation(Mutable, kw_only=True):
    source: str
    claim: AttestPassage
    attested_at: int


class OfflineRecord(Mutable, kw_only=True, omit_defaults=True):
    """A statement signed offline and relayed (rules/offline.py), by its offline id: who signed what about
    which plan, when it was signed (`signed`, the device's clock) and received (`received`, the relay's
    time, with `relay`, the relay's seq in the operator's numbering); `code` is None when it took effect,
    else the late.* code it keeps, with the rule's own code and words (`rule`, `reason`)."""

    party: str
    type: str
    plan: str
    signed: int
    received: int
    relay: int
    code: str | None = None
    rule: str | None = None
    reason: str | None = None


class State(Mutable, kw_only=True):
    """The whole fold: registry, plans, incidents, per-party sequence numbers and the timed-event queue."""

    parties: dict[str, Party] = {}
    routes: dict[str, Route] = {}
    plans: dict[str, PlanState] = {}
    # how many open plans have a leg on each route; no entry for a route no open plan uses. Kept as plans are
    # submitted, amended and closed (count_open_routes), so that route.define reads no plan (rules/registry.py)
    open_plans_by_route: dict[str, int] = {}
    incidents: dict[str, Incident] = {}
    attestations: dict[str, Attestation] = {}
    last_seq: dict[str, int] = {}
    clock: int = 0
    # heap of (time, plan id, kind): expiries, which change who is waited on without any statement
    # being made.
    timers: list[tuple[int, str, str]] = []
    offline: dict[str, OfflineRecord] = {}  # statements signed offline, by offline id, in relay order; kept
    # rules/offline.RETENTION_SECONDS after their relay (the duplicate check needs no more): see rules/offline.py

    @classmethod
    def with_registry(cls, parties: list[Party], routes: list[Route]) -> State:
        return cls(parties={p.id: p for p in parties}, routes={r.id: r for r in routes})


def count_open_routes(state: State, content: PlanContent, change: Literal[1, -1]) -> None:
    """Count an open plan's version into `State.open_plans_by_route` (+1: submitted, or amended to it) or out
    of it (-1: amended away from it, or closed). A plan counts once on a route however many of its legs take
    it: the count is of plans, and what goes in comes out the same way. A route at 0 is dropped, so the state
    is the same whichever plans came and went."""
    counts = state.open_plans_by_route
    # in the legs' order, not a set's (which changes with the hash seed): every replay inserts routes alike
    for route in dict.fromkeys([leg.route for leg in content.legs]):
        count = counts.get(route, 0) + change
        if count:
            counts[route] = count
        else:
            del counts[route]


def to_json(state: State) -> bytes:
    """Deterministic JSON: same statements in, same bytes out.

    The timer heap's list layout depends on push/pop history, so it is written sorted (a sorted list is
    also a valid heap): two states settled to the same moment serialise identically. A fold restored from
    a snapshot keeps its plans in a mapping over the file (snapshot_plans.py): they are read out here.
    """
    plans = state.plans if type(state.plans) is dict else dict(state.plans)
    canonical = msgspec.structs.replace(state, plans=plans, timers=sorted(state.timers))
    return msgspec.json.encode(canonical, order="deterministic")


def from_json(data: bytes | str) -> State:
    return msgspec.json.decode(data, type=State, strict=True)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector over a long fold, then restore it as it was.

    The state's records are `gc=False` trees, but the lists and tuples inside them are tracked, and the
    collector's passes over a growing state (each full pass walks every one of them: at 1M statements,
    hundreds of MB) cost ~8% of a fold at 100k and 1M statements (docs/benchmarks.md). The engine makes no
    cycles, so nothing is left uncollected: whatever else a fold leaves (a refusal's traceback) is collected
    once the collector runs again. Nested uses leave it to the outermost."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
