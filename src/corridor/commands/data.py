"""`corridor import bsgi|unrwa FILE` and `corridor export TABLE [--at SIZE] --format csv|json|hxl [-o FILE]`.

An export is the public table as published at a checkpoint (the latest, or SIZE): the very bytes the API's
download serves and `corridor audit --at SIZE` recomputes from the log."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from ..figures.tables import TABLES
from .service import django_setup


def add(commands: argparse._SubParsersAction) -> None:
    importer = commands.add_parser("import", help="record a data source's records as attested passages")
    importer.add_argument("source", choices=["bsgi", "unrwa"])
    importer.add_argument("file", type=Path)
    importer.set_defaults(handler=import_command)
    export = commands.add_parser("export", help="write a table as CSV, JSON or HXL (public view)")
    export.add_argument("table", choices=list(TABLES))
    export.add_argument("--at", type=int, metavar="SIZE", help="the log size of a published checkpoint (default: the "
                        "latest published figures)")
    export.add_argument("--format", choices=["csv", "json", "hxl"], default="csv")
    export.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    export.set_defaults(handler=export_command)


def import_command(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        print(f"corridor import: no file {args.file}", file=sys.stderr)
        return 2
    django_setup()
    from corridor.service.imports.bsgi import import_bsgi
    from corridor.service.imports.filetype import FileTypeError
    from corridor.service.imports.unrwa import import_unrwa

    started = time.monotonic()
    try:
        report = (import_bsgi if args.source == "bsgi" else import_unrwa)(args.file)
    except FileTypeError as error:  # the wrong kind of file, or one that cannot be read: nothing was recorded
        print(f"corridor import: [{error.code}] {error.message}", file=sys.stderr)
        return 1
    print("\n".join(report.lines()))
    print(f"took {time.monotonic() - started:.1f}s")
    return 0


def export_command(args: argparse.Namespace) -> int:
    django_setup()
    from corridor.figures import formats
    from corridor.service.exports import published
    from corridor.service.ledger.record import Refused

    try:
        data, checkpoint = published.read(args.at, formats.file_name(args.table, args.format))
    except Refused as error:
        print(f"corridor export: [{error.code}] {error.message}", file=sys.stderr)
        return 1
    if not args.output:
        return _to_stdout(data)
    args.output.write_bytes(data)
    rows = len(json.loads(published.read(checkpoint.size, formats.file_name(args.table, "json"))[0])["rows"])
    print(f"wrote {rows:,} {args.table} rows (log size {checkpoint.size}) to {args.output}", file=sys.stderr)
    return 0


def _to_stdout(data: bytes) -> int:
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader (e.g. `head`) stopped early: not an error
        sys.stderr.close()
    return 0
