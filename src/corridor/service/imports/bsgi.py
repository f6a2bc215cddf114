"""The Black Sea Grain Initiative's outbound voyages (UN JCC vessel movements) as attested passages.

One voyage is one passage with one leg (the sea route through the JCC inspection); a row with Status
"Outbound +" is a further manifest line of the voyage numbered in "#". Departure and "Inspection cleared"
dates are the source's; tonnes become kilograms exactly (integers). Each line also keeps its row as the
file has it (`published`: every column by its header, each cell's text untouched), so what the JCC
published beyond our fields (the WFP flag, income group, flag state, regions, development category) is on
the log too and can be summed again from it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from .attest import ImportReport, ensure_source, record_attestations
from .filetype import FileTypeError, head_of, require

SOURCE = "bsgi-jcc"
SOURCE_NAME = "Black Sea Grain Initiative JCC vessel movements (data source)"
DATASET = "bsgi"
CROSSING = "JCC inspection, Istanbul"
COLUMNS = {"#", "Status", "Vessel name", "IMO", "Departure port", "Departure date", "Inspection cleared",
           "Metric tons", "Commodity", "Country"}


def import_bsgi(path: Path, progress=None) -> ImportReport:
    require(head_of(path), "csv", path.name, prefix="import")
    report = ImportReport(f"BSGI {path.name}")
    found = list(voyages(path, report))  # the whole file is read before anything is recorded
    ensure_source(SOURCE, SOURCE_NAME)
    return record_attestations(SOURCE, found, report, progress)


def voyages(path: Path, report: ImportReport) -> Iterator[dict]:
    """One payload per voyage, in file order; its "Outbound +" rows (wherever they stand) folded in."""
    found: dict[str, dict] = {}
    extra: list[tuple[int, str, dict]] = []
    try:
        rows = _rows(path)
    except UnicodeDecodeError as error:
        raise FileTypeError("import.encoding", f"{path.name} is not UTF-8 text ({error.reason} at byte "
                                               f"{error.start})") from None
    except csv.Error as error:
        raise FileTypeError("import.unreadable", f"{path.name} cannot be read as CSV ({error})") from None
    for row_number, row in enumerate(rows, start=2):
        try:
            line, voyage = _line(row), _voyage(row)
        except (KeyError, ValueError) as error:
            report.unreadable.append(f"row {row_number}: {error}")
            continue
        if (row.get("Status") or "").strip() == "Outbound +":
            extra.append((row_number, voyage["passage"], line))
        elif voyage["passage"] in found:
            report.unreadable.append(f"row {row_number}: voyage {voyage['reference']} appears twice as 'Outbound'")
        else:
            found[voyage["passage"]] = {**voyage, "lines": [line]}
    for row_number, passage, line in extra:
        if passage not in found:
            report.unreadable.append(f"row {row_number}: 'Outbound +' line of {passage}, which has no 'Outbound' row")
            continue
        found[passage]["lines"].append(line)
    yield from found.values()


def _rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle, restval="")  # a short row's missing cells are empty
        missing = COLUMNS - set(reader.fieldnames or ())
        if missing:
            raise FileTypeError("import.columns", f"{path.name} lacks the columns {', '.join(sorted(missing))}")
        return list(reader)


def _voyage(row: dict) -> dict:
    number = row["#"].strip()
    if not number.isdigit():
        raise ValueError(f"voyage number {number!r} is not a number")
    vessel = " ".join(row["Vessel name"].split())
    return {
        "passage": f"bsgi-{number}", "dataset": DATASET, "reference": number, "crossing": CROSSING,
        "carrier": f"{vessel} (IMO {row['IMO'].strip()})", "origin": row["Departure port"].strip(),
        "departed": _day(row["Departure date"], "Departure date"),
        "cleared": _day(row["Inspection cleared"], "Inspection cleared") if row["Inspection cleared"].strip() else None,
    }


def _line(row: dict) -> dict:
    tonnes_text = row["Metric tons"].strip().replace(",", "")
    if not tonnes_text.isdigit():
        raise ValueError(f"tonnage {row['Metric tons']!r} is not a whole number of tonnes")
    commodity = " ".join(row["Commodity"].split())
    tonnes = int(tonnes_text)
    return {"item": commodity, "category": commodity, "quantity": tonnes, "unit": "t", "weight_kg": tonnes * 1000,
            "destination": " ".join(row["Country"].split()), "published": published(row)}


def published(row: dict) -> dict[str, str]:
    """The row's cells by the file's own header, as written; a cell beyond the header (csv's key None) or
    under an empty header has no name to keep it by."""
    return {column: text for column, text in row.items() if column}


def _day(text: str, column: str) -> str:
    try:
        return datetime.strptime(text.strip(), "%d-%b-%Y").date().isoformat()
    except ValueError:
        raise ValueError(f"{column} {text!r} is not a date like 14-Jun-2023") from None
