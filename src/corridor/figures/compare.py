"""Comparing a table file we computed with the one a server publishes, row by row: which rows (by the table's
key columns) differ, in which column, ours against theirs. Equal bytes are equal tables; otherwise both files
are read back (CSV, HXL or JSON) and every difference is named, down to the order of the rows.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from decimal import Decimal

from .formats import json_value
from .table import Table


@dataclass(frozen=True)
class Difference:
    file: str  # e.g. "plans.csv"
    row: str  # "plan=p1", or "checkpoint", "(rows)", "(file)"
    column: str | None
    ours: str
    theirs: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.row}" + (f": {self.column}" if self.column else "")
        return f"{where}: ours {self.ours!r}, theirs {self.theirs!r}"


class Unreadable(ValueError):
    pass


def compare(table: Table, file: str, fmt: str, ours: bytes, theirs: bytes) -> list[Difference]:
    if ours == theirs:
        return []
    mine = read_table(table, fmt, ours)
    try:
        other = read_table(table, fmt, theirs)
    except Unreadable as error:
        return [Difference(file, "(file)", None, "a table", f"not one: {error}")]
    found = _checkpoint_differences(file, mine[0], other[0]) + _row_differences(table, file, mine[1], other[1])
    line = _first_line(ours, theirs)
    return found or [Difference(file, "(file)", None, "", f"the same rows, written otherwise from line {line}")]


def read_table(table: Table, fmt: str, data: bytes) -> tuple[dict[str, str], list[dict[str, str]]]:
    """(checkpoint, rows) of a table file, every value as the text it is written as."""
    try:
        text = data.decode("utf-8")
        return _read_json(text) if fmt == "json" else _read_csv(table, fmt, text)
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, IndexError) as error:
        raise Unreadable(str(error)) from None


def _read_csv(table: Table, fmt: str, text: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    first, header = rows[0], rows[1]
    if first[0] != "#checkpoint" or len(first) != 4:
        raise ValueError("the first row is not #checkpoint,ORIGIN,SIZE,ROOT")
    body = rows[3:] if fmt == "hxl" else rows[2:]
    checkpoint = dict(zip(("origin", "size", "root"), first[1:], strict=True))
    return checkpoint, [dict(zip(header, row, strict=False)) for row in body]


def _read_json(text: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    document = json.loads(text, parse_float=Decimal)
    checkpoint = {key: str(value) for key, value in document["checkpoint"].items()}
    return checkpoint, [{key: _text(value) for key, value in row.items()} for row in document["rows"]]


def _text(value: object) -> str:
    """A JSON value as the text it stands for: a string as itself, anything else as JSON writes it."""
    return value if isinstance(value, str) else json_value(value)


def _checkpoint_differences(file: str, mine: dict, other: dict) -> list[Difference]:
    return [Difference(file, "checkpoint", key, mine.get(key, ""), other.get(key, ""))
            for key in ("origin", "size", "root") if mine.get(key) != other.get(key)]


def _row_differences(table: Table, file: str, mine: list[dict], other: list[dict]) -> list[Difference]:
    ours, theirs = _keyed(table, mine), _keyed(table, other)
    found = []
    for key in [*ours, *(k for k in theirs if k not in ours)]:
        if key not in theirs:
            found.append(Difference(file, key, None, "a row", "no such row"))
        elif key not in ours:
            found.append(Difference(file, key, None, "no such row", "a row"))
        else:
            found += [Difference(file, key, column, ours[key].get(column, ""), theirs[key].get(column, ""))
                      for column in table.fields if ours[key].get(column) != theirs[key].get(column)]
    if not found and list(ours) != list(theirs):
        found.append(Difference(file, "(rows)", None, "rows in the defined order", "the same rows in another order"))
    return found


def _keyed(table: Table, rows: list[dict]) -> dict[str, dict]:
    return {", ".join(f"{column}={row.get(column, '')}" for column in table.key): row for row in rows}


def _first_line(ours: bytes, theirs: bytes) -> int:
    for number, (a, b) in enumerate(zip(ours.splitlines(), theirs.splitlines(), strict=False), start=1):
        if a != b:
            return number
    return min(len(ours.splitlines()), len(theirs.splitlines())) + 1


def fetch(url: str) -> bytes:
    """A server's file; raises Unreachable with what went wrong."""
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.read()
    except urllib.error.HTTPError as error:
        raise Unreachable(f"{url}: HTTP {error.code} {_reason(error)}") from None
    except (urllib.error.URLError, OSError) as error:
        raise Unreachable(f"{url}: {getattr(error, 'reason', error)}") from None


def _reason(error: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(error.read())
        return f"[{body['code']}] {body['message']}"
    except (ValueError, KeyError, TypeError):
        return error.reason or ""


class Unreachable(OSError):
    pass
