"""Manifest lines from a CSV or XLSX file, with errors a logistician can act on: which row, which
column, what is wrong. Columns (header names, any case): id, item, category, quantity, unit, weight_kg.

The file's kind comes from its first bytes (`filetype`), not its name. Rows are read one at a time
(`xlsx.sheet_rows` streams the sheet) and reading stops at the first limit passed: lines, rows
read (blank ones included), columns, characters in a cell, and, for a workbook, the size it unpacks to.
So a small file that claims a million rows costs no more than the limit.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator

from .filetype import HEAD_BYTES, FileTypeError, require
from .xlsx import sheet_rows

COLUMNS = ("id", "item", "category", "quantity", "unit", "weight_kg")
ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
MAX_ROWS = 5000  # manifest lines
MAX_SHEET_ROWS = 2 * MAX_ROWS  # rows read, blank ones included
MAX_COLUMNS = 50
MAX_CELL_CHARS = 4000  # the engine's longest text
MAX_UNPACKED_BYTES = 16 * 1024 * 1024  # what a workbook may unpack to


class ManifestError(ValueError):
    def __init__(self, code: str, message: str, rows: list[dict] | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.rows = code, message, rows or []


def read_manifest(filename: str, data: bytes) -> list[dict]:
    try:
        kind = require(data[:HEAD_BYTES], "manifest", filename or "the file", prefix="manifest")
    except FileTypeError as error:
        raise ManifestError(error.code, error.message) from None
    rows = _bounded(_xlsx_rows(data) if kind == "xlsx" else _csv_rows(data))
    header = [str(cell or "").strip().lower() for cell in next(rows, [])]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise ManifestError("manifest.columns", f"the first row must name the columns; missing: {', '.join(missing)}")
    lines, errors = [], []
    for number, row in enumerate(rows, start=2):
        values = dict(zip(header, row, strict=False))
        if not any(str(v or "").strip() for v in values.values()):
            continue
        line, problems = _line(values, number)
        errors += problems
        lines.append(line)
        if len(lines) > MAX_ROWS:
            raise ManifestError("manifest.too_long", f"a manifest has at most {MAX_ROWS} lines")
    errors += _duplicates(lines)
    if errors:
        raise ManifestError("manifest.rows", f"{len(errors)} problem(s) in the manifest; nothing was read", errors)
    if not lines:
        raise ManifestError("manifest.empty", "the manifest has no lines")
    return lines


def _line(values: dict, row: int) -> tuple[dict, list[dict]]:
    errors = []
    line = {name: str(values.get(name) if values.get(name) is not None else "").strip() for name in COLUMNS}
    if not ID.match(line["id"]):
        errors.append(_error(row, "id", "needs an id of letters, digits and . _ : - (e.g. flour-1)"))
    for name in ("item", "unit"):
        if not line[name]:
            errors.append(_error(row, name, "is empty"))
    for name in ("quantity", "weight_kg"):
        number = _whole(values.get(name))
        if number is None:
            errors.append(_error(row, name, f"{line[name]!r} is not a whole number (no decimals, no units)"))
        else:
            line[name] = number
    if line["quantity"] == 0:
        errors.append(_error(row, "quantity", "must be at least 1"))
    return line, errors


def _whole(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    text = str(value or "").strip().replace(",", "")
    return int(text) if text.isdigit() else None


def _duplicates(lines: list[dict]) -> list[dict]:
    seen, errors = {}, []
    for row, line in enumerate(lines, start=2):
        if line["id"] in seen:
            errors.append(_error(row, "id", f"{line['id']!r} is used again (first on row {seen[line['id']]})"))
        seen.setdefault(line["id"], row)
    return errors


def _error(row: int, column: str, message: str) -> dict:
    return {"row": row, "column": column, "message": f"row {row}, {column}: {message}"}


def _bounded(rows: Iterator[tuple | list]) -> Iterator[tuple | list]:
    for number, row in enumerate(rows, start=1):
        if number > MAX_SHEET_ROWS + 1:
            raise ManifestError("manifest.too_long",
                                f"a manifest has at most {MAX_SHEET_ROWS:,} rows, blank ones included")
        row = row[:MAX_COLUMNS]
        for column, cell in enumerate(row, start=1):
            if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
                raise ManifestError("manifest.cell_too_long", f"row {number}, column {column}: a cell holds at most "
                                                              f"{MAX_CELL_CHARS:,} characters")
        yield row


def _csv_rows(data: bytes) -> Iterator[list]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ManifestError("manifest.encoding", "the CSV file is not UTF-8 text (save it as 'CSV UTF-8')") from None
    try:
        yield from csv.reader(io.StringIO(text))
    except csv.Error as error:
        raise ManifestError("manifest.unreadable", f"the CSV file cannot be read ({error})") from None


def _xlsx_rows(data: bytes) -> Iterator[tuple]:
    try:
        _check_unpacked_size(data)
        yield from sheet_rows(data, MAX_COLUMNS)
    except ManifestError:
        raise
    except Exception as error:  # openpyxl raises many types for a broken file; all mean the same here
        raise ManifestError("manifest.unreadable", f"the file is not a readable XLSX workbook ({error})") from None


def _check_unpacked_size(data: bytes) -> None:
    """A workbook is a ZIP: refuse one that would unpack to more than we read (a "ZIP bomb")."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(member.file_size for member in archive.infolist())
    if unpacked > MAX_UNPACKED_BYTES:
        raise ManifestError("manifest.too_large", f"the workbook unpacks to more than {MAX_UNPACKED_BYTES:,} bytes")
