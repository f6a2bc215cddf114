"""Ed25519 verification against the 151 Wycheproof cases (malleability, non-canonical encodings)."""

import json

import pytest

from corridor.ledger.crypto import verify_ed25519

from .vectors import vectors_dir


def wycheproof_cases():
    data = json.loads(vectors_dir("wycheproof", "ed25519_test.json").read_text())
    for group in data["testGroups"]:
        for case in group["tests"]:
            yield pytest.param(group["publicKey"]["pk"], case, id=f"tc{case['tcId']}")


@pytest.mark.parametrize(("public", "case"), list(wycheproof_cases()))
def test_wycheproof_ed25519(public, case):
    valid = verify_ed25519(bytes.fromhex(public), bytes.fromhex(case["msg"]), bytes.fromhex(case["sig"]))
    assert valid is (case["result"] == "valid"), case["comment"]
