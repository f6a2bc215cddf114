"""`corridor briefing --from DATE --to DATE [--lang en|ru|fr|ar] --format html|pdf -o FILE`: a period's briefing
from the service's log at its latest published checkpoint (run on the service's data directory, like `corridor
export`), every figure linked to its entries and their inclusion proofs at `--base-url` (default: the
service's CORRIDOR_PUBLIC_URL). `corridor audit LOG --trust FILE --briefing FILE` checks it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .service import django_setup

LANGS = ("en", "ru", "fr", "ar")


def add(commands: argparse._SubParsersAction) -> None:
    briefing = commands.add_parser("briefing", help="write a period's briefing (HTML or PDF) from the service's log")
    briefing.add_argument("--from", dest="first", required=True, metavar="DATE", help="first day (UTC), 2023-09-11")
    briefing.add_argument("--to", dest="last", required=True, metavar="DATE", help="last day (UTC, included)")
    briefing.add_argument("--lang", choices=LANGS, default="en")
    briefing.add_argument("--format", choices=["html", "pdf", "json"], default="html")
    briefing.add_argument("--base-url", help="where the log is served, for the links (default: CORRIDOR_PUBLIC_URL)")
    briefing.add_argument("-o", "--output", type=Path, required=True, help="file to write")
    briefing.set_defaults(handler=briefing_command)


def briefing_command(args: argparse.Namespace) -> int:
    from ..figures.briefing import Period, PeriodError

    try:
        period = Period.parse(args.first, args.last)
    except PeriodError as error:
        print(f"corridor briefing: [{error.code}] {error}", file=sys.stderr)
        return 2
    django_setup()
    from ..briefing.render import document
    from ..service.config import CONFIG
    from ..service.web.briefings import briefing_of

    briefing = briefing_of(period, wait=True)  # a log's whole history is read once, here: minutes at 1M entries
    if briefing is None:
        print("corridor briefing: [log.empty] the log has no published checkpoint yet: start the service "
              "(`corridor serve` runs the worker that publishes one) or run `corridor worker --once`", file=sys.stderr)
        return 1
    base = (args.base_url or CONFIG.public_url).rstrip("/")
    try:
        args.output.write_bytes(document(briefing, args.lang, base, args.format))
    except OSError as error:
        print(f"corridor briefing: [briefing.unwritable] cannot write {args.output}: {error.strerror or error}",
              file=sys.stderr)
        return 1
    print(f"wrote the briefing of {period.first} to {period.last} ({args.lang}, {args.format}) at checkpoint "
          f"{briefing.checkpoint.size} to {args.output}", file=sys.stderr)
    return 0
