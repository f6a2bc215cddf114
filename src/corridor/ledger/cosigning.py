"""The log side of c2sp.org/tlog-witness: send each new checkpoint to the configured witnesses and
publish it cosigned once a quorum of them has cosigned."""

from __future__ import annotations

import base64
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from .merkle import consistency_proof
from .note import NoteError, Verifier, open_note

ProofSource = Callable[[int, int], list[bytes]]


@dataclass
class WitnessEndpoint:
    url: str
    key: Verifier
    known_size: int = 0


@dataclass
class Cosigning:
    witnesses: list[WitnessEndpoint]
    quorum: int
    timeout: float = 5.0
    failures: dict[str, str] = field(default_factory=dict)

    def cosign(self, note: str, size: int, proof_for: ProofSource) -> tuple[str, list[str]]:
        """Ask every witness in parallel; return the note with the cosignatures gathered, and who signed.
        Raises QuorumNotMet when fewer than `quorum` witnesses cosigned."""
        self.failures = {}
        with ThreadPoolExecutor(max_workers=max(len(self.witnesses), 1)) as pool:
            lines = list(pool.map(lambda w: self._ask(w, note, size, proof_for), self.witnesses))
        signed = [w.key.name for w, line in zip(self.witnesses, lines, strict=True) if line]
        if len(signed) < self.quorum:
            raise QuorumNotMet(f"{len(signed)} of {len(self.witnesses)} witnesses cosigned; quorum is {self.quorum}",
                               self.failures)
        return note + "".join(line for line in lines if line), signed

    def _ask(self, witness: WitnessEndpoint, note: str, size: int, proof_for: ProofSource) -> str:
        for attempt in range(2):  # a 409 tells us the witness's size: one retry with the right proof
            sent = witness.known_size
            status, body = self._post(witness, note, size, proof_for)
            if status == 409 and body.strip().isdigit() and int(body.strip()) != sent and attempt == 0:
                witness.known_size = int(body.strip())
                continue
            if status == 200:
                return self._valid_cosignature(witness, note, body)
            reason = " (it holds a different checkpoint of that size: a fork?)" if status == 409 else ""
            self.failures[witness.key.name] = f"HTTP {status}: {body.strip()[:200]}{reason}"
            return ""
        return ""

    def _post(self, witness: WitnessEndpoint, note: str, size: int, proof_for: ProofSource) -> tuple[int, str]:
        old = witness.known_size if witness.known_size <= size else 0
        proof = proof_for(old, size) if 0 < old < size else []
        body = f"old {old}\n" + "".join(base64.b64encode(h).decode() + "\n" for h in proof) + "\n" + note
        request = urllib.request.Request(witness.url.rstrip("/") + "/add-checkpoint", data=body.encode(), method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")
        except (urllib.error.URLError, OSError) as error:
            return 0, f"unreachable: {error}"

    def _valid_cosignature(self, witness: WitnessEndpoint, note: str, body: str) -> str:
        try:
            opened = open_note(note + body, [witness.key])
        except NoteError as error:
            self.failures[witness.key.name] = f"bad cosignature: {error}"
            return ""
        witness.known_size = int(opened.text.split("\n")[1])
        return "".join(s.line() for s in opened.verified)


class QuorumNotMet(RuntimeError):
    def __init__(self, message: str, failures: dict[str, str]) -> None:
        super().__init__(message)
        self.failures = failures


def proofs_from(range_hash) -> ProofSource:
    return lambda old, new: consistency_proof(old, new, range_hash)
