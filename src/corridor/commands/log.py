"""`corridor log check [--repair]`: every tile of the service's log against its database, offline.

Reports each tile that is missing or differs from what the database says it must hold; `--repair`
rewrites them from the database (and removes files that are no tile of the log). Exits non-zero if any
tile is bad and was not repaired."""

from __future__ import annotations

import argparse
import sys


def add(commands: argparse._SubParsersAction) -> None:
    log = commands.add_parser("log", help="the service's public log files")
    actions = log.add_subparsers(required=True, metavar="ACTION")
    check = actions.add_parser("check", help="check every tile against the database (exit 1 if any is bad)")
    check.add_argument("--repair", action="store_true", help="rewrite bad or missing tiles from the database")
    check.set_defaults(handler=check_command)


def check_command(args: argparse.Namespace) -> int:
    from .service import django_setup

    django_setup()
    from ..ledger.tilecheck import BAD, GOOD
    from ..service.ledger.integrator import open_store

    results = open_store().check_tiles(repair=args.repair)
    for path, status in results:
        if status != GOOD:
            print(f"{status:8} {path}", file=sys.stderr if status == BAD else sys.stdout)
    bad = sum(status == BAD for _, status in results)
    repaired = sum(status != GOOD for _, status in results) - bad
    print(f"{len(results):,} tiles checked: {bad} bad" + (f", {repaired} repaired" if args.repair else ""))
    return 1 if bad else 0
