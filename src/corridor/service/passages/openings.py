"""Openings: a requester that signs its own statements hands the service the clear plates and window its
commitments hide, so the plan's parties see them and the service can issue the passage's permits.

Each opening is checked against the commitment on the log (the plan's current content and slot); one that
does not open it refuses the whole request, and nothing is kept. Those that do are kept in the same private
tables as the values the service committed itself (projection.write_private), and the permits they make
due are recorded in the same transaction (permits/issuing.py). Nothing else reaches the public log: a
permit.issue carries digests only."""

from __future__ import annotations

from typing import Any

from ...engine.model import LABEL_MAX_LENGTH
from ...engine.state import PlanState
from ...fold import LogFold
from ...ledger.commitments import plate_value, verify_reveal, window_value
from ...privacy import PrivacyError, Private, check_window
from ..ledger.record import Builder, Recorded, Refused, record_prepared
from .projection import write_private

SALT_MAX_LENGTH = 64  # the width of the private tables' salt column
OPENING_KEYS = frozenset({"plates", "window"})
PLATE_KEYS = ("leg", "vehicle", "plate", "salt")
WINDOW_KEYS = ("start", "end", "salt")


def _invalid(message: str) -> Refused:
    return Refused("opening.invalid", message, 422)


def _mismatch(message: str) -> Refused:
    return Refused("opening.mismatch", message, 422)


def parse_openings(body: dict[str, Any]) -> tuple[list[dict[str, str]], dict[str, str] | None]:
    """The body's shape: {"plates": [{"leg", "vehicle", "plate", "salt"}], "window": {"slot"?, "start",
    "end", "salt"}}, at least one of them, every value a string."""
    unknown = set(body) - OPENING_KEYS
    if unknown:
        raise _invalid(f"unknown field(s): {', '.join(sorted(unknown))}; give \"plates\" and/or \"window\"")
    plates, window = body.get("plates", []), body.get("window")
    if not isinstance(plates, list) or not all(isinstance(p, dict) for p in plates):
        raise _invalid("\"plates\" is a list of {\"leg\", \"vehicle\", \"plate\", \"salt\"}")
    for plate in plates:
        if set(plate) != set(PLATE_KEYS) or not all(isinstance(plate[k], str) and plate[k] for k in PLATE_KEYS):
            raise _invalid("each plate opening is {\"leg\", \"vehicle\", \"plate\", \"salt\"}, all non-empty text")
        if len(plate["plate"]) > LABEL_MAX_LENGTH or len(plate["salt"]) > SALT_MAX_LENGTH:
            raise _invalid(f"a plate has at most {LABEL_MAX_LENGTH} characters, a salt at most {SALT_MAX_LENGTH}")
        if any("\x00" in value for value in plate.values()):  # kept privately, then revealed: see privacy.py
            raise Refused("value.nul", "text in a statement may not contain the NUL character (\\u0000)", 422)
    if window is not None:
        if not isinstance(window, dict) or not set(WINDOW_KEYS) <= set(window) <= {*WINDOW_KEYS, "slot"} or not all(
                isinstance(window[k], str) and window[k] for k in window):
            raise _invalid("\"window\" is {\"slot\" (optional), \"start\", \"end\", \"salt\"}, all non-empty text")
        if len(window["salt"]) > SALT_MAX_LENGTH:
            raise _invalid(f"a salt has at most {SALT_MAX_LENGTH} characters")
        try:
            check_window(window["start"], window["end"])
        except PrivacyError as error:
            raise Refused(error.code, error.message, 422) from None
    if not plates and window is None:
        raise _invalid("nothing to open: give \"plates\", \"window\" or both")
    return plates, window


def check_openings(plan: PlanState, plates: list[dict[str, str]], window: dict[str, str] | None) -> Private:
    """The openings as private records, each checked against the plan's current commitments on the log."""
    private = Private()
    committed = {(leg.id, vehicle.id): vehicle.plate for leg in plan.content.legs for vehicle in leg.vehicles}
    for plate in plates:
        where = (plate["leg"], plate["vehicle"])
        if where not in committed:
            raise _mismatch(f"plan {plan.id} has no vehicle {plate['vehicle']!r} on leg {plate['leg']!r}")
        if not verify_reveal(plate_value(plate["plate"]), plate["salt"], committed[where]):
            raise _mismatch(f"the plate and salt given for {plate['leg']}/{plate['vehicle']} do not open the "
                            "commitment on the log")
        private.plates.append({**plate, "commitment": committed[where]})
    if window is not None:
        slot = plan.slot
        if slot is None:
            raise _mismatch(f"plan {plan.id} has no slot proposed: there is no window to open")
        if window.get("slot", slot.id) != slot.id:
            raise _mismatch(f"the plan's current slot is {slot.id!r}, not {window['slot']!r}")
        if not verify_reveal(window_value(window["start"], window["end"]), window["salt"], slot.window):
            raise _mismatch(f"the window and salt given do not open slot {slot.id}'s commitment on the log")
        private.window = {"slot": slot.id, "start": window["start"], "end": window["end"], "salt": window["salt"],
                          "commitment": slot.window}
    return private


def open_commitments(party: str, plan_id: str, body: dict[str, Any]) -> tuple[Private, list[Recorded]]:
    """Keep the requester's openings and record the permits they make due, in one transaction."""
    from ..permits.issuing import permits_due

    plates, window = parse_openings(body)
    kept: list[Private] = []

    def prepare(fold: LogFold) -> list[Builder]:
        plan = fold.state.plans.get(plan_id)
        if plan is None or (party != plan.requester and party not in plan.required):
            raise Refused("plan.not_found", f"there is no plan {plan_id!r} your party takes part in", 404)
        if party != plan.requester:
            raise Refused("party.not_requester", "only the plan's requester opens its commitments", 403)
        private = check_openings(plan, plates, window)
        write_private(plan_id, private)
        kept.append(private)
        return permits_due(plan, fold)

    recorded = record_prepared(prepare)
    return kept[0], recorded
