"""`corridor log check [--repair]`, `corridor log entries SOURCE [--trust FILE] [--from N] [--to M] [--json]` and
`corridor log mirror SOURCE DIR [--trust FILE]`.

`check`: every tile of the service's log against its database, offline. Reports each tile that is missing or
differs from what the database says it must hold; `--repair` rewrites them from the database (and removes
files that are no tile of the log). Exits non-zero if any tile is bad and was not repaired.

`entries`: the log's entries, verified as `corridor verify` does and folded through the engine, for anyone's
own analysis: index, type, the signer's party, how it was signed (registrar, custodial, party, passkey), the
passkey member, and the decoded statement; one line each, or one JSON object a line with --json. Without
--trust, the trust file is read from the source itself (SOURCE/trust.txt): that proves the log consistent
with the keys it names, not that it is the log you meant.

`mirror`: copy the log's public files into DIR, incrementally and verified as they are copied (see
`ledger/mirror.py`), for any static web server or CDN to serve. Run it from cron or a timer; a refusal
(exit 1, `[code] message`) leaves DIR serving the last good copy."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add(commands: argparse._SubParsersAction) -> None:
    log = commands.add_parser("log", help="the service's public log files")
    actions = log.add_subparsers(required=True, metavar="ACTION")
    check = actions.add_parser("check", help="check every tile against the database (exit 1 if any is bad)")
    check.add_argument("--repair", action="store_true", help="rewrite bad or missing tiles from the database")
    check.set_defaults(handler=check_command)
    entries = actions.add_parser("entries", help="the log's verified entries: index, statement, signer")
    entries.add_argument("source", help="the log: a tiles directory or its http(s) URL (e.g. https://HOST/log)")
    entries.add_argument("--trust", help="trust file (default: SOURCE/trust.txt, the log's own word)")
    entries.add_argument("--from", dest="first", type=int, default=0, metavar="N", help="first index shown")
    entries.add_argument("--to", dest="last", type=int, metavar="M", help="last index shown (included)")
    entries.add_argument("--json", action="store_true", help="one JSON object a line")
    entries.set_defaults(handler=entries_command)
    mirror = actions.add_parser("mirror", help="copy the public log into DIR, verified, for a static server or CDN")
    mirror.add_argument("source", help="the log: its http(s) URL (e.g. https://HOST/log) or a directory")
    mirror.add_argument("directory", type=Path, help="the mirror (created on first run, updated after)")
    mirror.add_argument("--trust", help="trust file to verify against (default: DIR's own copy, else SOURCE's)")
    mirror.set_defaults(handler=mirror_command)


def check_command(args: argparse.Namespace) -> int:
    from .service import django_setup

    django_setup()
    from ..ledger.store import LogCorrupt
    from ..ledger.tilecheck import BAD, GOOD
    from ..service.ledger.integrator import open_store

    try:  # opened without repairing at start: the check reports (and with --repair rewrites) each bad tile
        store = open_store(repair_tiles=False)
        results = store.check_tiles(repair=args.repair)
        audited = store.audit()  # the tree and every signed checkpoint, recomputed from the database
    except LogCorrupt as error:
        print(f"corridor log check: [log.corrupt] {error}", file=sys.stderr)
        return 1
    for path, status in results:
        if status != GOOD:
            print(f"{status:8} {path}", file=sys.stderr if status == BAD else sys.stdout)
    bad = sum(status == BAD for _, status in results)
    repaired = sum(status != GOOD for _, status in results) - bad
    print(f"{len(results):,} tiles checked: {bad} bad" + (f", {repaired} repaired" if args.repair else "")
          + f"; tree of {audited:,} entries and every signed checkpoint recompute from the database")
    return 1 if bad else 0


def entries_command(args: argparse.Namespace) -> int:
    from ..figures.source import SourceError, folded_entries, load_verified, new_fold

    try:
        trust = _trust(args.source, args.trust)
        log = load_verified(args.source, trust)
        last = log.size - 1 if args.last is None else min(args.last, log.size - 1)
        for folded in folded_entries(_cut(log, last + 1), new_fold(trust)):
            if folded.index >= args.first:
                print(json.dumps(entry_json(folded), ensure_ascii=False) if args.json else entry_line(folded))
    except SourceError as error:
        print(f"corridor log entries: [{error.code}] {error.message}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader (e.g. `head`) stopped early: not an error
        sys.stderr.close()
    return 0


def mirror_command(args: argparse.Namespace) -> int:
    from ..ledger.mirror import MirrorError, mirror
    from ..ledger.verify import Source

    try:
        result = mirror(Source(args.source), args.directory, Path(args.trust).read_text() if args.trust else None)
    except OSError as error:
        print(f"corridor log mirror: [mirror.io] {error}", file=sys.stderr)
        return 1
    except MirrorError as error:
        print(f"corridor log mirror: [{error.code}] {error.message} (the mirror is unchanged)", file=sys.stderr)
        return 1
    if result.trust_from_source:
        print(f"(trust read from {args.source}/trust.txt itself and kept in {args.directory}: pass --trust to check"
              " it against keys you hold)", file=sys.stderr)
    grew = (f"{result.old_size:,} -> {result.new_size:,} entries" if result.new_size != result.old_size
            else f"up to date at {result.new_size:,} entries")
    print(f"mirrored {args.source} into {args.directory}: {grew}; {result.files:,} files "
          f"({result.bytes / 1e6:.1f} MB) copied in {result.seconds:.1f} s")
    return 0


def _trust(source: str, path: str | None):
    from ..figures.source import SourceError
    from ..ledger.trustfile import parse_trust
    from ..ledger.verify import Source, VerificationError

    try:
        text = Path(path).read_text() if path else (Source(source).read("trust.txt") or b"").decode()
        if not path:
            print(f"(trust read from {source}/trust.txt itself: pass --trust to check it against keys you hold)",
                  file=sys.stderr)
        return parse_trust(text)
    except (OSError, ValueError, VerificationError) as error:
        raise SourceError("trust.invalid", f"cannot read the trust file: {error}") from None


def _cut(log, size: int):
    from dataclasses import replace

    return replace(log, entries=log.entries[:max(size, 0)])


def entry_json(folded) -> dict:
    return {"index": folded.index, "type": folded.type, "party": folded.envelope.party,
            "signed_by": folded.signed_by, "member": folded.member, "statement": folded.envelope.statement}


def entry_line(folded) -> str:
    statement = folded.envelope.statement
    about = f" plan={statement['plan']}" if statement.get("plan") else ""
    member = f" ({folded.member})" if folded.member else ""
    return (f"{folded.index:>8}  {statement.get('time', '')}  {folded.type:<18} {folded.envelope.party:<12}"
            f" signed: {folded.signed_by}{member}{about}  {json.dumps(statement.get('payload'), ensure_ascii=False)}")
