"""The one error the engine raises, and the catalogue of its stable codes.

Codes are part of the public contract: the API, the CLI and other parties' software key on them, so a
code is never renamed or reused. Messages are for people and may improve.
"""

from __future__ import annotations

CODES: dict[str, str] = {
    "statement.malformed": "The statement is missing a field or has a field of the wrong type.",
    "statement.unknown_type": "The statement type is not one the engine knows.",
    "value.float": "A number with a fraction or exponent appeared; statements carry integers or strings.",
    "time.invalid": "A time is not an RFC 3339 UTC timestamp such as 2023-09-18T07:00:00Z.",
    "time.backwards": "The statement is dated earlier than the log allows (beyond the permitted skew).",
    "seq.duplicate": "The party already made a statement with this sequence number.",
    "seq.gap": "The party's sequence number skips ahead; an earlier statement is missing.",
    "party.unknown": "No party with this id is registered.",
    "party.observer": "Observers read everything and act on nothing.",
    "party.not_required": "The party is not required on any route of this plan.",
    "party.wrong_capacity": "The party is required here, but not in the capacity this action needs.",
    "party.role": "This kind of party cannot make this statement (operators keep the registry, sources attest).",
    "party.kind_change": "A registered party keeps its kind; register a new party instead.",
    "party.not_requester": "Only the requesting organisation may take this action.",
    "plan.unknown": "No plan with this id exists.",
    "plan.exists": "A plan with this id already exists.",
    "plan.invalid": "The plan content is inconsistent (no legs, duplicate ids, bad tolerance, ...).",
    "plan.expired": "The plan expired before this statement.",
    "plan.closed": "The plan is completed, cancelled, expired or aborted; nothing more can happen to it.",
    "route.unknown": "No route with this id exists.",
    "route.invalid": "The route is inconsistent (no checkpoint, duplicate checkpoint, unknown party).",
    "route.in_use": "The route is used by a passage that is not over; define a new route instead.",
    "attestation.exists": "The source already attested a passage with this id.",
    "attestation.invalid": "An attested passage lists no goods.",
    "leg.unknown": "The plan has no leg with this id.",
    "line.unknown": "The leg has no manifest line with this id.",
    "checkpoint.unknown": "The route has no checkpoint with this id.",
    "quantity.invalid": "Quantities are whole numbers or decimal strings (\"2.5\"), never floats; weights are whole "
                        "kilograms.",
    "version.stale": "The statement refers to an earlier version of the plan; it was amended since.",
    "state.wrong": "The action is not possible in the plan's or leg's current state.",
    "barrier.not_ready": "A simultaneous plan can only go when every leg is cleared at its gate.",
    "consent.already_given": "The party already consents to the current version.",
    "consent.not_given": "The party has no consent to withdraw.",
    "reason.unknown": "The reason code is not in the list of refusal or withdrawal reasons.",
    "request.unknown": "No open request for information with this id.",
    "slot.unknown": "No proposed slot with this id.",
    "slot.invalid": "The slot window is empty or reversed (checked when it is committed, and when revealed).",
    "crew.not_committed": "Crew are salted commitments (64 hex digits) on the log, never names or documents.",
    "crew.vehicle_unknown": "A crew member is seated in a vehicle the leg does not list.",
    "plate.not_committed": "A vehicle's plate is a salted commitment (64 hex digits) on the log, never in clear.",
    "window.not_committed": "A slot's window is a salted commitment (64 hex digits) on the log, never in clear.",
    "reveal.early": "Commitments are revealed only once the plan is closed (completed, cancelled, expired, aborted).",
    "reveal.mismatch": "The revealed value and salt do not open the commitment on the log (or name nothing committed).",
    "reveal.done": "This commitment was already revealed.",
    "reveal.empty": "A reveal names neither a window nor a plate.",
    "slot.already_answered": "The party already answered this slot proposal.",
    "inspection.invalid": "The inspection report is inconsistent (offload without lines, unknown code, ...).",
    "delivery.mismatch": "The receipt does not account for exactly what the vehicle carried.",
    "incident.unknown": "No incident with this id.",
    "incident.exists": "An incident with this id already exists.",
    "incident.category": "The category is not in the OCHA access monitoring taxonomy.",
    "incident.own_claim": "A party cannot dispute its own claim.",
    "place.invalid": "An incident's coordinates: lat and lon together or neither, on the globe.",
    "note.invalid": "A note is identified by the SHA-256 of the document, as 64 lowercase hex digits.",
    "permit.not_cleared": "Permits are issued for a leg cleared for passage (slot confirmed), not yet released.",
    "permit.stale_version": "The permit names a plan version that is not the current one.",
    "permit.exists": "A permit with this id was already issued on this plan.",
    "permit.duplicate": "The vehicle already holds a permit that is not revoked; revoke it before issuing another.",
    "permit.unknown": "The plan has no permit with this id.",
    "permit.revoked": "The permit is already revoked.",
    "vehicle.unknown_on_leg": "The leg names no vehicle with this id.",
    "offline.kind": "Only arrivals (leg.arrive) and inspections (leg.inspect) may be signed offline.",
    "offline.duplicate": "A statement with this offline id is already on the log.",
    "offline.future": "The statement was signed later than the log's clock allows (beyond the permitted skew).",
    "offline.mismatch": "The relay names another plan than the statement it carries.",
}


class RuleViolation(Exception):
    """A statement the rules refuse. `code` is stable; `message` explains it to a person."""

    def __init__(self, code: str, message: str) -> None:
        if code not in CODES:
            raise ValueError(f"unregistered error code {code!r}")
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def refuse(code: str, message: str) -> RuleViolation:
    """Build the exception, so rule code reads `raise refuse(...)`."""
    return RuleViolation(code, message)
