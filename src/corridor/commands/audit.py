"""`corridor audit SOURCE --trust FILE --out DIR [--at SIZE] [--compare URL]`: every public figure, recomputed
from the public log alone.

Verifies the log exactly as `corridor verify` does, folds every entry through the engine, and writes every
public table (docs/figures.md) as CSV, HXL and JSON and the public page's figures (summary.json) into DIR,
with the checkpoint they were computed at (DIR/checkpoint). `--at SIZE` computes at an earlier size the log
signed a checkpoint for (GET /log/checkpoints lists them). `--compare URL` downloads the service's exports at
the same size (URL: the service, e.g. https://corridor.example) and exits 1 naming every differing row.
No database, no Django: only the log's public files.

Failures print `corridor audit: [CODE] message` and exit 1 (codes: docs/figures.md, "corridor audit").
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..figures import formats
from ..figures.compare import Difference, Unreachable, compare, fetch
from ..figures.source import SourceError, fold_verified, load_verified
from ..figures.summary import SUMMARY, summary_file
from ..figures.tables import TABLES, public_tables
from ..ledger.trustfile import read_trust


class AuditError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


def add(commands: argparse._SubParsersAction) -> None:
    audit = commands.add_parser("audit", help="recompute every public table from the log alone (and compare)")
    audit.add_argument("source", help="the log: a tiles directory or its http(s) URL (e.g. https://HOST/log)")
    audit.add_argument("--trust", required=True, help="trust file (see `corridor trust`, GET /log/trust.txt)")
    audit.add_argument("--out", type=Path, help="directory to write the tables into")
    audit.add_argument("--at", type=int, metavar="SIZE", help="compute at this earlier size the log signed")
    audit.add_argument("--compare", metavar="URL", help="the service's address: compare its exports at that size")
    audit.add_argument("--briefing", metavar="FILE", type=Path,
                       help="instead: recompute every figure of a briefing (HTML or PDF) at its checkpoint")
    audit.set_defaults(handler=audit_command)


def audit_command(args: argparse.Namespace) -> int:
    if args.briefing:
        from ..briefing.command import audit_briefing_command

        return audit_briefing_command(args)
    if args.out is None:
        print("corridor audit: give --out DIR for the tables (or --briefing FILE)", file=sys.stderr)
        return 2
    try:
        checkpoint, files = recompute(args.source, args.trust, args.out, args.at)
        print(f"OK: {checkpoint.origin} at size {checkpoint.size}, root {formats.root_text(checkpoint)}: "
              f"{len(TABLES)} tables and {SUMMARY} written to {args.out}")
        if args.compare:
            return report(compare_with(args.compare, checkpoint.size, files))
    except (AuditError, SourceError) as error:
        print(f"corridor audit: [{error.code}] {error.message}", file=sys.stderr)
        return 1
    return 0


def recompute(source: str, trust_file: str, out: Path, at: int | None):
    """Verify, fold and write every table in every format; returns the checkpoint and {file name: bytes}."""
    try:
        trust = read_trust(trust_file)
    except (OSError, ValueError) as error:
        raise AuditError("trust.invalid", f"cannot read the trust file: {error}") from None
    log = load_verified(source, trust, at)
    fold = fold_verified(log, trust)
    tables = public_tables(fold)
    files = {(name, fmt): formats.render(TABLES[name], rows, fmt, log.checkpoint)
             for name, rows in tables.items() for fmt in formats.FORMATS}
    files["summary", "json"] = summary_file(tables, fold.state, log.checkpoint)
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / "checkpoint").write_text(log.note)
        for (name, fmt), data in files.items():
            (out / _file_name(name, fmt)).write_bytes(data)
    except OSError as error:
        raise AuditError("out.unwritable", f"cannot write into {out}: {error}") from None
    return log.checkpoint, files


def compare_with(url: str, size: int, files: dict[tuple[str, str], bytes]) -> list[Difference]:
    differences = []
    for (name, fmt), ours in files.items():
        address = f"{url.rstrip('/')}/api/v1/export/{name}.{fmt}?size={size}"
        try:
            theirs = fetch(address)
        except Unreachable as error:
            raise AuditError("compare.unreachable", f"cannot download the service's export: {error}") from None
        if name in TABLES:
            differences += compare(TABLES[name], formats.file_name(name, fmt), fmt, ours, theirs)
        elif ours != theirs:  # the page's figures: which line differs (`diff` the two files for more)
            at = _first_byte(ours, theirs)
            differences.append(Difference(SUMMARY, "(file)", None, "", f"differs from byte {at}"))
    return differences


def _file_name(name: str, fmt: str) -> str:
    return SUMMARY if name == "summary" else formats.file_name(name, fmt)


def _first_byte(ours: bytes, theirs: bytes) -> int:
    return next((i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b), min(len(ours), len(theirs)))


def report(differences: list[Difference]) -> int:
    if not differences:
        print(f"the service's exports are identical, byte for byte ({len(TABLES) * len(formats.FORMATS) + 1} files)")
        return 0
    for difference in differences:
        print(f"  {difference}")
    print(f"corridor audit: [compare.differs] {len(differences)} differences from the service's exports",
          file=sys.stderr)
    return 1
