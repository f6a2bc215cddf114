"""`corridor audit SOURCE --trust FILE --briefing FILE`: the log verified as `corridor verify` does, cut at the
briefing's checkpoint, folded, and every figure of the briefing recomputed (briefing/audit.py). Prints each
difference; exits 0 when there is none, 1 otherwise.

Failures print `corridor audit: [CODE] message`: briefing.unreadable (the file cannot be read),
briefing.invalid (not a briefing: no Corridor head, or a PDF without its embedded briefing.json),
briefing.differs (figures or text differ from the log; exit 1), briefing.unverified (the figures are the
log's but the text around them cannot be rendered again identically: another version of Corridor made it;
exit 3, never OK), and the log's own codes (docs/figures.md).
"""

from __future__ import annotations

import argparse
import sys

from ..engine.errors import RuleViolation
from ..figures.fold import FigureFold
from ..figures.history import History
from ..figures.source import SourceError, load_verified
from ..ledger.envelope import EnvelopeError
from ..ledger.trustfile import Trust, read_trust
from .audit import AuditResult, NotABriefing, audit_document


def loader(source: str, trust: Trust):
    """size -> (the history of the verified log's first `size` entries, their root)."""

    def load(size: int) -> tuple[History, bytes]:
        log = load_verified(source, trust, size)
        operator, public = trust.registrar
        history = History(FigureFold(operator, public, webauthn=trust.webauthn))
        for index, entry in enumerate(log.entries):
            try:
                history.apply(entry, signature_checked=True)  # load_verified checked every signature
            except (RuleViolation, EnvelopeError) as error:
                raise SourceError("entry.refused", f"entry {index}: {error.code}: {error.message}") from None
        return history, log.root

    return load


def audit_briefing_command(args: argparse.Namespace) -> int:
    try:
        data = args.briefing.read_bytes()
        trust = read_trust(args.trust)
        result = audit_document(data, loader(args.source, trust), trust)
    except OSError as error:
        return _fail("briefing.unreadable", f"cannot read {args.briefing}: {error.strerror or error}")
    except ValueError as error:
        if isinstance(error, NotABriefing):
            return _fail("briefing.invalid", f"{args.briefing} is not a Corridor briefing: {error}")
        return _fail("trust.invalid", f"cannot read the trust file: {error}")
    except SourceError as error:
        return _fail(error.code, error.message)
    return report(args, result)


UNVERIFIED = 3  # exit status: figures equal, text not verifiable (not OK, not a difference found)


def links_note(source: str, base: str) -> str | None:
    """A warning when the briefing's links point to another server than the log audited (a reader who
    follows them would check another server's entries and proofs); None when the servers agree or the log was
    read from files (nothing to compare: the OK line names the base)."""
    audited = _server(source) if "://" in source else None
    linked = _server(base)
    if audited is None or audited == linked:
        return None
    return (f"warning: the briefing's links point to {linked or base!r}, not to {audited}, the log audited: "
            f"its figures are this log's, but a reader following its links reads another server")


def _server(url: str) -> str | None:
    """The host of an http(s) URL, with its port unless it is the scheme's own: two ports of one host are two
    servers (a service on :8431, a briefing linking to :8000); http and https on one host are one."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: compare the host alone
        port = None
    if parts.hostname is None or port in (None, {"http": 80, "https": 443}.get(parts.scheme)):
        return parts.hostname
    return f"{parts.hostname}:{port}"


def report(args: argparse.Namespace, result: AuditResult) -> int:
    claimed = result.claimed
    what = (f"the briefing of {claimed.period.first} to {claimed.period.last} ({claimed.lang}, {claimed.kind}) at "
            f"{claimed.checkpoint.origin} size {claimed.checkpoint.size}, links to {claimed.base or '(none)'}")
    warning = links_note(str(args.source), claimed.base)
    if warning:
        result.notes.append(warning)
    for note in result.notes:
        print(f"  note: {note}")
    if result.unverified and not result.differences:
        print(f"  {what}: {result.figures_checked} figures recomputed from the log, all equal")
        _fail("briefing.unverified", f"the document's text could not be verified: {result.unverified}")
        return UNVERIFIED
    if result.ok:
        print(f"OK: {what}: {result.figures_checked} figures recomputed from the log, all equal")
        return 0
    for difference in result.differences:
        print(f"  {difference.line()}")
    return _fail("briefing.differs", f"{what}: {len(result.differences)} difference(s) from the log")


def _fail(code: str, message: str) -> int:
    print(f"corridor audit: [{code}] {message}", file=sys.stderr)
    return 1
