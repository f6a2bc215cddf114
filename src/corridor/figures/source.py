"""A verified log to compute figures from: `load_verified` checks a log exactly as `corridor verify` does
(checkpoint, witnesses, tiles, tree, every entry's signature against the key history), optionally cut at
an earlier size the log signed a checkpoint for; `fold_verified` folds its entries through the engine.

An earlier size is taken only with the log's own signed checkpoint for it (`checkpoint.<size>` beside
`checkpoint`, in a tiles directory or on the server): its root must be the root of the first <size>
entries of the verified tree, so the figures name a checkpoint anyone can hold the log to.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ..engine.errors import RuleViolation
from ..fold import Folded
from ..ledger.audit import SigningSummary
from ..ledger.checkpoint import Checkpoint
from ..ledger.envelope import EnvelopeError
from ..ledger.merkle import leaf_hash, root_of
from ..ledger.trustfile import Trust
from ..ledger.verify import Report, Source, VerificationError, read_signed_checkpoint, verify_trusted
from .fold import FigureFold


class SourceError(Exception):
    """Why figures cannot be computed from a source: a stable `code` and a message for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


@dataclass
class VerifiedLog:
    """Entries [0, size) of a verified log, and the checkpoint signed at that size (`note`, with the
    witnesses' cosignatures when it is the latest)."""

    origin: str
    size: int
    root: bytes
    note: str
    entries: list[bytes]
    witnesses: list[str] = field(default_factory=list)
    latest_size: int = 0
    signing: SigningSummary | None = None  # how the whole verified log (to latest_size) was signed

    @property
    def checkpoint(self) -> Checkpoint:
        return Checkpoint(self.origin, self.size, self.root)


def load_verified(source: str, trust: Trust, at: int | None = None) -> VerifiedLog:
    """Verify the log at `source` (a tiles directory or an http(s) URL of the log) under `trust`; with
    `at`, the log as it was at that earlier published size."""
    try:
        report = verify_trusted(Source(source), trust)
    except VerificationError as error:
        raise SourceError("log.unverified", f"the log does not verify: {error}") from None
    if at is None or at == report.size:
        return VerifiedLog(report.origin, report.size, report.root, report.note, report.entries,
                           report.witnesses, report.size, report.signing)
    return _at_size(source, trust, report, at)


def _at_size(source: str, trust: Trust, report: Report, size: int) -> VerifiedLog:
    if not 0 <= size <= report.size:
        raise SourceError("size.beyond", f"the log's latest checkpoint has {report.size} entries; it has no size "
                                         f"{size} yet")
    path = f"checkpoint.{size}"
    try:
        checkpoint, _, note = read_signed_checkpoint(Source(source), path, trust.log_key)
    except VerificationError as error:
        code = "size.unpublished" if error.message == "missing" else "log.unverified"
        listing = " (a service lists them at /log/checkpoints)" if code == "size.unpublished" else ""
        raise SourceError(code, f"no checkpoint signed by the log at size {size} ({error}){listing}") from None
    entries = report.entries[:size]
    if checkpoint.size != size or checkpoint.origin != report.origin \
            or root_of([leaf_hash(e) for e in entries]) != checkpoint.root:
        raise SourceError("log.unverified", f"{path} is not the log's first {size} entries: the log forked")
    return VerifiedLog(report.origin, size, checkpoint.root, note, entries, [], report.size, report.signing)


def fold_verified(log: VerifiedLog, trust: Trust) -> FigureFold:
    """Every entry of `log` through the engine, in order (signatures were checked by `load_verified`).
    An entry the rules refuse stops the fold: a log holding one cannot be the service's."""
    fold = new_fold(trust)
    for _ in folded_entries(log, fold):
        pass
    return fold


def new_fold(trust: Trust) -> FigureFold:
    operator, public = _registrar(trust)
    return FigureFold(operator, public, webauthn=trust.webauthn)


def folded_entries(log: VerifiedLog, fold: FigureFold) -> Iterator[Folded]:
    """Apply `log`'s entries to `fold` one by one, yielding what each did (its statement, signer, plans)."""
    for index, entry in enumerate(log.entries[fold.size:], start=fold.size):
        try:
            yield fold.apply(entry, signature_checked=True)
        except (RuleViolation, EnvelopeError) as error:
            raise SourceError("entry.refused", f"entry {index}: {error.code}: {error.message}") from None


def _registrar(trust: Trust) -> tuple[str, bytes]:
    try:
        return trust.registrar
    except ValueError as error:
        raise SourceError("trust.registrar", str(error)) from None
