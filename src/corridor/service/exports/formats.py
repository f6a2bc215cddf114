"""Writing a table as CSV, JSON or HXL-tagged CSV (a header row, then the hashtag row: hxlstandard.org)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import TextIO

from .tables import Table

FORMATS = ("csv", "json", "hxl")


def write(table: Table, rows: Iterable[dict], out: TextIO, fmt: str) -> int:
    if fmt == "json":
        return _write_json(table, rows, out)
    writer = csv.DictWriter(out, fieldnames=table.fields, lineterminator="\n")
    writer.writeheader()
    if fmt == "hxl":
        writer.writerow(dict(zip(table.fields, table.hxl_tags, strict=True)))
    count = 0
    for row in rows:
        writer.writerow({key: _cell(value) for key, value in row.items()})
        count += 1
    return count


def _cell(value: object) -> object:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else value


def _write_json(table: Table, rows: Iterable[dict], out: TextIO) -> int:
    out.write("[")
    count = 0
    for row in rows:
        out.write(("," if count else "") + "\n" + json.dumps(row, ensure_ascii=False))
        count += 1
    out.write("\n]\n")
    return count
