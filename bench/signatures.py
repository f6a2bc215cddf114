"""Benchmark: Ed25519 verifications/s through libsodium (PyNaCl, what `verify_ed25519` uses) and through
`cryptography` (OpenSSL, what it used before), side by side in the same run, on one core; and signed log
entries checked per second (unseal + key id + signature), the work `corridor verify` spreads over the cores.

Rounds alternate between the bindings so that a noisy machine slows both alike; the median round counts.

    .venv/bin/python bench/signatures.py
    .venv/bin/python bench/signatures.py --rounds 9 --per-round 5000
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from corridor.ledger import crypto
from corridor.ledger.crypto import public_bytes, verify_ed25519, verify_ed25519_openssl
from corridor.ledger.envelope import seal, unseal

Verify = Callable[[bytes, bytes, bytes], bool]


def rate(verify: Verify, public: bytes, message: bytes, signature: bytes, n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        verify(public, message, signature)
    return n / (time.perf_counter() - started)


def entry_rate(entries: list[bytes], public: bytes) -> float:
    """Entries unsealed and checked per second (what a replay or an audit does for each entry)."""
    started = time.perf_counter()
    for entry in entries:
        unseal(entry).verify(public)
    return len(entries) / (time.perf_counter() - started)


def sample_entries(key: Ed25519PrivateKey, n: int) -> list[bytes]:
    payload = {"version": "a" * 64, "conditions": ["escort from the gate"]}
    return [seal({"type": "plan.consent", "party": "border", "seq": i + 1, "time": "2024-01-01T00:00:00Z",
                  "plan": f"plan-{i:06d}", "payload": payload}, key) for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--per-round", type=int, default=3000)
    args = parser.parse_args()
    key = Ed25519PrivateKey.generate()
    public, message = public_bytes(key), b"x" * 300  # about one signed statement
    signature = key.sign(message)
    entries = sample_entries(key, args.per_round)
    rates: dict[str, list[float]] = {"libsodium": [], "openssl": [], "entries libsodium": [], "entries openssl": []}
    for _ in range(args.rounds):
        rates["libsodium"].append(rate(verify_ed25519, public, message, signature, args.per_round))
        rates["openssl"].append(rate(verify_ed25519_openssl, public, message, signature, args.per_round))
        rates["entries libsodium"].append(entry_rate(entries, public))
        rates["entries openssl"].append(_with_openssl(lambda: entry_rate(entries, public)))
    median = {name: statistics.median(values) for name, values in rates.items()}
    report(median, rates)


def _with_openssl(run: Callable[[], float]) -> float:
    """Run with the envelope's verification switched to the OpenSSL binding (as before), then back."""
    from corridor.ledger import envelope

    envelope.verify_ed25519 = verify_ed25519_openssl
    try:
        return run()
    finally:
        envelope.verify_ed25519 = crypto.verify_ed25519


def report(median: dict[str, float], rates: dict[str, list[float]]) -> None:
    for name in ("libsodium", "openssl"):
        low, high = min(rates[name]), max(rates[name])
        print(f"Ed25519 verify, {name:<9} (300-byte message): {median[name]:>8,.0f}/s  "
              f"(rounds {low:,.0f}–{high:,.0f})")
    print(f"ratio: libsodium verifies {median['libsodium'] / median['openssl']:.2f}× as fast as OpenSSL")
    for name in ("libsodium", "openssl"):
        entries = median[f"entries {name}"]
        print(f"signed entries checked (unseal + verify), {name:<9}: {entries:>8,.0f}/s  "
              f"= {entries / median[name]:.2f} × its verify/s")


if __name__ == "__main__":
    main()
