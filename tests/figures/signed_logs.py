"""A scenario as a signed log the figures can fold, without a service: the operator registers the parties
and routes, then every party's key, then every statement sealed by its party; a checkpoint note signed by
the log's key (and cosigned by a witness) at any size."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from corridor.figures.briefing import Checkpoint
from corridor.figures.fold import FigureFold
from corridor.figures.history import History
from corridor.ledger.checkpoint import Checkpoint as LedgerCheckpoint
from corridor.ledger.merkle import leaf_hash, root_of
from corridor.ledger.note import Cosigner, sign_note
from corridor.ledger.trustfile import Trust
from corridor.scenario.loader import load_scenario
from corridor.scenario.publish import OPERATOR, SealedRun, seal_run
from corridor.scenario.runner import run_scenario

TWO_ROADS = Path(__file__).parents[2] / "scenarios" / "two-roads.yaml"


@dataclass
class SignedLog:
    sealed: SealedRun
    witness: Cosigner

    @property
    def entries(self) -> list[bytes]:
        return self.sealed.entries

    @cached_property
    def trust(self) -> Trust:
        return Trust(log_key=self.sealed.signer.verifier, witness_keys=[self.witness.verifier],
                     registrars=[(OPERATOR, self.sealed.registrar_public)])

    def history(self, size: int | None = None) -> History:
        history = History(FigureFold(OPERATOR, self.sealed.registrar_public))
        for entry in self.entries[:size]:
            history.apply(entry)
        return history

    def root(self, size: int | None = None) -> bytes:
        return root_of([leaf_hash(entry) for entry in self.entries[:size]])

    def note(self, size: int | None = None, cosigned: bool = True) -> str:
        size = len(self.entries) if size is None else size
        note = sign_note(LedgerCheckpoint(self.sealed.origin, size, self.root(size)).body(), [self.sealed.signer])
        return note + (self.witness.cosign(note.split("\n\n")[0] + "\n", 1695081600) if cosigned else "")

    def checkpoint(self, size: int | None = None) -> Checkpoint:
        return Checkpoint.of_note(self.note(size))

    def load(self, size: int) -> tuple[History, bytes]:
        """What `corridor audit` loads: the history of the first `size` entries and their root."""
        return self.history(size), self.root(size)


def signed_log(path: Path = TWO_ROADS) -> SignedLog:
    sealed = seal_run(run_scenario(load_scenario(path)))
    return SignedLog(sealed, Cosigner.generate("witness.example/w1"))
