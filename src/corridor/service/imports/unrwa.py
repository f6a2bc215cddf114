"""UNRWA's "Gaza Supplies and Dispatch Tracking" (commodities received): one attested passage per truck,
keyed by the sheet's own ID, with its crossing and day. Read the workbook's disclaimer sheet: coverage is
partial after 6 May 2024, and the figures are UNRWA's, not any other source's (they are never merged)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import openpyxl

from .attest import ImportReport, ensure_source, record_attestations
from .filetype import FileTypeError, head_of, require

SOURCE = "unrwa-tracking"
SOURCE_NAME = "UNRWA Gaza supplies and dispatch tracking (data source)"
DATASET = "unrwa"
SHEET = "Suppy Page"  # sic: the sheet's name in UNRWA's file
WEIGHT_UNITS = {"MT": 1000, "Ton": 1000}


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
    header = [str(cell).strip() if cell is not None else "" for cell in next(rows, ())]
    missing = {"ID", "Received Date", "Crossing", "Quantity"} - set(header)
    if missing:
        raise WorkbookError("import.columns", f"{path.name} lacks the columns {', '.join(sorted(missing))}")
    return [dict(zip(header, row, strict=False)) for row in rows]


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
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
        raise ValueError(f"quantity {quantity!r} is not a whole number")
    unit = _text(row.get("Units")) or "unspecified"
    return {
        "passage": f"unrwa-{source_id}", "dataset": DATASET, "reference": str(source_id),
        "crossing": _required(row, "Crossing"), "carrier": _text(row.get("Donating Country/ Organization")),
        "received": _day(row["Received Date"]),
        "lines": [{"item": _text(row.get("Description of Cargo")) or "unspecified",
                   "category": _text(row.get("Cargo Category")), "quantity": quantity, "unit": unit,
                   "weight_kg": quantity * WEIGHT_UNITS.get(unit, 0),
                   "destination": _text(row.get("Destination Recipient/ Partner"))}],
    }


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
