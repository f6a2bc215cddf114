"""Writing a table as CSV, JSON or HXL-tagged CSV (a header row, then the hashtag row: hxlstandard.org).

Every CSV and HXL cell goes through `spreadsheet_cell`: text that a spreadsheet would run as a formula
(it begins with = + - @, a tab or a carriage return: OWASP "CSV injection") is written with a leading
apostrophe, so a party's text can never run in another party's spreadsheet. Numbers stay numbers (a
negative number is a number). JSON is written exactly as the rows are.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from typing import TextIO

from .tables import Table

FORMATS = ("csv", "json", "hxl")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[-+]?[0-9]+(\.[0-9]+)?")


def write(table: Table, rows: Iterable[dict], out: TextIO, fmt: str) -> int:
    if fmt == "json":
        return _write_json(table, rows, out)
    # RFC 4180's CRLF: the csv module quotes a field holding any character of the line terminator, so a
    # carriage return inside a cell can only ever be quoted, never end a row early
    writer = csv.DictWriter(out, fieldnames=table.fields, lineterminator="\r\n")
    writer.writeheader()
    if fmt == "hxl":
        writer.writerow(dict(zip(table.fields, table.hxl_tags, strict=True)))
    count = 0
    for row in rows:
        writer.writerow({key: spreadsheet_cell(value) for key, value in row.items()})
        count += 1
    return count


def spreadsheet_cell(value: object) -> object:
    """A value as a CSV cell that a spreadsheet shows and never runs."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return ""
    if not isinstance(value, int | float):
        value = str(value)
        if value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
            return "'" + value
    return value


def _write_json(table: Table, rows: Iterable[dict], out: TextIO) -> int:
    out.write("[")
    count = 0
    for row in rows:
        out.write(("," if count else "") + "\n" + json.dumps(row, ensure_ascii=False))
        count += 1
    out.write("\n]\n")
    return count
