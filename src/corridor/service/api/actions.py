"""Custodial actions: one endpoint per statement type. The body is the statement's payload (its JSON
Schema, generated from the engine's own types, is in the OpenAPI document); the server signs it with the
acting party's key, numbers and dates it, and calls `record()`."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

from ...engine.errors import RuleViolation
from ...engine.rules.common import require_requester
from ...fold import LogFold
from ..ledger.models import StatementIndex
from ..ledger.record import Recorded, Refused, current_fold, custodial, record_as, record_built
from ..passages.private import reveal_due
from .auth import TokenCheck, acting_party, acting_party_at_commit, awaiting
from .openapi import request_body  # noqa: F401 -- each action's body schema, used where the routes are declared

# (path under /plans/{plan}/, statement type, summary)
PLAN_ACTIONS = [
    ("amend", "plan.amend", "Amend the plan (a new version: consents to the old one lapse)"),
    ("consent", "plan.consent", "Consent to the current version"),
    ("refuse", "plan.refuse", "Refuse, with a coded reason (or refuse single manifest lines)"),
    ("request-info", "plan.request_info", "Ask the requester for information"),
    ("answer", "plan.answer", "Answer a request for information"),
    ("withdraw", "plan.withdraw", "Withdraw an earlier consent, with a reason"),
    ("cancel", "plan.cancel", "Cancel the plan (requester)"),
    ("note", "plan.note", "Record a note (a document identified by its SHA-256)"),
    ("propose-slot", "slot.propose", "Propose a movement slot"),
    ("confirm-slot", "slot.confirm", "Confirm a proposed slot"),
    ("decline-slot", "slot.decline", "Decline a proposed slot"),
    ("arrive", "leg.arrive", "A leg's vehicles arrive at a checkpoint"),
    ("inspect", "leg.inspect", "Inspection: declared vs found, seals, release or hold"),
    ("go", "plan.go", "Go: release the legs (all together for a simultaneous plan)"),
    ("depart", "leg.depart", "A leg departs"),
    ("deliver", "leg.deliver", "Delivery receipt per line (good, damaged, lost)"),
    ("reveal", "plan.reveal", "Reveal the closed plan's window and plates (requester; an empty body reveals "
                              "what the server keeps)"),
]
def read_json(request) -> dict:
    """The body as a JSON object. (A body over the upload limit is answered 413 by `errors.py`.)"""
    try:
        value = json.loads(request.body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise Refused("json.malformed", f"the request body is not JSON: {error}", 400) from None
    except RecursionError:
        raise Refused("json.malformed", "the request body is nested too deeply", 400) from None
    if not isinstance(value, dict):
        raise Refused("json.malformed", "the request body must be a JSON object", 400)
    if (_SURROGATE_ESCAPE.search(request.body) or b"\0" in request.body[:4]) and not is_unicode_text(value):
        raise Refused("json.malformed", "the request body holds a lone surrogate (\\ud800-\\udfff not in a pair): "
                      "not Unicode text", 400)
    return value


# only an escape makes one (bytes that are no text are refused by the decoder), written in ASCII unless `json`
# read the body as UTF-16 or UTF-32, which its first four bytes say (a NUL among them)
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def is_unicode_text(value: object) -> bool:
    """Every string is Unicode text: `json` reads a lone `\\ud800` as a str that can never be encoded (signed).
    Also the checkpoint app's offline statements (web/offline_submit.py)."""
    try:
        json.dumps(value, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return False
    return True


def act_on_plan(request, plan: str, kind: str) -> Recorded:
    """A party acts only on plans it takes part in; to any other the plan answers as if it did not exist.
    Checked against the fold under the writer lock (the same state the rules then judge by)."""
    if kind == "plan.reveal":  # an empty body reads what the server keeps before recording: for the party the
        party, token_check = acting_party(request, "sign"), None  # token holds now, so read now (reveals are rare)
    else:
        party, token_check = acting_party_at_commit(request, "sign")
    with awaiting(token_check):  # a refusal before the token's check is given only if the token still holds
        return _act_on_plan(request, plan, kind, party, token_check)


def _act_on_plan(request, plan: str, kind: str, party: str, token_check: TokenCheck | None) -> Recorded:
    payload = read_json(request)

    def check_involved(fold: LogFold) -> None:
        state = fold.state.plans.get(plan)
        if state is None or (party != state.requester and party not in state.required):
            raise Refused("plan.not_found", f"there is no plan {plan!r} your party takes part in", 404)

    def check(fold: LogFold) -> None:
        if token_check is not None:
            token_check(fold)  # first: a revoked token learns nothing of the plan
        check_involved(fold)

    crew = payload.pop("crew", None) if kind == "plan.amend" else None
    if kind == "plan.reveal" and not payload:
        payload = _kept_reveal(plan, party, check_involved)
    return record_built([custodial(party, kind, payload, plan=plan, check=check, crew=crew)])[0]


def _kept_reveal(plan: str, party: str, check_involved) -> dict:
    """What the server keeps for the plan and the log has not revealed yet."""
    fold = current_fold()
    check_involved(fold)
    state = fold.state.plans[plan]
    try:  # the rule's first refusal, as a reveal with a body gets it, before what is left to reveal
        require_requester(state, SimpleNamespace(party=party, type="plan.reveal"))
    except RuleViolation as error:
        raise Refused(error.code, error.message, 422) from None
    payload = reveal_due(state)
    if not payload:
        raise Refused("reveal.done", f"everything plan {plan} committed that the server keeps is revealed", 409)
    return payload


def submit_plan(request) -> Recorded:
    party, token_check = acting_party_at_commit(request, "sign")
    with awaiting(token_check):  # as in `act_on_plan`
        body = read_json(request)
        plan = body.pop("plan", None)
        if not isinstance(plan, str):
            raise Refused("plan.id_missing", "give the new plan's id in \"plan\"", 422)
        crew = body.pop("crew", None)
        return record_built([custodial(party, "plan.submit", body, plan=plan, check=token_check, crew=crew)])[0]


def report_incident(request) -> Recorded:
    party = acting_party(request, "sign")
    body = read_json(request)
    plan = body.pop("plan", None)
    return record_as(party, "incident.report", body, plan=plan)


def dispute_incident(request, incident: str) -> Recorded:
    party = acting_party(request, "sign")
    return record_as(party, "incident.dispute", {**read_json(request), "incident": incident})


def recorded_response(recorded: Recorded) -> dict:
    statement = recorded.folded.envelope.statement
    signed = {"signed_by": recorded.folded.signed_by, "member": recorded.folded.member}
    if recorded.folded.signer is None:  # not known from the fold: as the statement index recorded it
        signed = StatementIndex.objects.filter(idx=recorded.index).values("signed_by", "member").first() or {}
    return {"index": recorded.index, "type": statement["type"], "party": statement["party"],
            "seq": statement["seq"], "time": statement["time"], "plan": statement.get("plan"),
            "key": statement["key"], "signed_by": signed.get("signed_by", ""), "member": signed.get("member"),
            "entry": recorded.entry.decode(), "proof": f"/log/proof/{recorded.index}"}
