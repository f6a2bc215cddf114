"""`corridor import bsgi|unrwa FILE` and `corridor export TABLE --format csv|json|hxl [-o FILE]`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .service import django_setup

TABLE_NAMES = ("plans", "legs", "lines", "incidents", "waiting", "stats")


def add(commands: argparse._SubParsersAction) -> None:
    importer = commands.add_parser("import", help="record a data source's records as attested passages")
    importer.add_argument("source", choices=["bsgi", "unrwa"])
    importer.add_argument("file", type=Path)
    importer.set_defaults(handler=import_command)
    export = commands.add_parser("export", help="write a table as CSV, JSON or HXL (public view)")
    export.add_argument("table", choices=TABLE_NAMES)
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
    from corridor.service.api.reads import export_rows
    from corridor.service.exports import formats, tables

    out = args.output.open("w", newline="", encoding="utf-8") if args.output else sys.stdout
    try:
        count = formats.write(tables.TABLES[args.table], export_rows(args.table), out, args.format)
    except BrokenPipeError:  # the reader (e.g. `head`) stopped early: not an error
        sys.stderr.close()
        return 0
    finally:
        if args.output:
            out.close()
    if args.output:
        print(f"wrote {count:,} {args.table} rows to {args.output}", file=sys.stderr)
    return 0
