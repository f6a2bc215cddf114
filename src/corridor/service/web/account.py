"""An officer's account page (their passkeys, registered from this browser) and a party admin's members
page: binding a member's passkey to the party, revoking a lost device, and ending custodial signing.
Binding, revoking and ending custody are statements on the log, signed by the admin like any action."""

from __future__ import annotations

import base64
import json
import time
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..config import CONFIG
from ..ledger.record import Refused, current_fold, custodial, record_built
from ..parties.authz import parties_for
from ..parties.models import Membership, Party, PartyKey, Passkey
from ..parties.passkeys import bind_payload, register, registration_options, status_of
from . import refusals, signing
from .bidi import isolate
from .templatetags.corridor import party_name

REGISTRATION_SECONDS = 300
CUSTODY_ENDED = "custody.ended"


@login_required
def account(request):
    fold = current_fold()
    memberships = Membership.objects.filter(user=request.user).select_related("party").order_by("party_id")
    signers = set(parties_for(request.user, "sign"))
    passkeys = [{"passkey": p, "status": status_of(p, fold)}
                for p in Passkey.objects.filter(user=request.user).order_by("party_id", "created")]
    return render(request, "web/account.html", {
        "memberships": memberships, "signers": sorted(signers), "passkeys": passkeys,
        "custodial": {party: _custodial_keys(party, fold) != [] for party in signers},
        "cannot_sign": sorted(party for party in signers if not _custodial_keys(party, fold)
                              and not any(row["status"].state == "bound" and row["passkey"].party_id == party
                                          for row in passkeys)),
        "origin": CONFIG.webauthn_origin,
        "on_origin": request.build_absolute_uri("/").rstrip("/") == CONFIG.webauthn_origin,
    })


@require_POST
@login_required
def passkey_options(request):
    """WebAuthn registration options for one of the user's parties; the challenge waits in the session."""
    party = request.POST.get("party", "")
    if party not in parties_for(request.user, "sign"):
        return signing.refusal(Refused("party.not_member", "you do not sign for this party", 403))
    options, challenge = registration_options(request.user, party)
    request.session["passkey_registration"] = {"party": party, "challenge": base64.b64encode(challenge).decode(),
                                               "at": int(time.time())}
    return JsonResponse(json.loads(options))


@require_POST
@login_required
def passkey_register(request):
    pending = request.session.pop("passkey_registration", None)
    if not pending or time.time() - pending["at"] > REGISTRATION_SECONDS:
        return signing.refusal(Refused("passkey.registration", "registration took too long or was not started: "
                                       "start again", 409))
    try:
        body = json.loads(request.body)
        passkey = register(request.user, pending["party"], body["credential"],
                           base64.b64decode(pending["challenge"]), str(body.get("device", ""))[:100])
    except (ValueError, KeyError, TypeError):
        return signing.refusal(Refused("passkey.registration", "send the credential as WebAuthn's JSON", 400))
    except Refused as error:
        return signing.refusal(error)
    messages.success(request, _("Passkey registered as %(member)s. It signs nothing until an administrator of "
                                "%(party)s binds it on the log.") % {"member": passkey.member,
                                                                     "party": passkey.party_id})
    return JsonResponse({"key": passkey.key_id, "member": passkey.member,
                         "credential": signing.b64url(bytes(passkey.credential_id))})


@login_required
def members(request, party: str):
    """A party admin binds and revokes members' passkeys, and may end custodial signing."""
    if party not in parties_for(request.user, "manage"):
        raise Http404("no such party among those you administer")
    if request.method == "POST":
        return _member_action(request, party)
    fold = current_fold()
    passkeys = [{"passkey": p, "status": status_of(p, fold)}
                for p in Passkey.objects.filter(party_id=party).select_related("user").order_by("member", "created")]
    passkeys += [{"passkey": p, "status": status_of(p, fold)} for p in _bound_elsewhere(party, fold, passkeys)]
    return render(request, "web/members.html", {
        "party": Party.objects.get(pk=party), "passkeys": passkeys, "custodial_keys": _custodial_keys(party, fold),
    })


def _member_action(request, party: str):
    back = reverse("members", args=[party])
    if signing.wants_prepare(request) and (custodial_only := signing.custodial_answer(request, party)):
        return custodial_only
    try:
        ask = _ask(request, party)
        if signing.wants_prepare(request):
            return signing.prepare(request, ask, back)
        if ask.kind == "key.revoke" and ask.payload["reason"] == CUSTODY_ENDED:
            raise Refused("custody.needs_passkey", "end custodial signing with your own passkey (bind one first): "
                          "signed by the server's key, the party could be left with no key at all", 409)
        signing.refuse_server_signing(request, party)
        record_built([custodial(party, ask.kind, ask.payload)])
        messages.success(request, _("Recorded, signed by the server with %(party)s's custodial key.")
                         % {"party": isolate(party_name(party))})
    except Refused as error:
        if signing.wants_prepare(request):
            return signing.refusal(error)
        messages.error(request, refusals.explain(error))
    return HttpResponseRedirect(back)


def _ask(request, party: str) -> signing.Ask:
    action = request.POST.get("action", "")
    if action == "end-custody":
        keys = _custodial_keys(party, current_fold())
        if not keys:
            raise Refused("key.not_custodial", "the server holds no key of this party any more", 409)
        return signing.Ask(party, "key.revoke", {"key": keys[0], "reason": CUSTODY_ENDED})
    key = request.POST.get("key", "")
    if action == "revoke":  # any passkey the log binds to the party, whether or not an account here holds it
        record = current_fold().key_of(key)
        if record is None or record.kind != "passkey" or record.party != party:
            raise Refused("key.unknown", "no such passkey in this party", 404)
        reason = request.POST.get("reason", "").strip() or "device.lost"
        return signing.Ask(party, "key.revoke", {"key": key, "reason": reason[:200]})
    passkey = Passkey.objects.filter(party_id=party, key_id=key).first()
    if passkey is None:
        raise Refused("key.unknown", "no such passkey in this party", 404)
    if action == "bind":
        admin = Membership.objects.filter(user=passkey.user, party_id=party, role="admin").exists()
        return signing.Ask(party, "key.bind", bind_payload(passkey, admin))
    raise Refused("action.unknown", f"there is no action {action!r}", 404)


def _bound_elsewhere(party: str, fold, listed: list[dict]) -> list[SimpleNamespace]:
    """Passkeys the log binds to the party that no account here holds: their account was deleted, or the
    binding was made outside these pages (by the party's key, or by the server's while it was custodial).
    They sign in the party's name all the same, so an admin must see them, and be able to revoke them."""
    known = {row["passkey"].key_id for row in listed}
    return [SimpleNamespace(key_id=r.key, member=r.member, user=None, device="",
                            fingerprint=Passkey(key_id=r.key).fingerprint)
            for r in sorted(fold.keys.keys.values(), key=lambda r: r.valid_after)
            if r.kind == "passkey" and r.party == party and r.key not in known]


def _custodial_keys(party: str, fold) -> list[str]:
    """The party's keys that are valid on the log and whose private half the server holds, newest first."""
    held = PartyKey.objects.filter(party_id=party, sealed_private__isnull=False).values_list("key_id", flat=True)
    valid = [key for key in held if (record := fold.key_of(key)) is not None and record.revoked_at is None]
    return sorted(valid, key=lambda key: -fold.key_of(key).valid_after)
