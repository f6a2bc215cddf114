"""The rows of a workbook's first sheet, one at a time, reading no further than the caller asks.

openpyxl's read-only mode streams rows, but opening a sheet that does not state its size (no
`<dimension>`; openpyxl's own write-only mode leaves it out) first parses the whole sheet to find it: a
70 KB workbook of 200,000 rows holds a worker for seconds before the first row. Here the workbook's
parts are read as openpyxl reads them (shared strings, date formats) and the sheet is then handed
straight to openpyxl's row parser, without the size scan. openpyxl is pinned; tests cover this reader.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.worksheet._reader import WorkSheetParser


def sheet_rows(data: bytes, max_columns: int) -> Iterator[tuple]:
    """Each row's values (None where a cell is empty), rows the file leaves out as empty tuples, so row
    numbers stay the spreadsheet's. Broken files raise whatever openpyxl raises."""
    reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)  # which number formats are dates
        _, relation = next(reader.parser.find_sheets())
        with reader.archive.open(relation.target) as source:
            yield from _rows(_parser(source, reader), max_columns)
    finally:
        reader.archive.close()


def _parser(source, reader: ExcelReader) -> WorkSheetParser:
    workbook = reader.wb
    return WorkSheetParser(source, reader.shared_strings, data_only=True, epoch=workbook.epoch,
                           date_formats=workbook._date_formats, timedelta_formats=workbook._timedelta_formats)


def _rows(parser: WorkSheetParser, max_columns: int) -> Iterator[tuple]:
    expected = 1
    for number, cells in parser.parse():
        while expected < number:  # a row the file leaves out is blank
            yield ()
            expected += 1
        values = [None] * min(max((cell["column"] for cell in cells), default=0), max_columns)
        for cell in cells:
            if cell["column"] <= max_columns:
                values[cell["column"] - 1] = cell["value"]
        yield tuple(values)
        expected += 1
