"""The UNRWA import: one attested passage per truck, idempotent, and incremental across snapshots."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time

import openpyxl
import pytest

from corridor.service.exports.published import log_tables
from corridor.service.imports.unrwa import SHEET, WorkbookError, cell_text, import_unrwa
from corridor.service.ledger.models import LogEntry
from corridor.service.passages.models import Attestation, AttestedLine

from ..data import shared_data
from .log_lines import lines_on_the_log

pytestmark = pytest.mark.django_db
QUIET = {"progress": lambda message: None}


@pytest.fixture(scope="module")
def real_rows():
    book = openpyxl.load_workbook(shared_data("gaza/20240911_Commodities_Received.xlsx"), read_only=True)
    return list(book[SHEET].iter_rows(values_only=True))


def stat_rows():
    return log_tables()["stats"]


def snapshot(tmp_path, rows, name):
    """A workbook of the source's rows, as an earlier or later snapshot of the same source would be."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def test_same_file_twice_changes_nothing_and_a_later_snapshot_adds_only_new_rows(tmp_path, real_rows):
    header, body = real_rows[0], real_rows[1:]
    earlier = snapshot(tmp_path, [header, *body[:300]], "earlier.xlsx")
    later = snapshot(tmp_path, [header, *body[:300], *body[1000:1150]], "later.xlsx")
    first = import_unrwa(earlier, **QUIET)
    size = LogEntry.objects.count()
    again = import_unrwa(earlier, **QUIET)
    assert (first.added, again.added, again.skipped) == (300, 0, 300)
    assert LogEntry.objects.count() == size
    newer = import_unrwa(later, **QUIET)
    assert (newer.added, newer.skipped) == (150, 300)
    assert Attestation.objects.filter(dataset="unrwa").count() == 450
    assert "skipped 300 already recorded (same source id)" in newer.lines()[0]


def test_trucks_by_crossing_and_day(tmp_path, real_rows):
    import_unrwa(snapshot(tmp_path, real_rows[:401], "part.xlsx"), **QUIET)
    by_crossing = {r["key"]: r["passages"] for r in stat_rows() if r["source"] == "unrwa" and r["dimension"] ==
                   "crossing"}
    expected = {}
    for row in real_rows[1:401]:
        expected[row[13]] = expected.get(row[13], 0) + 1
    assert by_crossing == expected
    per_day = [r for r in stat_rows() if r["source"] == "unrwa" and r["dimension"] == "crossing / day"]
    assert sum(r["passages"] for r in per_day) == 400


def test_unreadable_rows_are_reported_without_stopping(tmp_path, real_rows):
    header, body = real_rows[0], real_rows[1:]
    bad = list(body[1])
    bad[2] = "yesterday"
    report = import_unrwa(snapshot(tmp_path, [header, body[0], tuple(bad), body[2]], "bad.xlsx"), **QUIET)
    assert report.added == 2 and len(report.unreadable) == 1
    assert "row 3" in report.unreadable[0] and "Received Date 'yesterday' is not a date" in report.unreadable[0]


def test_a_broken_workbook_is_refused_and_records_nothing(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(WorkbookError, match="not a readable XLSX workbook"):
        import_unrwa(path, **QUIET)
    assert LogEntry.objects.count() == 0


def test_each_truck_keeps_its_row_and_a_weight_only_where_the_unit_is_one(tmp_path, real_rows):
    header, body = real_rows[0], real_rows[1:601]
    import_unrwa(snapshot(tmp_path, [header, *body], "part.xlsx"), **QUIET)
    lines = list(lines_on_the_log("unrwa"))
    named = [column for column in header if column]
    assert len(lines) == 600 and all(list(line["published"]) == sorted(named) for line in lines)
    for row, line in zip(body, lines, strict=True):
        cells = dict(zip(header, row, strict=False))
        assert line["published"]["Quantity"] == str(cells["Quantity"]) and line["quantity"] == cells["Quantity"]
        assert line["published"]["Units"] == (cells["Units"] or "") and line["unit"] == " ".join((cells["Units"]
                                                                                                 or "").split())
        assert line["published"]["Received Date"] == cells["Received Date"].isoformat()
        weighed = cells["Units"] in ("MT", "Ton")
        assert line.get("weight_kg") == (cells["Quantity"] * 1000 if weighed else None)
    units = Counter(row[10] for row in body)
    assert AttestedLine.objects.filter(weight_kg__isnull=False).count() == units["MT"] + units["Ton"]
    assert Attestation.objects.filter(weight_kg__isnull=True).count() == 600 - units["MT"] - units["Ton"] > 0
    (total,) = [r for r in stat_rows() if r["source"] == "unrwa" and r["dimension"] == "total"]
    weighed_kg = sum(row[9] * 1000 for row in body if row[10] in ("MT", "Ton"))
    weighed = units["MT"] + units["Ton"]
    assert (total["passages"], total["weighed"], total["tonnes"] * 1000) == (600, weighed, weighed_kg)


def test_cells_are_written_as_text():
    assert [cell_text(v) for v in (None, 29, 12.0, 12.5, "  Flour ", True)] == ["", "29", "12", "12.5", "  Flour ",
                                                                                "TRUE"]
    assert cell_text(datetime(2024, 9, 6)) == "2024-09-06T00:00:00" and cell_text(time(16, 0)) == "16:00:00"


def test_a_value_under_a_column_without_a_name_is_kept_by_its_letter(tmp_path, real_rows):
    header, first = real_rows[0], list(real_rows[1])
    first[17] = "a note"
    import_unrwa(snapshot(tmp_path, [header, tuple(first)], "note.xlsx"), **QUIET)
    (line,) = lines_on_the_log("unrwa")
    assert line["published"]["column R"] == "a note" and "column Q" not in line["published"]


def test_a_row_the_log_would_refuse_is_reported_and_the_others_recorded(tmp_path, real_rows):
    header, body = real_rows[0], real_rows[1:4]
    long = list(body[1])
    long[3] = "x" * 4001  # "Data Source": longer than any text a statement holds
    report = import_unrwa(snapshot(tmp_path, [header, body[0], tuple(long), body[2]], "long.xlsx"), **QUIET)
    assert report.added == 2 and len(report.unreadable) == 1
    assert report.unreadable[0].startswith(f"record {long[0]}: statement.malformed")
