"""Members' passkeys on the service side: registration (WebAuthn, attestation `none`), the pseudonymous member
id each officer signs under, and whether a passkey may sign now — which only the log's key history says
(a `key.bind` by the party, no `key.revoke` since). Parsing and checking the browser's answers is the
`webauthn` package's work; nothing here reads COSE or CBOR."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass

from webauthn import generate_registration_options, options_to_json, verify_registration_response
from webauthn.helpers.cose import COSEAlgorithmIdentifier
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from ...fold import LogFold
from ...ledger.envelope import EnvelopeError, passkey_key_id
from ...ledger.passkeys import check_credential_key
from ..config import CONFIG
from ..ledger.record import Builder, Refused, current_fold, custodial, record_built
from .models import Membership, Party, Passkey

ALGORITHMS = [COSEAlgorithmIdentifier.ECDSA_SHA_256, COSEAlgorithmIdentifier.EDDSA]  # what the log's verifiers check
DEVICE_NAME = re.compile(r"^[\w .,'()/-]{0,100}$")


@dataclass(frozen=True)
class Status:
    state: str  # "awaiting" (not bound yet), "bound", "revoked"
    index: int | None = None  # the log index that bound or revoked it
    admin: bool = False  # bound as an admin's passkey (it may bind and revoke others)


def status_of(passkey: Passkey, fold: LogFold) -> Status:
    record = fold.key_of(passkey.key_id)
    if record is None:
        return Status("awaiting")
    if record.revoked_at is not None:
        return Status("revoked", record.revoked_at, record.admin)
    return Status("bound", record.valid_after, record.admin)


def signing_passkeys(user, party: str, fold: LogFold) -> list[Passkey]:
    """The user's passkeys that may sign for `party` now (bound on the log, not revoked)."""
    return [p for p in Passkey.objects.filter(user=user, party_id=party) if status_of(p, fold).state == "bound"]


def member_id(user, party: str) -> str:
    """The officer's stable pseudonymous id in `party` (`border/m3`): the one their earlier passkeys carry,
    else the next number. Names and accounts never reach the log."""
    earlier = Passkey.objects.filter(user=user, party_id=party).values_list("member", flat=True).first()
    if earlier:
        return earlier
    taken = set(Passkey.objects.filter(party_id=party).values_list("member", flat=True))
    # and every member id the log ever bound: an account deleted with its passkeys leaves its id on the log,
    # where a new officer under the same id would be taken for the one who left
    taken |= {record.member for record in current_fold().keys.keys.values() if record.party == party and record.member}
    number = 1
    while f"{party}/m{number}" in taken:
        number += 1
    return f"{party}/m{number}"


def registration_options(user, party: str) -> tuple[str, bytes]:
    """The options the browser's navigator.credentials.create() takes (WebAuthn's JSON form) and their
    challenge, which the caller keeps in the session until the answer comes back."""
    fold = current_fold()
    # a revoked passkey is never valid again, so its device may register a new one (a device that turned up)
    existing = [p for p in Passkey.objects.filter(user=user) if status_of(p, fold).state != "revoked"]
    options = generate_registration_options(
        rp_id=CONFIG.webauthn_rp_id, rp_name="Corridor", user_name=member_id(user, party),
        user_id=hashlib.sha256(f"{user.pk}:{party}".encode()).digest()[:16],
        user_display_name=f"{member_id(user, party)} ({Party.objects.get(pk=party).name})",
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UserVerificationRequirement.REQUIRED),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=bytes(p.credential_id)) for p in existing],
        supported_pub_key_algs=ALGORITHMS,
    )
    return options_to_json(options), options.challenge


def register(user, party: str, credential: dict, challenge: bytes, device: str) -> Passkey:
    """Check the browser's answer to the registration options and keep the passkey's public half."""
    if not DEVICE_NAME.match(device):
        raise Refused("passkey.device", "name the device with letters, digits and spaces (at most 100)")
    try:
        verified = verify_registration_response(
            credential=json.dumps(credential), expected_challenge=challenge, expected_rp_id=CONFIG.webauthn_rp_id,
            expected_origin=CONFIG.webauthn_origin, require_user_verification=True,
            supported_pub_key_algs=ALGORITHMS)
    except (WebAuthnException, ValueError, TypeError, KeyError) as error:
        raise Refused("passkey.registration", f"the passkey could not be registered: {error}") from None
    try:
        check_credential_key(verified.credential_public_key)  # what key.bind will require, said now
    except EnvelopeError as error:
        raise Refused(error.code, error.message) from None
    key_id = passkey_key_id(verified.credential_id)
    if Passkey.objects.filter(key_id=key_id).exists():  # the log would refuse binding it twice (key.duplicate)
        raise Refused("key.duplicate", "this passkey is already registered")
    return Passkey.objects.create(key_id=key_id, user=user, party_id=party, member=member_id(user, party),
                                  credential_id=verified.credential_id,
                                  public_key=verified.credential_public_key, device=device)


def bind(passkey: Passkey) -> Builder:
    """The party's `key.bind` statement for a member's passkey (signed by the acting admin: their own passkey,
    or the party's custodial key through `custodial`)."""
    admin = Membership.objects.filter(user=passkey.user, party=passkey.party, role="admin").exists()
    return custodial(passkey.party_id, "key.bind", bind_payload(passkey, admin))


def bind_payload(passkey: Passkey, admin: bool) -> dict:
    return {"member": passkey.member, "credential": _b64(bytes(passkey.credential_id)),
            "public": _b64(bytes(passkey.public_key)), "admin": admin}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def revoke_on_membership_change(membership: Membership, reason: str) -> None:
    """When someone leaves a party (or loses its admin role), the passkeys they hold for it are revoked on the
    log by the operator, the registrar: accounts are not on the log, so without this a removed officer's
    device would go on signing in the party's name.

    Django runs this inside the transaction that saves or deletes the membership: whoever changes one takes
    the fold first (`recording_transaction`; the admin's views do, admin_site.py), else this is refused
    (`FoldOrderError`) rather than wait for the fold while holding the database (ledger/fold_access.py)."""
    fold = current_fold()
    bound = [p for p in Passkey.objects.filter(user_id=membership.user_id, party_id=membership.party_id)
             if status_of(p, fold).state == "bound"]
    if bound:
        from ..ledger.keys import OPERATOR

        record_built([custodial(OPERATOR, "key.revoke", {"key": p.key_id, "reason": reason}) for p in bound])


def _membership_removed(sender, instance: Membership, **kwargs) -> None:
    revoke_on_membership_change(instance, "member.removed")


def _membership_saved(sender, instance: Membership, **kwargs) -> None:
    """A demoted admin's passkeys were bound as an admin's: they are revoked, and the officer binds anew."""
    if instance.pk is None:
        return
    before = Membership.objects.filter(pk=instance.pk).values_list("role", flat=True).first()
    if before == "admin" and instance.role != "admin":
        revoke_on_membership_change(instance, "member.role_changed")


def connect_signals() -> None:
    from django.db.models.signals import pre_delete, pre_save

    pre_delete.connect(_membership_removed, sender=Membership, dispatch_uid="passkeys-membership-removed")
    pre_save.connect(_membership_saved, sender=Membership, dispatch_uid="passkeys-membership-saved")
