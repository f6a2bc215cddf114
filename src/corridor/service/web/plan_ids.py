"""Plan ids the pages cannot show: `/plans/<id>` is a plan's page, but `/plans/new` is the request form, so a plan
named `new` (the engine allows it) would have no page; its parties could not act on it from the web. The
service refuses such an id before the engine's rules, with the engine's own code for a bad plan id."""

from __future__ import annotations

from ...fold import LogFold
from ..ledger.record import Refused

RESERVED = frozenset({"new"})  # urls.py: the paths under /plans/ that are not a plan's


def check_plan_id(statement: dict, fold: LogFold) -> None:
    if statement.get("type") == "plan.submit" and statement.get("plan") in RESERVED:
        raise Refused("plan.invalid", f"{statement['plan']!r} is the address of the request form (/plans/"
                      f"{statement['plan']}), so a plan of that id would have no page: choose another id", 422)
