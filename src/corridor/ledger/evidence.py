"""C2SP tlog-proof: an offline-verifiable proof that an entry is in a (cosigned) checkpoint.

    c2sp.org/tlog-proof@v1
    index <n>
    <inclusion proof hashes, base64, one per line>
    <blank line>
    <signed checkpoint, with any cosignatures>
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from .checkpoint import Checkpoint, CheckpointError, parse_checkpoint
from .merkle import ProofError, leaf_hash, verify_inclusion
from .note import NoteError, OpenedNote, Verifier, open_note

HEADER = "c2sp.org/tlog-proof@v1"


class EvidenceError(ValueError):
    """A proof blob that is malformed or does not prove what it claims."""


@dataclass(frozen=True)
class Evidence:
    index: int
    proof: list[bytes]
    checkpoint_note: str
    extra: bytes | None = None

    def encode(self) -> str:
        lines = [HEADER]
        if self.extra is not None:
            lines.append("extra " + base64.b64encode(self.extra).decode())
        lines.append(f"index {self.index}")
        lines += [base64.b64encode(h).decode() for h in self.proof]
        return "\n".join(lines) + "\n\n" + self.checkpoint_note


def parse_evidence(text: str) -> Evidence:
    head, separator, note = text.partition("\n\n")
    lines = head.split("\n")
    if not separator or lines[0] != HEADER:
        raise EvidenceError(f"not a tlog-proof: the first line must be {HEADER}")
    extra = None
    rest = lines[1:]
    if rest and rest[0].startswith("extra "):
        extra, rest = _b64(rest[0][6:]), rest[1:]
    if not rest or not rest[0].startswith("index ") or not rest[0][6:].isdigit():
        raise EvidenceError("missing 'index <n>' line")
    return Evidence(int(rest[0][6:]), [_b64(line) for line in rest[1:]], note, extra)


def verify_evidence(
    evidence: Evidence, entry: bytes, log_key: Verifier, witness_keys: list[Verifier] = (), quorum: int = 0,
) -> tuple[Checkpoint, OpenedNote]:
    """Check the checkpoint's signatures (log key, witness quorum) and the entry's inclusion in it."""
    try:
        opened = open_note(evidence.checkpoint_note, [log_key, *witness_keys])
        checkpoint = parse_checkpoint(opened.text)
    except (NoteError, CheckpointError) as error:
        raise EvidenceError(f"checkpoint: {error}") from None
    names = {s.name for s in opened.verified}
    if log_key.name not in names:
        raise EvidenceError("checkpoint: not signed by the log key")
    if len(names - {log_key.name}) < quorum:
        raise EvidenceError(f"checkpoint: {len(names) - 1} trusted cosignatures, the policy needs {quorum}")
    try:
        verify_inclusion(evidence.index, checkpoint.size, leaf_hash(entry), evidence.proof, checkpoint.root)
    except ProofError as error:
        raise EvidenceError(f"entry {evidence.index}: {error}") from None
    return checkpoint, opened


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise EvidenceError(f"not base64: {text!r}") from None
