"""Ed25519 verification against the 151 Wycheproof cases (malleability, non-canonical encodings), through
our verify function (libsodium), libsodium through PyNaCl's own API, and the OpenSSL binding it replaced;
and the edge cases outside the vectors where libsodium and OpenSSL differ."""

import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from corridor.ledger.crypto import SodiumSigningKey, public_bytes, verify_ed25519, verify_ed25519_openssl

from .vectors import vectors_dir

L = 2**252 + 27742317777372353535851937790883648493  # the group order
P = 2**255 - 19
IDENTITY = (1).to_bytes(32, "little")  # the neutral point (y = 1): of small order
MESSAGE = b"corridor/statement/v1\n{}"


def wycheproof_cases():
    data = json.loads(vectors_dir("wycheproof", "ed25519_test.json").read_text())
    for group in data["testGroups"]:
        for case in group["tests"]:
            yield pytest.param(group["publicKey"]["pk"], case, id=f"tc{case['tcId']}")


def test_all_151_cases_are_checked():
    assert len(list(wycheproof_cases())) == 151


def verify_pynacl(public: bytes, message: bytes, signature: bytes) -> bool:
    """libsodium through PyNaCl's own public API, independent of our wrapper (and of its length checks)."""
    try:
        VerifyKey(public).verify(message, signature)
    except (BadSignatureError, ValueError, TypeError):  # ValueError/TypeError: a key or signature of bad length
        return False
    return True


VERIFIERS = [verify_ed25519, verify_pynacl, verify_ed25519_openssl]


@pytest.mark.parametrize("verify", VERIFIERS, ids=["ours", "pynacl", "openssl"])
@pytest.mark.parametrize(("public", "case"), list(wycheproof_cases()))
def test_wycheproof_ed25519(verify, public, case):
    """Our function, and each binding by itself, answer what the vector expects on all 151 cases."""
    valid = verify(bytes.fromhex(public), bytes.fromhex(case["msg"]), bytes.fromhex(case["sig"]))
    assert valid is (case["result"] == "valid"), case["comment"]


def _small_order_r_signature(seed: bytes, message: bytes) -> tuple[bytes, bytes]:
    """A signature by a real key whose R is the neutral point: S = k·a, so [S]B = R + [k]A holds. Only
    the key's holder can make it, and no RFC 8032 signer ever does."""
    digest = bytearray(hashlib.sha512(seed).digest()[:32])
    digest[0] &= 248
    digest[31] = (digest[31] & 127) | 64
    public = public_bytes(Ed25519PrivateKey.from_private_bytes(seed))
    k = int.from_bytes(hashlib.sha512(IDENTITY + public + message).digest(), "little") % L
    return public, IDENTITY + (k * int.from_bytes(digest, "little") % L).to_bytes(32, "little")


EDGE_CASES = {
    # a small-order key: R = neutral point, S = 0 satisfies the equation for every message
    "small-order key": (IDENTITY, IDENTITY + bytes(32)),
    # the same point written non-canonically (y = p + 1)
    "non-canonical key": ((P + 1).to_bytes(32, "little"), IDENTITY + bytes(32)),
    "small-order R": _small_order_r_signature(bytes(range(32)), MESSAGE),
}


@pytest.mark.parametrize("name", list(EDGE_CASES))
def test_libsodium_refuses_what_openssl_accepts_outside_the_vectors(name):
    """The documented choice (crypto.py, docs/log.md): these verify under OpenSSL and are refused by us."""
    public, signature = EDGE_CASES[name]
    assert verify_ed25519_openssl(public, MESSAGE, signature)
    assert not verify_ed25519(public, MESSAGE, signature)
    assert not verify_pynacl(public, MESSAGE, signature)


@pytest.mark.parametrize("verify", VERIFIERS, ids=["ours", "pynacl", "openssl"])
def test_ordinary_signatures_and_wrong_lengths(verify):
    key = Ed25519PrivateKey.generate()
    public, signature = public_bytes(key), key.sign(MESSAGE)
    assert verify(public, MESSAGE, signature)
    assert not verify(public, MESSAGE + b" ", signature)
    assert not verify(public[:31], MESSAGE, signature)
    assert not verify(public, MESSAGE, signature + b"\0")
    assert not verify(public, MESSAGE, signature[:63])


@pytest.mark.parametrize("length", [0, 1, 64, 397, 4096])
def test_the_libsodium_signer_signs_the_same_bytes_as_openssl(length):
    """Ed25519 signing is deterministic: the custodial keys' libsodium signer must make exactly the signature
    `cryptography` makes, which both bindings verify."""
    for n in range(20):
        private = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(f"{length}/{n}".encode()).digest())
        message = hashlib.shake_256(f"{n}".encode()).digest(length)
        signature = SodiumSigningKey(private).sign(message)
        assert signature == private.sign(message)
        assert verify_ed25519(public_bytes(private), message, signature)
        assert not verify_ed25519(public_bytes(private), message + b"!", signature)
