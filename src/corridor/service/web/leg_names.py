"""Legs by name, not id: a person reads "Lachin road" or "Lachin road, leg 2", never `leg-1`.

A leg is named after its route; when two legs of one plan take the same route, each adds its place in the
plan ("leg 2", translated). The name is the page's: the log, the API and the forms' hidden fields keep the
leg's id. A leg no longer in the plan (amended away) keeps its id, as nothing else names it."""

from __future__ import annotations

from collections import Counter

from django.utils.translation import gettext as _

from ..ledger.record import known_fold


def leg_names(legs, routes: dict) -> dict[str, str]:
    """Leg id -> its name, for a plan's legs in order (engine Legs, or dicts as a statement's payload)."""
    pairs = [(_get(leg, "id"), _get(leg, "route")) for leg in legs]
    shared = Counter(route for _id, route in pairs)
    names = {}
    for number, (leg_id, route_id) in enumerate(pairs, start=1):
        route = getattr(routes.get(route_id), "name", None) or str(route_id)
        names[str(leg_id)] = route if shared[route_id] == 1 else _("%(route)s, leg %(n)s") % {"route": route,
                                                                                              "n": number}
    return names


def leg_number(legs, leg_id: str) -> str:
    """"Leg 2": the leg's place in its plan, where the route is shown beside it."""
    for number, leg in enumerate(legs, start=1):
        if _get(leg, "id") == leg_id:
            return _("Leg %(n)s") % {"n": number}
    return leg_id


def plan_leg_name(plan_id: str | None, leg_id: str | None) -> str:
    """The name of a leg of a plan on the log; its id when the plan or the leg is not known."""
    state = known_fold().state
    plan = state.plans.get(str(plan_id))
    if plan is None or leg_id is None:
        return str(leg_id or "")
    return leg_names(plan.content.legs, state.routes).get(str(leg_id), str(leg_id))


def plan_leg_number(plan_id: str | None, leg_id: str | None) -> str:
    plan = known_fold().state.plans.get(str(plan_id))
    return leg_number(plan.content.legs, str(leg_id)) if plan is not None else str(leg_id or "")


def _get(leg, name: str):
    return leg.get(name) if isinstance(leg, dict) else getattr(leg, name)
