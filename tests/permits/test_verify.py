"""Offline verification: each way a permit can fail is told apart by its own stable code."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from corridor.permits import cose, document, qr
from corridor.permits.errors import CODES, PermitRejected
from corridor.permits.sign import permit_text
from corridor.permits.verify import parse_revocation_list, verify_permit

from .factory import ROOT, road_a_permit, signed


def rejected(code: str, *args, **kwargs) -> None:
    with pytest.raises(PermitRejected) as caught:
        verify_permit(*args, **kwargs)
    assert caught.value.code == code
    assert code in CODES


def test_a_valid_permit_says_everything_the_officer_compares_with_the_truck():
    permit = road_a_permit()
    data, keys = signed(permit)
    verified = verify_permit(permit_text(data), keys, now=permit.start + 60, checkpoint="lachin")
    got = verified.permit
    assert (got.plan, got.leg, got.vehicle, got.plate, got.route) == ("p1", "leg-a", "v1", "AB-1", "road-a")
    assert got.checkpoints == ("lachin", "post") and got.version == permit.version
    assert [(line.item, line.quantity, line.unit) for line in got.lines] == [("Wheat flour", 1000, "kg"),
                                                                              ("Hygiene kits", 50, "kit")]
    assert (got.consents, got.log_size, got.log_root) == ((3, 4, 5, 6), 42, ROOT)
    assert verified.digest == document.digest(data) and verified.key.party == "op"
    assert verify_permit(data, keys, now=permit.start).permit == permit  # the signed bytes themselves too


def test_forged_unknown_key_revoked_wrong_checkpoint_early_and_expired_are_each_told_apart():
    permit = road_a_permit()
    data, keys = signed(permit)
    now = permit.start + 60
    forged = cose.sign1(document.encode(document.Permit(**{**_fields(permit), "plate": "ZZ-9"})),
                        Ed25519PrivateKey.generate(), cose.decode_sign1(data).kid)  # same kid, other key
    rejected("permit.forged", permit_text(forged), keys, now=now)
    _, other_keys = signed(permit)
    rejected("permit.key_unknown", permit_text(data), other_keys, now=now)
    rejected("permit.revoked", permit_text(data), keys, now=now, revoked={document.digest(data)})
    rejected("permit.wrong_checkpoint", permit_text(data), keys, now=now, checkpoint="gate-b")
    rejected("permit.not_yet_valid", permit_text(data), keys, now=permit.start - permit.tolerance - 1)
    rejected("permit.expired", permit_text(data), keys, now=permit.end + permit.tolerance + 1)
    verify_permit(permit_text(data), keys, now=permit.end + permit.tolerance)  # the plan's tolerance holds
    rejected("permit.unreadable", "HC1:NCFOXN", keys, now=now)
    rejected("permit.unreadable", qr.to_text(b"\x01\x02"), keys, now=now)


def test_a_changed_byte_in_the_payload_is_forged_not_unreadable():
    permit = road_a_permit()
    data, keys = signed(permit)
    tampered = data.replace(b"AB-1", b"AB-7")
    assert tampered != data
    rejected("permit.forged", tampered, keys, now=permit.start)


def test_a_revocation_list_holds_digests_only():
    digest = "ab" * 32
    assert parse_revocation_list(f"# revoked on the log\n{digest}  # leg-a.v1.1\n\n") == {digest}
    with pytest.raises(ValueError):
        parse_revocation_list("leg-a.v1.1\n")


def test_the_log_carries_a_digest_that_a_plate_list_cannot_open():
    """Two permits alike in every clear field differ in digest: the nonce keeps a digest from being matched
    against a list of plates and windows."""
    one, two = road_a_permit(), road_a_permit()
    assert (one.plate, one.start) == (two.plate, two.start) and one.nonce != two.nonce
    assert document.digest(document.encode(one)) != document.digest(document.encode(two))


def _fields(permit: document.Permit) -> dict:
    return {name: getattr(permit, name) for name in permit.__struct_fields__}
