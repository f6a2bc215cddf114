"""tlog-proof evidence: encoding, parsing, and what it refuses."""

import pytest

from corridor.ledger.checkpoint import Checkpoint
from corridor.ledger.evidence import Evidence, EvidenceError, parse_evidence, verify_evidence
from corridor.ledger.merkle import MemoryTree, inclusion_proof, leaf_hash
from corridor.ledger.note import Cosigner, Signer, sign_note

ORIGIN = "corridor.example/evidence"


@pytest.fixture
def logged():
    signer, tree = Signer.generate(ORIGIN), MemoryTree()
    entries = [f"entry {i}".encode() for i in range(9)]
    for entry in entries:
        tree.append_hash(leaf_hash(entry))
    note = sign_note(Checkpoint(ORIGIN, 9, tree.root()).body(), [signer])
    return signer, tree, entries, note


def test_round_trip_with_extra_and_verification(logged):
    signer, tree, entries, note = logged
    evidence = Evidence(4, inclusion_proof(4, 9, tree.range_hash), note, extra=b"application data")
    parsed = parse_evidence(evidence.encode())
    assert parsed == evidence
    checkpoint, _ = verify_evidence(parsed, entries[4], signer.verifier)
    assert checkpoint.size == 9


def test_wrong_entry_key_or_quorum_is_refused(logged):
    signer, tree, entries, note = logged
    evidence = Evidence(4, inclusion_proof(4, 9, tree.range_hash), note)
    with pytest.raises(EvidenceError, match="entry 4"):
        verify_evidence(evidence, entries[5], signer.verifier)
    with pytest.raises(EvidenceError, match="checkpoint"):
        verify_evidence(evidence, entries[4], Signer.generate(ORIGIN).verifier)
    witness = Cosigner.generate("witness.example/w")
    with pytest.raises(EvidenceError, match="policy needs 1"):
        verify_evidence(evidence, entries[4], signer.verifier, [witness.verifier], quorum=1)
    cosigned = Evidence(4, evidence.proof, note + witness.cosign(note[: note.index("\n\n") + 1], 1700000000))
    verify_evidence(cosigned, entries[4], signer.verifier, [witness.verifier], quorum=1)


@pytest.mark.parametrize("text", [
    "c2sp.org/tlog-proof@v2\nindex 1\n\nx",
    "c2sp.org/tlog-proof@v1\n\nx",
    "c2sp.org/tlog-proof@v1\nindex one\n\nx",
    "c2sp.org/tlog-proof@v1\nindex 1\n!!!\n\nx",
    "c2sp.org/tlog-proof@v1\nindex 1",
])
def test_malformed_evidence_is_refused(text):
    with pytest.raises(EvidenceError):
        parse_evidence(text)
