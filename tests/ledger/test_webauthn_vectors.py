"""The passkey check on the WebAuthn specification's own test vectors (../shared/vectors/webauthn, read
unmodified): every ES256 and Ed25519 authentication verifies against the credential public key of its
registration, with the vector's challenge, origin https://example.org and RP id example.org, and fails with
any one byte of authenticatorData, clientDataJSON or signature changed.

Which vectors, and how far each goes through the log's own rules:
- ES256 (10 pairs: none, packed-self, crossOrigin, topOrigin, long credential id, packed, TPM, Android Key,
  Apple, FIDO U2F) and Ed25519 (packed-eddsa). ES384, ES512, RS256 and Ed448 are not algorithms a passkey
  may use on the log (their key.bind is refused passkey.algorithm, tested below).
- Six of them (none, packed-self, Android Key, Apple, FIDO U2F, Ed25519) have the UV flag off: they verify
  with user verification not required, and the log's rule (UV required) refuses them passkey.flags.
- crossOrigin and topOrigin were made in a frame of another site (crossOrigin true): the log refuses them
  passkey.origin; their signature is still checked to verify, and to fail with any byte changed.
- The signCount of every vector is 0, so the counter rule (stored count 0) accepts them.
"""

import json

import pytest
from webauthn.helpers import parse_attestation_object

from corridor.ledger.envelope import Assertion, EnvelopeError
from corridor.ledger.passkeys import WebAuthnPolicy, check_credential_key, check_signature, verify_assertion
from tests.ledger.vectors import webauthn_vectors

EXAMPLE = WebAuthnPolicy.of([("example.org", "https://example.org")])
ES256_AND_ED25519 = ["none-es256", "packed-self-es256", "none-es256-crossOrigin", "none-es256-topOrigin",
                     "none-es256-long-credential-id", "packed-es256", "tpm-es256", "android-key-es256",
                     "apple-es256", "fido-u2f-es256", "packed-eddsa"]
OTHER_ALGORITHMS = ["packed-es384", "packed-es512", "packed-rs256", "packed-ed448"]
CROSS_ORIGIN = {"none-es256-crossOrigin", "none-es256-topOrigin"}


def vectors() -> dict[str, dict]:
    return {v["id"].removeprefix("sctn-test-vectors-"): v for v in webauthn_vectors()}


def credential_key(vector: dict) -> bytes:
    attestation = parse_attestation_object(vector["registration"]["attestationObject"])
    return attestation.auth_data.attested_credential_data.credential_public_key


def assertion(vector: dict) -> Assertion:
    a = vector["authentication"]
    return Assertion(a["authenticatorData"], a["clientDataJSON"], a["signature"])


def user_verified(vector: dict) -> bool:
    return bool(vector["authentication"]["authenticatorData"][32] & 0x04)


def test_every_vector_named_here_is_in_the_file():
    assert set(ES256_AND_ED25519 + OTHER_ALGORITHMS) == set(vectors())


@pytest.mark.parametrize("name", ES256_AND_ED25519)
def test_authentication_verifies_against_its_registration(name):
    vector = vectors()[name]
    key, signed = credential_key(vector), assertion(vector)
    assert check_credential_key(key) == ("EdDSA" if name.endswith("eddsa") else "ES256")
    check_signature(signed, key)
    challenge = vector["authentication"]["challenge"]
    if name in CROSS_ORIGIN:
        assert json.loads(signed.client_data_json)["crossOrigin"] is True
        with pytest.raises(EnvelopeError, match="passkey.origin"):
            verify_assertion(signed, public_key=key, challenge=challenge, policy=EXAMPLE)
        return
    assert verify_assertion(signed, public_key=key, challenge=challenge, policy=EXAMPLE,
                            require_user_verification=False) == 0
    if user_verified(vector):
        verify_assertion(signed, public_key=key, challenge=challenge, policy=EXAMPLE)
    else:
        with pytest.raises(EnvelopeError, match="passkey.flags"):
            verify_assertion(signed, public_key=key, challenge=challenge, policy=EXAMPLE)


@pytest.mark.parametrize("name", ES256_AND_ED25519)
@pytest.mark.parametrize("part", ["authenticator_data", "client_data_json", "signature"])
def test_any_one_byte_changed_fails(name, part):
    vector = vectors()[name]
    key, signed = credential_key(vector), assertion(vector)
    challenge = vector["authentication"]["challenge"]
    original = getattr(signed, part)
    for position in range(len(original)):
        changed = original[:position] + bytes([original[position] ^ 0x01]) + original[position + 1:]
        tampered = Assertion(**{**signed.__dict__, part: changed})
        with pytest.raises(EnvelopeError):
            check_signature(tampered, key)
        with pytest.raises(EnvelopeError):
            verify_assertion(tampered, public_key=key, challenge=challenge, policy=EXAMPLE,
                             require_user_verification=False)


@pytest.mark.parametrize("name", ES256_AND_ED25519)
def test_another_challenge_origin_or_rp_id_is_refused(name):
    vector = vectors()[name]
    key, signed = credential_key(vector), assertion(vector)
    challenge = vector["authentication"]["challenge"]
    loose = {"public_key": key, "require_user_verification": False}
    if name not in CROSS_ORIGIN:
        with pytest.raises(EnvelopeError, match="passkey.challenge"):
            verify_assertion(signed, challenge=vector["registration"]["challenge"], policy=EXAMPLE, **loose)
    for policy in (WebAuthnPolicy(), WebAuthnPolicy.of([("example.org", "https://example.com")]),
                   WebAuthnPolicy.of([("example.com", "https://example.org")])):
        with pytest.raises(EnvelopeError, match="passkey.origin"):
            verify_assertion(signed, challenge=challenge, policy=policy, **loose)


@pytest.mark.parametrize("name", OTHER_ALGORITHMS)
def test_other_algorithms_cannot_be_bound(name):
    with pytest.raises(EnvelopeError, match="passkey.algorithm"):
        check_credential_key(credential_key(vectors()[name]))
