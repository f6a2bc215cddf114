"""Manifest lines from a CSV or XLSX file, with errors a logistician can act on: which row, which
column, what is wrong.

Columns are found by their header, written as a spreadsheet user writes them, in any case and order:
`Item`, `Quantity`, `Unit` and `Weight (kg)` are required; `Category`, `Vehicle` and `ID` are optional
(the downloadable template, `template.py`, has them all). A quantity may have decimals where the unit
needs them (2.5 t, with a point or a comma): it is read as the engine's decimal string ("2.5"), a whole
one as an integer (engine/quantity.py); a weight is whole kilograms. A line without an id gets one from its item
(`Wheat flour` → `wheat-flour`, `wheat-flour-2` for the next), so nobody has to invent ids. The names
the engine uses (`id`, `item`, `category`, `quantity`, `unit`, `weight_kg`, `vehicle`) are headers too,
and a few usual synonyms (`Qty`, `Description`, `Truck`…); a caller may add names (the web form adds the
columns' names in each of its languages); columns with any other header are ignored. `read_table` reads rows
from elsewhere (lines typed in a form), each with the number its reader knows it by.

The file's kind comes from its first bytes (`filetype`), not its name. Rows are read one at a time
(`xlsx.sheet_rows` streams the sheet) and reading stops at the first limit passed: lines, rows
read (blank ones included), columns, characters in a cell, and, for a workbook, the size it unpacks to.
So a small file that claims a million rows costs no more than the limit.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator

from django.utils.text import slugify

from ...engine.quantity import QuantityError, parse_quantity
from .filetype import HEAD_BYTES, FileTypeError, require
from .xlsx import sheet_rows

COLUMNS = ("id", "item", "category", "quantity", "unit", "weight_kg")
REQUIRED = ("item", "quantity", "unit", "weight_kg")
# a header, lowercased with every run of other characters than letters and digits made one space → the field
HEADERS = {
    "id": "id", "line": "id", "line id": "id", "ref": "id",
    "item": "item", "description": "item", "goods": "item", "commodity": "item",
    "category": "category", "sector": "category", "cluster": "category",
    "quantity": "quantity", "qty": "quantity",
    "unit": "unit", "units": "unit", "uom": "unit", "unit of measure": "unit",
    "weight kg": "weight_kg", "weight": "weight_kg", "gross weight kg": "weight_kg", "kg": "weight_kg",
    "vehicle": "vehicle", "truck": "vehicle", "vehicle id": "vehicle",
}
# what the missing columns are called in a message: as the template writes them
SHOWN = {"item": "Item", "quantity": "Quantity", "unit": "Unit", "weight_kg": "Weight (kg)"}
ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
ID_MAX_LENGTH = 128
THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+$")
MAX_ROWS = 5000  # manifest lines
MAX_SHEET_ROWS = 2 * MAX_ROWS  # rows read, blank ones included
MAX_COLUMNS = 50
MAX_CELL_CHARS = 4000  # the engine's longest text
MAX_UNPACKED_BYTES = 16 * 1024 * 1024  # what a workbook may unpack to


class ManifestError(ValueError):
    def __init__(self, code: str, message: str, rows: list[dict] | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.rows = code, message, rows or []


def read_manifest(filename: str, data: bytes, headers: dict[str, str] | None = None) -> list[dict]:
    return read_manifest_rows(filename, data, headers)[0]


def read_manifest_rows(filename: str, data: bytes,
                       headers: dict[str, str] | None = None) -> tuple[list[dict], list[int]]:
    """The lines, and each line's row in the file (the header is row 1). `headers`: more names for the
    columns ({`header_key(name)`: field}), e.g. the template's headers in the reader's language."""
    try:
        kind = require(data[:HEAD_BYTES], "manifest", filename or "the file", prefix="manifest")
    except FileTypeError as error:
        raise ManifestError(error.code, error.message) from None
    rows = iter(_xlsx_rows(data) if kind == "xlsx" else _csv_rows(data))
    header = next(rows, [])
    return read_table(header, enumerate(rows, start=2), headers)


def read_table(header: list | tuple, numbered_rows: Iterable[tuple[int, list | tuple]],
               headers: dict[str, str] | None = None, header_row: int = 1) -> tuple[list[dict], list[int]]:
    """Lines from a header and the rows under it, each row with the number its reader knows it by (a file's
    row, a text box's line): problems name that number. Returns the lines and their numbers."""
    fields = _fields(_within_limits(header_row, header), headers or {})
    lines, errors, numbers = [], [], []
    for number, row in _bounded(numbered_rows):
        values = {field: row[column] for column, field in fields.items() if column < len(row)}
        if not any(str(v or "").strip() for v in values.values()):
            continue
        line, problems = _line(values, number)
        errors += problems
        lines.append(line)
        numbers.append(number)
        if len(lines) > MAX_ROWS:
            raise ManifestError("manifest.too_long", f"a manifest has at most {MAX_ROWS} lines")
    errors += _duplicates(lines, numbers)
    if errors:
        raise ManifestError("manifest.rows", f"{len(errors)} problem(s) in the manifest; nothing was read", errors)
    if not lines:
        raise ManifestError("manifest.empty", "the manifest has no lines")
    return _with_ids(lines), numbers


def field_of(header: object, headers: dict[str, str] | None = None) -> str | None:
    """The field a column's header names (`Weight (kg)` → weight_kg; or as `headers` names it), None for a
    column we do not read."""
    english = HEADERS.get(" ".join(re.sub(r"[^a-z0-9]+", " ", str(header or "").lower()).split()))
    return english or (headers or {}).get(header_key(header))


def header_key(name: object) -> str:
    """A header as looked up in any script: case folded, without accents or other marks (`Catégorie` and
    `Categorie`, `معرّف` and `معرف` are one), every run of other characters than letters and digits one
    space (`Вес (кг)` → `вес кг`)."""
    text = unicodedata.normalize("NFKD", str(name or "").casefold())
    return " ".join(re.sub(r"[\W_]+", " ", "".join(c for c in text if not unicodedata.combining(c))).split())


def _fields(header: list | tuple, headers: dict[str, str]) -> dict[int, str]:
    """{column index: field} from the header row; refuses a header missing a required column or naming one
    twice."""
    fields: dict[int, str] = {}
    for column, cell in enumerate(header):
        field = field_of(cell, headers)
        if field is None:
            continue
        if field in fields.values():
            raise ManifestError("manifest.columns", f"two columns name the {field} (column {column + 1} again): "
                                                    "keep one")
        fields[column] = field
    missing = [SHOWN[name] for name in REQUIRED if name not in fields.values()]
    if missing:
        raise ManifestError("manifest.columns", f"the first row must name the columns; missing: {', '.join(missing)} "
                                                "(download the manifest template for the headers)")
    return fields


def _line(values: dict, row: int) -> tuple[dict, list[dict]]:
    errors = []
    line = {name: _text(values.get(name)) for name in COLUMNS}
    if line["id"] and not (ID.match(line["id"]) and len(line["id"]) <= ID_MAX_LENGTH):
        errors.append(_error(row, "id", "needs an id of letters, digits and . _ : - (e.g. flour-1), or none",
                             "id", line["id"]))
    for name in ("item", "unit"):
        if not line[name]:
            errors.append(_error(row, name, "is empty", "empty"))
    try:
        line["quantity"] = parse_quantity(values.get("quantity"), positive=True)
    except QuantityError as error:
        errors.append(_error(row, "quantity", f"{line['quantity']!r} {error} (e.g. 20 or 2.5)", "quantity",
                             line["quantity"]))
    weight = _whole(values.get("weight_kg"))
    if weight is None:
        errors.append(_error(row, "weight_kg", f"{line['weight_kg']!r} is not a whole number of kilograms "
                                               "(no decimals, no units)", "weight", line["weight_kg"]))
    else:
        line["weight_kg"] = weight
    vehicle = _text(values.get("vehicle"))
    if vehicle:
        line["vehicle"] = vehicle
    return line, errors


def match_vehicles(lines: list[dict], vehicles: list[dict]) -> list[str]:
    """Point each line's `vehicle` at one of its leg's vehicles, written in the manifest as that vehicle's
    id, its plate (case and spaces aside) or its number in the leg's list (1, 2…); the problems, if any
    line names none of them. `vehicles` are the leg's, as requested ({"id", "plate"}, plates in clear)."""
    by_name: dict[str, str] = {}
    for number, vehicle in enumerate(vehicles, start=1):
        for name in (str(number), vehicle.get("id", ""), vehicle.get("plate", "")):
            by_name.setdefault(_plate_key(name), vehicle.get("id", ""))
    problems = []
    for line in lines:
        given = line.get("vehicle")
        if given is None:
            continue
        found = by_name.get(_plate_key(given))
        if found:
            line["vehicle"] = found
        else:
            problems.append(f"line {line['id']}: vehicle {given!r} is not one of this leg's vehicles "
                            "(write its plate or its number in the list)")
    return problems


def _plate_key(text: str) -> str:
    return "".join(str(text).split()).upper()


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _with_ids(lines: list[dict]) -> list[dict]:
    """Lines without an id get one from their item (ASCII letters and digits), or `line-<n>`, never one
    another line has."""
    taken = {line["id"] for line in lines if line["id"]}
    for number, line in enumerate(lines, start=1):
        if line["id"]:
            continue
        base = slugify(line["item"])[:40].strip("-") or f"line-{number}"
        candidate, suffix = base, 2
        while candidate in taken:
            candidate, suffix = f"{base}-{suffix}", suffix + 1
        line["id"] = candidate
        taken.add(candidate)
    return lines


def _whole(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    text = "".join(str(value or "").split())  # 20 000
    if "," in text:  # 20,000 (commas between groups of three); 1100,5 is a decimal comma, not a whole number
        text = text.replace(",", "") if THOUSANDS.match(text) else ""
    return int(text) if text.isdigit() and text.isascii() else None


def _duplicates(lines: list[dict], numbers: list[int]) -> list[dict]:
    seen, errors = {}, []
    for row, line in zip(numbers, lines, strict=True):
        if not line["id"]:
            continue
        if line["id"] in seen:
            errors.append(_error(row, "id", f"{line['id']!r} is used again (first on row {seen[line['id']]})",
                                 "duplicate", line["id"]))
        seen.setdefault(line["id"], row)
    return errors


def _error(row: int, column: str, message: str, problem: str, value: object = "") -> dict:
    """One row's problem: the English `message` (the API's), and `problem` (id, empty, quantity, weight,
    duplicate) with the `value` at fault, from which a page says it in its reader's language."""
    return {"row": row, "column": column, "message": f"row {row}, {column}: {message}", "problem": problem,
            "value": str(value)}


def _bounded(numbered_rows: Iterable[tuple[int, list | tuple]]) -> Iterator[tuple[int, list | tuple]]:
    for count, (number, row) in enumerate(numbered_rows, start=1):
        if count > MAX_SHEET_ROWS:
            raise ManifestError("manifest.too_long",
                                f"a manifest has at most {MAX_SHEET_ROWS:,} rows, blank ones included")
        yield number, _within_limits(number, row)


def _within_limits(number: int, row: list | tuple) -> list | tuple:
    row = row[:MAX_COLUMNS]
    for column, cell in enumerate(row, start=1):
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
            raise ManifestError("manifest.cell_too_long", f"row {number}, column {column}: a cell holds at most "
                                                          f"{MAX_CELL_CHARS:,} characters")
    return row


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
