"""Which clock a time is read on: the IANA zone of the crossing it happened at (a checkpoint's `tz` on its
route), so a border officer reads 12:00 where the log says 08:00Z. The log and the API stay in UTC; only the
pages convert. A zone this machine's tz database does not know reads as UTC rather than failing the page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ...engine.model import Route
from ..ledger.record import known_fold

UTC_NAME = "UTC"


@lru_cache(maxsize=256)
def zone(name: str | None) -> ZoneInfo:
    """The zone named, or UTC when the name is empty or unknown here."""
    try:
        return ZoneInfo(name or UTC_NAME)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(UTC_NAME)


def _routes() -> dict[str, Route]:
    return known_fold().state.routes


def route_zone(route_id: str, checkpoint_id: str | None = None) -> str:
    """The zone of a checkpoint of a route; without a checkpoint, of the first one that names a zone."""
    route = _routes().get(route_id)
    if route is None:
        return operation_zone()
    named = [c.tz for c in route.checkpoints if c.tz and (checkpoint_id is None or c.id == checkpoint_id)]
    return named[0] if named else operation_zone()


def checkpoint_zone(checkpoint_id: str) -> str:
    """The zone of a checkpoint found by its id alone (the checkpoint screen knows no route)."""
    for route in _routes().values():
        for checkpoint in route.checkpoints:
            if checkpoint.id == checkpoint_id and checkpoint.tz:
                return checkpoint.tz
    return operation_zone()


def plan_zone(plan_id: str) -> str:
    """A plan's times are read on the clock of its first leg's route (its gate)."""
    plan = known_fold().state.plans.get(plan_id)
    if plan is None or not plan.content.legs:
        return operation_zone()
    return route_zone(plan.content.legs[0].route)


def operation_zone() -> str:
    """For a time tied to no crossing (a log entry, an incident report): the zone every checkpoint shares
    when they agree, as in an operation across one border; UTC when they differ or name none."""
    return _shared_zone(tuple(_routes().values()))


def _shared_zone(routes: tuple[Route, ...]) -> str:
    zones = {c.tz for route in routes for c in route.checkpoints if c.tz}
    return zones.pop() if len(zones) == 1 else UTC_NAME


def offset(moment: datetime) -> str:
    """UTC+4, UTC-3:30, UTC: the offset in force at that moment (summer time included)."""
    minutes = int((moment.utcoffset() or timedelta(0)).total_seconds()) // 60
    if minutes == 0:
        return "UTC"
    sign, minutes = ("+" if minutes > 0 else "-"), abs(minutes)
    return f"UTC{sign}{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")


def crossings(at: int) -> list[dict[str, str]]:
    """The clocks a time tied to no plan (an incident) may be typed on: the operation's first (value ""), then
    each checkpoint that names its zone, as "name — zone (offset now)"."""
    moment = datetime.fromtimestamp(at, UTC)
    shared = operation_zone()
    choices = [{"value": "", "zone": shared, "offset": offset(moment.astimezone(zone(shared)))}]
    seen: set[str] = set()
    for route in _routes().values():
        for checkpoint in route.checkpoints:
            if checkpoint.tz and checkpoint.id not in seen:
                seen.add(checkpoint.id)
                choices.append({"value": checkpoint.id, "name": checkpoint.name, "zone": checkpoint.tz,
                                "offset": offset(moment.astimezone(zone(checkpoint.tz)))})
    return choices


def crossing_zone(choice: str | None) -> str:
    """The zone of a choice among `crossings`: a checkpoint's, or the operation's for "" or one not known."""
    return checkpoint_zone(choice) if choice else operation_zone()
