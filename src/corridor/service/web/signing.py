"""Signing on the officer's device. A form marked `data-sign` is first posted with the header
`X-Corridor-Sign: prepare`: when the user has a passkey bound to the acting party, the exact statement is
built here (its sequence number, time, commitments), kept as a single-use PendingSignature, and sent back
with the words that describe it; the browser shows them, the passkey signs the statement's digest, and
`complete` records that statement with the assertion as its signature. The server never holds the
member's private key, and the key history (the same check `corridor verify` runs) judges the assertion.

Without a bound passkey the answer is `{"custodial": true}` and the form is submitted as before: the
server signs with the party's custodial key, if the party still allows it (otherwise key.not_custodial)."""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ...fold import LogFold
from ...ledger.envelope import (
    MAX_ENTRY_BYTES,
    Assertion,
    EnvelopeError,
    canonical_json,
    seal_passkey,
    statement_digest,
    with_passkey,
)
from ...privacy import Private
from ..ledger.record import Refused, current_fold, draft_statement, record_built
from ..parties.authz import parties_for
from ..parties.models import Passkey
from ..parties.passkeys import signing_passkeys
from ..passages.private import commit_request
from . import refusals
from .describe import Context, describe, plan_legs
from .leg_names import leg_names
from .models import PendingSignature

HEADER = "X-Corridor-Sign"
PENDING_SECONDS = 300
ASSERTION_FIELDS = ("authenticatorData", "clientDataJSON", "signature")
ASSERTION_ROOM = 2048  # an assertion in the entry (base64 of its three parts): some 600 bytes from browsers
MAX_PENDING_PER_USER = 20  # signing requests a user may have open at once (several tabs); older ones are dropped


@dataclass
class Ask:
    """What a form asks `party` to sign."""

    party: str
    kind: str
    payload: dict
    plan: str | None = None
    crew: object = None
    rendered_version: str | None = None  # the plan version the form showed, for actions that depend on it


def wants_prepare(request) -> bool:
    return request.headers.get(HEADER) == "prepare"


def refuse_server_signing(request, party: str) -> None:
    """A user with a passkey bound for `party` signs with it: the pages never have the server sign for them
    (a form posted without the dialog would otherwise be recorded as the server's, with no member named)."""
    if signing_passkeys(request.user, party, current_fold()):
        raise Refused("key.use_passkey", f"you have a passkey bound to {party}: sign with it (the page asks your "
                      "device); the server does not sign for you", 409)


def custodial_answer(request, party: str) -> JsonResponse | None:
    """{"custodial": true} when the user has no passkey bound for `party` (the form is then submitted as it
    always was); asked before anything else, so a custodial form's errors are shown the usual way."""
    if signing_passkeys(request.user, party, current_fold()):
        return None
    return JsonResponse({"custodial": True})


def prepare(request, ask: Ask, back: str) -> JsonResponse:
    """The statement to sign and its description, or `custodial` when the user signs with no passkey here."""
    if ask.party not in parties_for(request.user, "sign"):
        return refusal(Refused("party.not_member", "you do not act for this party", 403))
    fold = current_fold()
    passkey = _device_passkey(request, ask.party, fold)
    if passkey is None:
        return JsonResponse({"custodial": True})
    try:
        _check_rendered(fold, ask.plan, ask.rendered_version)
        payload, private = commit_request(ask.kind, ask.payload, ask.crew)
        statement = with_passkey(draft_statement(fold, ask.party, ask.kind, payload, ask.plan),
                                 bytes(passkey.credential_id))
        if len(canonical_json(statement)) > MAX_ENTRY_BYTES - ASSERTION_ROOM:  # refused now, not once signed
            raise Refused("entry.too_large", f"this statement would not fit in one log entry ({MAX_ENTRY_BYTES:,} "
                          "bytes with its signature): nothing was signed", 413)
    except EnvelopeError as error:
        return refusal(Refused(error.code, error.message))
    except Refused as error:
        return refusal(error)
    PendingSignature.objects.filter(created__lt=timezone.now() - timedelta(seconds=PENDING_SECONDS)).delete()
    pending = PendingSignature.objects.create(
        token=secrets.token_urlsafe(32), user=request.user, statement=canonical_json(statement).decode(),
        private=asdict(private),
        rendered_version=ask.rendered_version, back=back, created=timezone.now())
    older = PendingSignature.objects.filter(user=request.user).order_by("-created", "-token").values_list("token",
                                                                                                      flat=True)
    PendingSignature.objects.filter(token__in=list(older[MAX_PENDING_PER_USER:])).delete()
    return JsonResponse({
        "pending": pending.token, "complete": reverse("sign-complete", args=[pending.token]),
        "challenge": b64url(statement_digest(statement)),
        "credentials": [b64url(bytes(passkey.credential_id))], "rpId": _rp_id(),
        "summary": describe(statement, _context(statement, passkey, fold)),
        "statement": canonical_json(statement).decode(),
        "labels": {"title": _("You are about to sign"), "sign": _("Sign with my passkey"), "cancel": _("Cancel"),
                   "show": _("The exact statement (canonical JSON)"),
                   "signing": _("Waiting for your passkey…"),
                   "mismatch": _("The statement shown is not the one your passkey would sign: nothing was signed. "
                                 "Reload the page and report this to your party's administrator."),
                   "not_allowed": _("Your device did not sign: it holds no passkey of yours for this party, or the "
                                    "request was cancelled or timed out. Nothing was recorded; you may try again.")},
    })


