"""The registry: parties and routes, kept by the operator; and passages attested by data sources.

Every change to who takes part or which roads need whose consent is itself a signed statement, so the
registry anyone replays is the registry the rules were applied with.
"""

from __future__ import annotations

from ..errors import refuse
from ..model import Party, Route
from ..state import Attestation, State
from ..statements import AttestPassage, Statement

OPERATOR_KIND = "operator"
SOURCE_KIND = "source"


def register_party(state: State, st: Statement, now: int) -> None:
    _require_kind(state, st, OPERATOR_KIND, "register parties")
    party: Party = st.payload
    known = state.parties.get(party.id)
    if known is not None and known.kind != party.kind:
        raise refuse("party.kind_change", f"{party.id} is registered as {known.kind}, not {party.kind}")
    state.parties[party.id] = party


def define_route(state: State, st: Statement, now: int) -> None:
    _require_kind(state, st, OPERATOR_KIND, "define routes")
    route: Route = st.payload
    _check_route(state, route)
    if route.id in state.routes and _route_in_use(state, route.id):
        raise refuse("route.in_use", f"route {route.id} carries a passage that is not over; define a new route id")
    state.routes[route.id] = route


def attest_passage(state: State, st: Statement, now: int) -> None:
    _require_kind(state, st, SOURCE_KIND, "attest passages")
    claim: AttestPassage = st.payload
    if claim.passage in state.attestations:
        raise refuse("attestation.exists", f"passage {claim.passage} is already attested")
    if not claim.lines:
        raise refuse("attestation.invalid", f"attested passage {claim.passage} lists no goods")
    state.attestations[claim.passage] = Attestation(source=st.party, claim=claim, attested_at=now)


def check_role(state: State, st: Statement, registry_type: bool, attestation: bool) -> None:
    """Operators only keep the registry; sources only attest; nobody else does either."""
    kind = state.parties[st.party].kind
    if (kind == OPERATOR_KIND) != registry_type or (kind == SOURCE_KIND) != attestation:
        raise refuse("party.role", f"{st.party} is a party of kind {kind}; it cannot make {st.type} statements")


def _require_kind(state: State, st: Statement, kind: str, action: str) -> None:
    if state.parties[st.party].kind != kind:
        raise refuse("party.role", f"only a party of kind {kind} may {action}; {st.party} is not one")


def _check_route(state: State, route: Route) -> None:
    if not route.checkpoints:
        raise refuse("route.invalid", f"route {route.id} has no checkpoint (its first checkpoint is the gate)")
    ids = [checkpoint.id for checkpoint in route.checkpoints]
    if len(set(ids)) != len(ids):
        raise refuse("route.invalid", f"route {route.id} names a checkpoint twice")
    named = {req.party for req in route.policy} | {p for c in route.checkpoints for p in c.inspected_by}
    unknown = sorted(named - state.parties.keys())
    if unknown:
        raise refuse("party.unknown", f"route {route.id} names unregistered parties: {', '.join(unknown)}")


def _route_in_use(state: State, route_id: str) -> bool:
    """Whether an open plan has a leg on the route: the fold keeps the count (State.open_plans_by_route), so
    this reads no plan (reading every one grew with the log, inside a request)."""
    return route_id in state.open_plans_by_route
