"""`POST /checkpoint-app/submit`: a statement an officer's device signed offline with their passkey, sent when the
network is back (docs/offline.md). The view checks who sends it (signed in, a member signing for the statement's
party, the passkey named bound to them there) and its shape; the operator's service then records it inside an
`offline.relay` of its own, dated when it arrived, through `record()`: the log entry, the read models and the
fold's `State.offline` commit in one transaction, and the key history judges the passkey's assertion as
`corridor verify` will (ledger/relay.py). The rules (engine/rules/offline.py) decide whether it still takes effect;
either way the answer says what became of it:

- 201 recorded, `applied` true, or false with a late.* `code` (kept on the log as evidence, no effect);
- 200 duplicate: the same offline id was recorded before (the same answer again, idempotent);
- 4xx refused, nothing recorded: the device keeps the item and shows the message.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from django.http import JsonResponse
from django.views.decorators.http import require_POST

from ...engine.errors import RuleViolation, refuse
from ...engine.rules.common import find_checkpoint
from ...engine.rules.movement import require_inspector
from ...engine.state import OfflineRecord
from ...engine.statements import OFFLINE_TYPES
from ...fold import LogFold
from ...ledger.envelope import MAX_ENTRY_BYTES, Assertion, canonical_json, unseal
from ..api.actions import is_unicode_text
from ..ledger.keys import OPERATOR
from ..ledger.models import LogEntry, StatementIndex
from ..ledger.record import Refused, current_fold, custodial, record_built
from ..parties.authz import parties_for
from ..parties.models import Passkey
from ..parties.passkeys import status_of
from ..passages.offline import RELAY, outcome, relay_record
from . import refusals
from .signing import refusal

OFFLINE_ID = re.compile(r"[0-9a-f]{32}")
ASSERTION_FIELDS = ("authenticatorData", "clientDataJSON", "signature")


@require_POST
def submit(request) -> JsonResponse:
    """Signed out: 401 auth.required in JSON, not the login page (the app keeps the item and asks to sign in)."""
    try:
        if not request.user.is_authenticated:
            raise Refused("auth.required", "sign in, then send what the device recorded again", 401)
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_ENTRY_BYTES:  # a statement is a few KB: not read
            raise Refused("entry.too_large", f"a statement signed offline fits in one log entry ({MAX_ENTRY_BYTES:,} "
                          "bytes with its signature): this one was not recorded", 413)
        inner, assertion = _read(request.body)
        fold = current_fold()
        _check_signer(request.user, inner, fold)
        _check_role(inner, fold)
        known = fold.state.offline.get(inner["offline"]["id"]) or _relayed_before(inner["offline"]["id"], fold)
        return _record(inner, assertion) if known is None else _duplicate(inner, known)
    except Refused as error:
        return refusal(error)


def _record(inner: dict[str, Any], assertion: Assertion) -> JsonResponse:
    """The operator's relay, recorded (the rules may still give the statement no effect: 201 either way)."""
    mark = inner["offline"]["id"]
    try:
        [recorded] = record_built([custodial(OPERATOR, "offline.relay", {"statement": inner,
                                                                         "assertion": assertion.to_json()},
                                             plan=inner["plan"])])
    except Refused as error:
        if error.code != "offline.duplicate":
            raise
        return _duplicate(inner, current_fold().state.offline[mark])  # the same id, recorded meanwhile
    return _answer("recorded", recorded.index, mark, current_fold().state.offline[mark], 201)


def _read(body: bytes) -> tuple[dict[str, Any], Assertion]:
    """{"statement": {...}, "assertion": {three base64url values}}, the statement marked offline, of a kind that
    may be signed offline, without a sequence number (the rest of its shape is the engine's to judge)."""
    try:
        value = json.loads(body)
        if not is_unicode_text(value):  # a lone surrogate ("\ud800") is no text: it could never be signed
            value = None
    except (ValueError, UnicodeDecodeError, RecursionError):  # nesting too deep: malformed, not a server error
        value = None
    if not isinstance(value, dict) or set(value) != {"statement", "assertion"} \
            or not isinstance(value["statement"], dict) or not isinstance(value["assertion"], dict):
        raise Refused("offline.malformed", "send {\"statement\": {...}, \"assertion\": {\"authenticatorData\", "
                      "\"clientDataJSON\", \"signature\"}} as JSON", 400)
    inner = value["statement"]
    mark = inner.get("offline")
    if not isinstance(mark, dict) or not isinstance(mark.get("id"), str) or not OFFLINE_ID.fullmatch(mark["id"]):
        raise Refused("offline.malformed", "an offline statement carries \"offline\": {\"id\": <32 lowercase hex>}",
                      400)
    if inner.get("type") not in OFFLINE_TYPES:
        raise Refused("offline.kind", f"only {' and '.join(OFFLINE_TYPES)} may be signed offline, not "
                      f"{inner.get('type')!r}")
    if "seq" in inner:
        raise Refused("statement.malformed", "a statement signed offline carries no seq (the log numbers it)")
    for name in ("party", "plan", "key"):
        if not isinstance(inner.get(name), str):
            raise Refused("statement.malformed", f"an offline statement names its {name}")
    return inner, _assertion(value["assertion"])