@require_POST
@login_required
def complete(request, token: str) -> JsonResponse:
    """Record the pending statement with the passkey's assertion (single use: a replay finds nothing)."""
    with transaction.atomic():
        pending = PendingSignature.objects.select_for_update().filter(token=token, user=request.user).first()
        if pending is not None:
            pending.delete()
    if pending is None:
        return refusal(Refused("sign.unknown", "this signing request was already used or never existed: act again",
                              404))
    if timezone.now() - pending.created > timedelta(seconds=PENDING_SECONDS):
        return refusal(Refused("sign.expired", "this signing request is more than 5 minutes old: act again", 410))
    try:
        statement = json.loads(pending.statement)
        entry = _entry(statement, _assertion(request.body))

        def build(fold: LogFold) -> bytes:
            _check_rendered(fold, statement.get("plan"), pending.rendered_version)
            return entry

        record_built([build], [Private(**pending.private)])
    except Refused as error:
        return refusal(error)
    messages.success(request, _("Signed with your passkey and recorded: %(summary)s")
                     % {"summary": describe(statement, _places(statement, current_fold()))})
    return JsonResponse({"redirect": pending.back})


PLAN_LEVEL = frozenset({"plan.submit", "plan.consent", "plan.refuse", "plan.withdraw", "slot.confirm", "plan.go"})


def _context(statement: dict, passkey, fold: LogFold) -> Context:
    """What the words name besides the statement: the signer's member id and device, the party's name, the
    goods and routes of the plan acted on, the member whose passkey a revocation ends."""
    legs: tuple[str, ...] = ()
    if statement["type"] in PLAN_LEVEL:
        plan = fold.state.plans.get(statement.get("plan", ""))
        source = statement["payload"].get("legs", []) if statement["type"] == "plan.submit" else \
            (plan.content.legs if plan else ())
        legs = plan_legs(source, fold.state.routes)
    revoked = ""
    if statement["type"] == "key.revoke":
        target = Passkey.objects.filter(key_id=statement["payload"].get("key", "")).first()
        revoked = f"{target.member} (“{target.device}”)" if target and target.device else \
            (target.member if target else "")
    places = _places(statement, fold)
    return Context(member=passkey.member, device=passkey.device, party_name=passkey.party.name, legs=legs,
                   revoked=revoked, leg=places.leg, checkpoint=places.checkpoint)


def _places(statement: dict, fold: LogFold) -> Context:
    """The leg and the checkpoint a statement names, by their names (its ids are the log's, not the reader's)."""
    plan = fold.state.plans.get(statement.get("plan") or "")
    payload = statement.get("payload") or {}
    leg = payload.get("leg")
    name = leg_names(plan.content.legs, fold.state.routes).get(str(leg), "") if plan is not None and leg else ""
    return Context(leg=name, checkpoint=_checkpoint_name(fold, payload.get("checkpoint")))


def _checkpoint_name(fold: LogFold, checkpoint_id) -> str:
    """The checkpoint a statement names, by its name; "" (the id is shown) when no route knows it."""
    return next((c.name for route in fold.state.routes.values() for c in route.checkpoints
                 if checkpoint_id and c.id == checkpoint_id), "")


def _device_passkey(request, party: str, fold: LogFold):
    """The passkey to sign with: the one this browser registered (it sends the credential ids it keeps), else
    the user's most recently registered passkey bound for the party. The statement names its key before it
    is signed, so it is chosen here, not by the browser."""
    usable = sorted(signing_passkeys(request.user, party, fold), key=lambda p: p.created, reverse=True)
    on_device = set(request.headers.get("X-Corridor-Credentials", "").split(","))
    return next((p for p in usable if b64url(bytes(p.credential_id)) in on_device), usable[0] if usable else None)


def _check_rendered(fold: LogFold, plan_id: str | None, version: str | None) -> None:
    if version is None or plan_id is None:
        return
    plan = fold.state.plans.get(plan_id)
    if plan is not None and plan.version != version:
        from .staleness import explain

        raise Refused("version.stale", explain(plan, version), 409)


def _assertion(body: bytes) -> Assertion:
    """The browser's assertion (three base64url values, as WebAuthn's JSON gives them)."""
    try:
        value = json.loads(body)
        return Assertion(*(_from_b64url(value[name]) for name in ASSERTION_FIELDS))
    except (ValueError, TypeError, KeyError, binascii.Error):
        raise Refused("sign.malformed", "send authenticatorData, clientDataJSON and signature in base64url",
                      400) from None


def _entry(statement: dict[str, Any], assertion: Assertion) -> bytes:
    try:
        return seal_passkey(statement, assertion)
    except EnvelopeError as error:
        raise Refused(error.code, error.message) from None


def refusal(error: Refused) -> JsonResponse:
    """The code for software, the message in the reader's language for the page's script to show."""
    return JsonResponse({"code": error.code, "message": refusals.explain(error)}, status=error.status)


def _rp_id() -> str:
    from ..config import CONFIG

    return CONFIG.webauthn_rp_id


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _from_b64url(text: str) -> bytes:
    if not isinstance(text, str):
        raise TypeError("not text")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
