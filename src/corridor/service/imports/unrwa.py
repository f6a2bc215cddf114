"""UNRWA's "Gaza Supplies and Dispatch Tracking" (commodities received): one attested passage per truck,
keyed by the sheet's own ID, with its crossing and day. Read the workbook's disclaimer sheet: coverage is
partial after 6 May 2024, and the figures are UNRWA's, not any other source's (they are never merged).

Quantities are kept in UNRWA's own units (pallets, trucks, MT, ...): a weight is known only where the unit
is one (MT, Ton), and is otherwise unknown (None), never 0. Each truck's line keeps its row (`published`:
every column by the sheet's header, each cell as text, see `cell_text`), so any figure UNRWA published
can be summed again from the log.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

from .attest import ImportReport, ensure_source, record_attestations
from .filetype import FileTypeError, head_of, require

SOURCE = "unrwa-tracking"
SOURCE_NAME = "UNRWA Gaza supplies and dispatch tracking (data source)"
DATASET = "unrwa"
SHEET = "Suppy Page"  # sic: the sheet's name in UNRWA's file
WEIGHT_UNITS = {"MT": 1000, "Ton": 1000}  # kg per unit; every other unit (Pallets, Truck, ...) has no weight
UNNAMED = "column "


class WorkbookError(FileTypeError):
    pass


def import_unrwa(path: Path, progress=None) -> ImportReport:
    rows = read_rows(path)
    ensure_source(SOURCE, SOURCE_NAME)
    report = ImportReport(f"UNRWA {path.name}")
    return record_attestations(SOURCE, trucks(rows, report), report, progress)


def read_rows(path: Path) -> list[dict]:
    require(head_of(path), "xlsx", path.name, prefix="import")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a broken file; all mean the same here
        raise WorkbookError("import.unreadable", f"{path.name} is not a readable XLSX workbook "
                                                 f"({type(error).__name__}: {error})") from None
    sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = _header(next(rows, ()))
    missing = {"ID", "Received Date", "Crossing", "Quantity"} - set(header)
    if missing:
        raise WorkbookError("import.columns", f"{path.name} lacks the columns {', '.join(sorted(missing))}")
    return [dict(zip(header, row, strict=False)) for row in rows]


def _header(cells: tuple) -> list[str]:
    """The sheet's column names as written (stripped); a column without one is named by its letter
    ("column Q"), so a value under it is still kept (an empty one is left out: the sheet has ten such)."""
    return [str(cell).strip() if cell is not None and str(cell).strip() else f"{UNNAMED}{get_column_letter(n)}"
            for n, cell in enumerate(cells, start=1)]


def trucks(rows: list[dict], report: ImportReport) -> Iterator[dict]:
    for row_number, row in enumerate(rows, start=2):
        if all(value is None for value in row.values()):
            continue
        try:
            yield _truck(row)
        except (KeyError, ValueError, TypeError) as error:
            report.unreadable.append(f"row {row_number} (ID {row.get('ID')}): {error}")


def _truck(row: dict) -> dict:
    source_id = row["ID"]
    if not isinstance(source_id, int):
        raise ValueError(f"ID {source_id!r} is not a number")
    quantity = row["Quantity"]
    if isinstance(quantity, float) and quantity.is_integer():
        quantity = int(quantity)  # a whole number the workbook happens to store as 12.0
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
        raise ValueError(f"quantity {quantity!r} is not a whole number")  # statements carry whole numbers
    unit = _text(row.get("Units"))
    per_unit = WEIGHT_UNITS.get(unit)
    return {
        "passage": f"unrwa-{source_id}", "dataset": DATASET, "reference": str(source_id),
        "crossing": _required(row, "Crossing"), "carrier": _text(row.get("Donating Country/ Organization")),
        "received": _day(row["Received Date"]),
        "lines": [{"item": _text(row.get("Description of Cargo")), "category": _text(row.get("Cargo Category")),
                   "quantity": quantity, "unit": unit, "weight_kg": None if per_unit is None else quantity * per_unit,
                   "destination": _text(row.get("Destination Recipient/ Partner")), "published": published(row)}],
    }


def published(row: dict) -> dict[str, str]:
    return {column: cell_text(value) for column, value in row.items()
            if not (column.startswith(UNNAMED) and value is None)}


def cell_text(value: object) -> str:
    """A cell as text. A workbook stores numbers and dates, not the text shown: whole numbers are written
    without a decimal point, other numbers in Python's shortest exact form, dates and times in ISO 8601
    (2024-09-06T00:00:00, 16:00:00), an empty cell as ""; text cells exactly as written."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date | time):  # datetime is a date
        return value.isoformat()
    return str(value)


def _text(value: object) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _required(row: dict, column: str) -> str:
    text = _text(row.get(column))
    if not text:
        raise ValueError(f"{column} is empty")
    return text


def _day(value: object) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise ValueError(f"Received Date {value!r} is not a date")
