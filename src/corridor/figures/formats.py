"""Writing a public table as CSV, HXL-tagged CSV (hxlstandard.org) or JSON, byte for byte the same for the
same rows and checkpoint (docs/figures.md, "Files"). Each file names the checkpoint it was computed at.

CSV and HXL: RFC 4180 with CRLF line ends. The first row is `#checkpoint,ORIGIN,SIZE,ROOT` (the log's
name, tree size and base64 root hash, as in the signed checkpoint), then the header row, then (HXL only)
the hashtag row, then the rows. The checkpoint row is written verbatim: it holds the log's own values (a
base64 root may begin with "+"), which must read exactly as in the signed checkpoint, never a party's text.
Every other cell goes through `spreadsheet_cell`: text a spreadsheet would run
as a formula (it begins with = + - @, a tab or a carriage return: OWASP "CSV injection") is written with a
leading apostrophe, so a party's text can never run in another party's spreadsheet. Numbers stay numbers.

JSON: `{"table": NAME, "checkpoint": {"origin", "size", "root"}, "columns": [...], "rows": [` on the first
line, each row an object on a line of its own (keys in column order), then `]}`.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import TextIO

from ..ledger.checkpoint import Checkpoint
from .table import Table

FORMATS = ("csv", "json", "hxl")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[-+]?[0-9]+(\.[0-9]+)?")
MEDIA_TYPES = {"csv": "text/csv", "hxl": "text/csv", "json": "application/json"}
SUFFIXES = {"csv": "csv", "hxl": "hxl.csv", "json": "json"}


def file_name(table: str, fmt: str) -> str:
    return f"{table}.{SUFFIXES[fmt]}"


def root_text(checkpoint: Checkpoint) -> str:
    return base64.b64encode(checkpoint.root).decode()


def render(table: Table, rows: Iterable[dict], fmt: str, checkpoint: Checkpoint) -> bytes:
    """The file's bytes (UTF-8)."""
    out = io.StringIO(newline="")
    write(table, rows, out, fmt, checkpoint)
    return out.getvalue().encode()


def write(table: Table, rows: Iterable[dict], out: TextIO, fmt: str, checkpoint: Checkpoint) -> int:
    """Write the rows; returns how many."""
    if fmt == "json":
        return _write_json(table, rows, out, checkpoint)
    # RFC 4180's CRLF: the csv module quotes a field holding any character of the line terminator, so a
    # carriage return inside a cell can only ever be quoted, never end a row early
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["#checkpoint", checkpoint.origin, checkpoint.size, root_text(checkpoint)])
    writer.writerow(table.fields)
    if fmt == "hxl":
        writer.writerow(table.hxl_tags)
    count = 0
    for row in rows:
        writer.writerow([spreadsheet_cell(row[name]) for name in table.fields])
        count += 1
    return count


def spreadsheet_cell(value: object) -> object:
    """A value as a CSV cell that a spreadsheet shows and never runs."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return ""
    if not isinstance(value, int | float | Decimal):
        value = str(value)
        if value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
            return "'" + value
    return value


def _write_json(table: Table, rows: Iterable[dict], out: TextIO, checkpoint: Checkpoint) -> int:
    head = {"table": table.name, "checkpoint": {"origin": checkpoint.origin, "size": checkpoint.size,
                                                "root": root_text(checkpoint)}, "columns": table.fields}
    out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": [')
    count = 0
    for row in rows:
        out.write(("," if count else "") + "\n" + json_object({name: row[name] for name in table.fields}))
        count += 1
    out.write("\n]}\n")
    return count


def json_object(row: dict) -> str:
    """A row as a JSON object: strings as json.dumps writes them (non-ASCII as is), decimals in plain
    notation (see numbers.py), ", " and ": " between items."""
    return "{" + ", ".join(f"{json.dumps(key)}: {json_value(value)}" for key, value in row.items()) + "}"


def json_value(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value, ensure_ascii=False)