def _assertion(value: dict) -> Assertion:
    try:
        return Assertion(*(_from_b64url(value[name]) for name in ASSERTION_FIELDS))
    except (KeyError, TypeError, ValueError, binascii.Error):
        raise Refused("offline.malformed", "the assertion is authenticatorData, clientDataJSON and signature, "
                      "each in base64url", 400) from None


def _from_b64url(text: object) -> bytes:
    if not isinstance(text, str) or not re.fullmatch(r"[A-Za-z0-9_-]+", text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _check_signer(user, inner: dict[str, Any], fold: LogFold) -> None:
    """The user signs for the party, and the passkey the statement names is theirs there, bound and not revoked:
    nobody relays what another member's device signed (the key history would accept it: it is theirs to send)."""
    party = inner["party"]
    if party not in parties_for(user, "sign"):
        raise Refused("party.not_member", f"you do not act for {party}", 403)
    passkey = Passkey.objects.filter(user=user, party_id=party, key_id=inner["key"]).first()
    state = status_of(passkey, fold).state if passkey is not None else None
    if state == "revoked":
        raise Refused("key.revoked", f"your passkey {inner['key']} was revoked: it signs nothing any more", 403)
    if state != "bound":
        raise Refused("offline.passkey", f"{inner['key']} is not a passkey of yours bound to {party}", 403)


def _check_role(inner: dict[str, Any], fold: LogFold) -> None:
    """The statement's party takes part in the plan and has the role its kind needs on the leg's route (an
    arrival: any role there; an inspection: it inspects at that checkpoint), at a checkpoint the route has. A
    route's roles do not change while a device is offline, so a statement failing this could never have taken
    effect: refused, nothing recorded (the engine would keep it as late.refused evidence, letting any acting
    party write statements into any plan's public log)."""
    plan = fold.state.plans.get(inner["plan"])
    if plan is None:
        return  # the engine answers plan.unknown
    party, payload = inner["party"], inner.get("payload")
    routes = [fold.state.routes[leg.route] for leg in plan.content.legs if leg.route in fold.state.routes]
    if party != plan.requester and party not in plan.required and not any(r.capacities_of(party) for r in routes):
        raise Refused("party.not_required", f"{party} takes no part in plan {plan.id}", 403)
    leg_id = payload.get("leg") if isinstance(payload, dict) else None
    leg = plan.content.leg(leg_id) if isinstance(leg_id, str) else None
    route = fold.state.routes.get(leg.route) if leg is not None else None
    if route is None:
        return  # the shape and the leg are the engine's to judge (a leg amended away meanwhile: late)
    try:
        checkpoint = payload.get("checkpoint")
        found = find_checkpoint(route, checkpoint)[1] if isinstance(checkpoint, str) else None
        if inner["type"] == "leg.inspect" and found is not None:
            require_inspector(party, found, route)
        elif party != plan.requester and not route.capacities_of(party):
            raise refuse("party.not_required", f"{party} has no role on route {route.id}")
    except RuleViolation as violation:
        raise Refused(violation.code, violation.message,
                      403 if violation.code.startswith("party.") else 422) from None


def _duplicate(inner: dict[str, Any], known: OfflineRecord) -> JsonResponse:
    """The same offline id again: the first answer if it is the same statement; another statement under an id
    already used is refused (a device never reuses an id)."""
    index = _relay_index(known)
    recorded = unseal(bytes(LogEntry.objects.get(idx=index).data)).statement["payload"]["statement"]
    if canonical_json(recorded) != canonical_json(inner):
        raise Refused("offline.conflict", f"offline id {inner['offline']['id']} is already on the log (entry "
                      f"{index}) with another statement", 409)
    return _answer("duplicate", index, inner["offline"]["id"], known, 200)


def _relayed_before(mark: str, fold: LogFold) -> OfflineRecord | None:
    """An offline id the fold has forgotten (72 hours after its relay: engine/rules/offline.py) is still on the
    log: the device sending it again is answered as before, and nothing is relayed twice."""
    row = StatementIndex.objects.filter(type=RELAY, subject=mark).order_by("idx").first()
    return relay_record(row, fold.state) if row is not None else None


def _relay_index(record: OfflineRecord) -> int:
    return StatementIndex.objects.get(party=OPERATOR, seq=record.relay).idx


def _answer(status: str, index: int, mark: str, record: OfflineRecord, http_status: int) -> JsonResponse:
    body = {"status": status, "index": index, **outcome(mark, record)}
    if record.code is not None:
        body["message"] = late_message(record.code)
    return JsonResponse(body, status=http_status)


def late_message(code: str) -> str:
    """The late.* code in the reader's language (refusals.py keeps a sentence for each of the engine's LATE)."""
    return str(refusals.LATE.get(code, refusals.LATE["late.refused"]))
