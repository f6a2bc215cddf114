"""Passkey (WebAuthn) signatures on the log: how fast the key history checks them, beside the raw
primitives they rest on (Ed25519 and ECDSA P-256 verifications per second, same run).

    .venv/bin/python bench/passkeys.py              # 5,000 passkey-signed statements of each algorithm
    .venv/bin/python bench/passkeys.py --count 20000
"""

from __future__ import annotations

import argparse
import base64
import sys
import time
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

sys.path.insert(0, str(Path(__file__).parents[1]))  # the tests' software authenticator makes the assertions
from tests.ledger.authenticator import ORIGIN, RP_ID, Authenticator

from corridor.ledger.audit import audit_entries
from corridor.ledger.envelope import seal
from corridor.ledger.passkeys import WebAuthnPolicy


def per_second(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def ed25519_verifications_per_second(n: int = 5000) -> float:
    key = Ed25519PrivateKey.generate()
    public, message = key.public_key(), b"x" * 300
    signature = key.sign(message)
    started = time.perf_counter()
    for _ in range(n):
        public.verify(signature, message)
    return per_second(n, time.perf_counter() - started)


def p256_verifications_per_second(n: int = 5000) -> float:
    key = ec.generate_private_key(ec.SECP256R1())
    public, message = key.public_key(), b"x" * 300
    signature = key.sign(message, ec.ECDSA(hashes.SHA256()))
    started = time.perf_counter()
    for _ in range(n):
        public.verify(signature, message, ec.ECDSA(hashes.SHA256()))
    return per_second(n, time.perf_counter() - started)


def passkey_log(algorithm: str, count: int) -> tuple[list[bytes], tuple[str, bytes]]:
    """A registrar, a party key, a bound member passkey and `count` statements the passkey signed."""
    registrar, party = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    device = Authenticator(algorithm)
    public = lambda key: base64.b64encode(key.public_key().public_bytes_raw()).decode()  # noqa: E731
    entries = [seal({"type": "key.register", "party": "operator", "seq": 1, "time": "2026-01-01T00:00:00Z",
                     "payload": {"party": "border", "public": public(party)}}, registrar),
               seal({"type": "key.bind", "party": "border", "seq": 1, "time": "2026-01-01T00:00:01Z",
                     "payload": device.bind_payload("border/m1")}, party)]
    for seq in range(2, count + 2):
        entries.append(device.seal({"type": "incident.dispute", "party": "border", "seq": seq,
                                    "time": "2026-01-01T00:00:02Z", "payload": {"incident": "i", "text": "no"}}))
    return entries, ("operator", registrar.public_key().public_bytes_raw())


def audited_per_second(entries: list[bytes], registrar: tuple[str, bytes], workers: int) -> float:
    policy = WebAuthnPolicy.of([(RP_ID, ORIGIN)])
    started = time.perf_counter()
    audit_entries(entries, [registrar], workers=workers, webauthn=policy)
    return per_second(len(entries), time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    args = parser.parse_args()
    ed25519, p256 = ed25519_verifications_per_second(), p256_verifications_per_second()
    print(f"primitives: Ed25519 verify {ed25519:,.0f}/s, ECDSA P-256 verify {p256:,.0f}/s (one core)")
    for algorithm, primitive in (("Ed25519", ed25519), ("ES256", p256)):
        entries, registrar = passkey_log(algorithm, args.count)
        one = audited_per_second(entries, registrar, workers=1)
        print(f"passkey ({algorithm}) entries checked by the key history, one core: {one:,.0f}/s "
              f"({one / primitive:.2f} × the primitive's verify/s)")


if __name__ == "__main__":
    main()
