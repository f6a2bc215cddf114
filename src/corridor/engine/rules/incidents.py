"""Incident claims and disputes: each is one party's signed word, shown side by side, never judged here."""

from __future__ import annotations

from decimal import Decimal
from typing import get_args

from ..errors import refuse
from ..state import Dispute, Incident, State
from ..statements import AccessCategory, ReportIncident, Statement
from ..times import parse_time

CATEGORIES = frozenset(get_args(AccessCategory))


def report(state: State, st: Statement, now: int) -> None:
    claim: ReportIncident = st.payload
    if claim.incident in state.incidents:
        raise refuse("incident.exists", f"incident {claim.incident} is already on record")
    if claim.category not in CATEGORIES:
        raise refuse("incident.category", f"category {claim.category!r} is not one of: {', '.join(sorted(CATEGORIES))}")
    _check_period(claim)
    _check_place(claim)
    _check_references(state, st, claim)
    state.incidents[claim.incident] = Incident(reporter=st.party, claim=claim, plan=st.plan, reported_at=now)


def dispute(state: State, st: Statement, now: int) -> None:
    incident = state.incidents.get(st.payload.incident)
    if incident is None:
        raise refuse("incident.unknown", f"there is no incident {st.payload.incident!r} to dispute")
    if incident.reporter == st.party:
        raise refuse("incident.own_claim", f"{st.party} made claim {st.payload.incident}; amend it with a new report")
    incident.disputes.append(Dispute(party=st.party, text=st.payload.text, at=now))


def _check_period(claim: ReportIncident) -> None:
    start = parse_time(claim.occurred_from, "occurred_from")
    if claim.occurred_to is not None and parse_time(claim.occurred_to, "occurred_to") < start:
        raise refuse("time.invalid", "occurred_to is earlier than occurred_from")


def _check_place(claim: ReportIncident) -> None:
    """Coordinates come as a pair, on the globe: a latitude alone (or 999) put the claim nowhere on the map."""
    lat, lon = claim.place.lat, claim.place.lon
    if (lat is None) != (lon is None):
        raise refuse("place.invalid", "give the place's lat and lon together, or neither")
    if lat is not None and not _on_the_globe(Decimal(str(lat)), Decimal(str(lon))):
        raise refuse("place.invalid", f"lat {lat}, lon {lon} is not a place on Earth (lat -90 to 90, lon -180 to 180)")


def _on_the_globe(lat: Decimal, lon: Decimal) -> bool:
    return -90 <= lat <= 90 and -180 <= lon <= 180  # each a decimal of at most 3 digits before the point (schema)


def _check_references(state: State, st: Statement, claim: ReportIncident) -> None:
    if claim.route is not None and claim.route not in state.routes:
        raise refuse("route.unknown", f"there is no route {claim.route!r}")
    if st.plan is None:
        if claim.leg is not None:
            raise refuse("statement.malformed", "an incident that names a leg must also name its plan")
        return
    plan = state.plans.get(st.plan)
    if plan is None:
        raise refuse("plan.unknown", f"there is no plan {st.plan!r}")
    if claim.leg is not None and plan.content.leg(claim.leg) is None:
        raise refuse("leg.unknown", f"plan {plan.id} has no leg {claim.leg!r}")
