"""`FigureFold`: the fold of the log (corridor.fold.LogFold) and the little the public tables need beyond
the engine's state — how each incident claim and each inspection was signed (the kind of signature and, for a
passkey, the member). Used incrementally (the service's worker, entry by entry) and all at once (an audit)."""

from __future__ import annotations

from ..engine.state import State
from ..fold import Folded, LogFold
from ..ledger.passkeys import WebAuthnPolicy


class FigureFold:
    def __init__(self, operator: str, registrar_public: bytes, webauthn: WebAuthnPolicy | None = None) -> None:
        self.log = LogFold(operator, registrar_public, webauthn=webauthn)
        # incident id -> (signed_by, member) of its incident.report
        self.incident_signers: dict[str, tuple[str, str | None]] = {}
        # (plan id, leg id, n) -> (signed_by, member) of the leg's n-th leg.inspect (from 1, those signed offline
        # and relayed too): the officer
        self.inspection_signers: dict[tuple[str, str, int], tuple[str, str | None]] = {}

    @property
    def state(self) -> State:
        return self.log.state

    @property
    def size(self) -> int:
        return self.log.size

    def apply(self, entry: bytes, signature_checked: bool = False) -> Folded:
        """Check and apply the next entry (see LogFold.apply_entry: it raises and changes nothing if the
        entry is refused)."""
        folded = self.log.apply_entry(entry, signature_checked)
        if folded.type == "incident.report":
            self.incident_signers[folded.statement.payload.incident] = (folded.signed_by, folded.member)
        elif folded.type == "leg.inspect":
            plan, leg = folded.statement.plan, folded.statement.payload.leg
            n = len(self.state.plans[plan].legs[leg].inspections)
            self.inspection_signers[(plan, leg, n)] = (folded.signed_by, folded.member)
        elif folded.type == "offline.relay" and folded.statement.payload.statement.type == "leg.inspect":
            self._relayed_inspection(folded)
        return folded

    def _relayed_inspection(self, folded: Folded) -> None:
        """An inspection signed offline, if the rules applied it: signed by the officer's passkey."""
        inner = folded.statement.payload.statement
        if self.state.offline[inner.offline.id].code is None:
            n = len(self.state.plans[inner.plan].legs[inner.payload.leg].inspections)
            self.inspection_signers[(inner.plan, inner.payload.leg, n)] = ("passkey", folded.relayed.member)

    def apply_all(self, entries, signature_checked: bool = False) -> FigureFold:
        for entry in entries:
            self.apply(entry, signature_checked)
        return self
