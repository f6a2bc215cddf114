"""From clear values to what a party signs: commitments in the statement, clear values kept aside.

Clients (the web form, the API, a scenario file) give slot windows, plates and crew in clear; the public log
must carry only salted commitments (corridor.ledger.commitments). These functions rewrite a payload into its
signed form and return the private part (value, salt, commitment), which the service keeps in
access-controlled tables and the scenario runner in memory, until the requester reveals windows and plates
(crew never). Pure: no Django, no I/O.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from .engine.model import LABEL_MAX_LENGTH
from .ledger.commitments import commit, crew_value, plate_value, window_value

# the widths of the private tables that keep clear crew (the service's crew_member): longer is refused here
CREW_NAME_MAX_LENGTH, CREW_DOCUMENT_MAX_LENGTH = 400, 200

HEX64 = frozenset("0123456789abcdef")


class PrivacyError(ValueError):
    """A clear value in the wrong shape; `code` is stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


@dataclass
class Private:
    """The clear side of one statement: the window of a slot proposal, plates and crew of a plan."""

    window: dict[str, str] | None = None  # {"slot", "start", "end", "salt", "commitment"}
    plates: list[dict[str, str]] = field(default_factory=list)  # {"leg", "vehicle", "plate", "salt", "commitment"}
    crew: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # leg -> [{"name", "document", ...}]

    def __bool__(self) -> bool:
        return bool(self.window or self.plates or self.crew)


def is_commitment(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= HEX64


def commit_window(payload: dict[str, Any]) -> tuple[dict[str, Any], Private]:
    """A slot proposal given as {slot, start, end}: sign {slot, window}. A payload that already carries a
    commitment (its party committed itself) passes unchanged."""
    if "window" in payload and "start" not in payload and "end" not in payload:
        return payload, Private()
    start, end = payload.get("start"), payload.get("end")
    if not isinstance(start, str) or not isinstance(end, str):
        raise PrivacyError("slot.invalid", "give the slot's \"start\" and \"end\" as RFC 3339 UTC times")
    check_window(start, end)
    salt, commitment = commit(window_value(start, end))
    signed = {key: value for key, value in payload.items() if key not in ("start", "end")} | {"window": commitment}
    window = {"slot": str(payload.get("slot", "")), "start": start, "end": end, "salt": salt, "commitment": commitment}
    return signed, Private(window=window)


def check_window(start: str, end: str) -> None:
    from .engine.errors import RuleViolation
    from .engine.times import parse_time

    try:
        begins, ends = parse_time(start, "start"), parse_time(end, "end")
    except RuleViolation as error:
        raise PrivacyError(error.code, error.message) from None
    if ends <= begins:
        raise PrivacyError("slot.invalid", f"the slot must end after it starts ({start} – {end})")


def commit_plan(content: dict[str, Any], crew: object = None) -> tuple[dict[str, Any], Private]:
    """A plan (submit or amend) with clear plates, and crew as {leg id: [{"name", "document", "vehicle"?}]}: sign
    the content with commitments. Plates already committed pass unchanged (a party that committed itself)."""
    signed = copy.deepcopy(content)
    private = Private()
    given = signed.get("legs")  # not yet checked by the engine: any JSON at all
    legs = {leg["id"]: leg for leg in (given if isinstance(given, list) else [])
            if isinstance(leg, dict) and isinstance(leg.get("id"), str)}
    for leg_id, leg in legs.items():
        for vehicle in leg.get("vehicles") or []:
            if isinstance(vehicle, dict) and isinstance(vehicle.get("plate"), str) and not is_commitment(
                    vehicle["plate"]):
                _check_plate(vehicle["plate"])
                salt, commitment = commit(plate_value(vehicle["plate"]))
                private.plates.append({"leg": str(leg_id), "vehicle": str(vehicle.get("id", "")),
                                       "plate": vehicle["plate"], "salt": salt, "commitment": commitment})
                vehicle["plate"] = commitment
    if crew is not None:
        _commit_crew(legs, crew, private)
    return signed, private


def _check_plate(plate: str) -> None:
    if not plate.strip():  # nothing a checkpoint could match the vehicle by (and nothing a reveal could open)
        raise PrivacyError("plate.invalid", "a vehicle's plate is its registration number: it cannot be empty")
    if len(plate) > LABEL_MAX_LENGTH:
        raise PrivacyError("plate.invalid", f"a plate has at most {LABEL_MAX_LENGTH} characters")
    _check_no_nul(plate)


def _check_no_nul(*values: str) -> None:
    """A clear value is kept in a private table (PostgreSQL's text holds no NUL) and may be revealed on the log,
    which refuses the NUL character: refused here with the log's code, before anything is kept."""
    if any("\x00" in value for value in values):
        raise PrivacyError("value.nul", "text in a statement may not contain the NUL character (\\u0000)")


def _commit_crew(legs: dict, crew: object, private: Private) -> None:
    if not isinstance(crew, dict):
        raise PrivacyError("crew.invalid", "crew is an object: {leg id: [{\"name\": ..., \"document\": ..., "
                                           "\"vehicle\": optional vehicle id}]}")
    for leg_id, members in crew.items():
        if leg_id not in legs or not isinstance(members, list):
            raise PrivacyError("crew.invalid", f"crew names leg {leg_id!r}, which the plan does not have")
        private.crew[leg_id] = [commit_member(member) for member in members]
        legs[leg_id]["crew"] = [_seat(member, kept["commitment"])
                                for member, kept in zip(members, private.crew[leg_id], strict=True)]


def _seat(member: dict, commitment: str) -> str | dict[str, str]:
    """What the log carries for a member: the bare commitment, or {"commitment", "vehicle"} when the member
    names the vehicle they travel in (the engine checks it is one of the leg's: crew.vehicle_unknown)."""
    vehicle = member.get("vehicle")
    if vehicle is None or vehicle == "":
        return commitment
    if not isinstance(vehicle, str):
        raise PrivacyError("crew.invalid", "a crew member's \"vehicle\" is the id of one of the leg's vehicles")
    return {"commitment": commitment, "vehicle": vehicle}


def commit_member(member: object) -> dict[str, str]:
    """One crew member {"name", "document"} with a fresh salt and the commitment the log carries (the vehicle a
    member may name is public, beside the commitment: not part of it, and not kept here)."""
    if not isinstance(member, dict) or not all(isinstance(member.get(k), str) and member[k]
                                               for k in ("name", "document")):
        raise PrivacyError("crew.invalid", "each crew member has a non-empty \"name\" and \"document\"")
    if len(member["name"]) > CREW_NAME_MAX_LENGTH or len(member["document"]) > CREW_DOCUMENT_MAX_LENGTH:
        raise PrivacyError("crew.invalid", f"a crew member's name has at most {CREW_NAME_MAX_LENGTH} characters, "
                                           f"the document number at most {CREW_DOCUMENT_MAX_LENGTH}")
    _check_no_nul(member["name"], member["document"])
    salt, commitment = commit(crew_value(member["name"], member["document"]))
    return {"name": member["name"], "document": member["document"], "salt": salt, "commitment": commitment}


def reveal_payload(window: dict | None, plates: list[dict]) -> dict[str, Any]:
    """The plan.reveal payload opening a slot's window and plates (from their private records)."""
    payload: dict[str, Any] = {}
    if window is not None:
        payload["window"] = {key: window[key] for key in ("slot", "start", "end", "salt")}
    if plates:
        payload["plates"] = [{key: plate[key] for key in ("leg", "vehicle", "plate", "salt")} for plate in plates]
    return payload
