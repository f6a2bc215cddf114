"""The UNRWA import: one attested passage per truck, idempotent, and incremental across snapshots."""

from __future__ import annotations

import openpyxl
import pytest

from corridor.service.exports.published import log_tables
from corridor.service.imports.unrwa import SHEET, WorkbookError, import_unrwa
from corridor.service.ledger.models import LogEntry
from corridor.service.passages.models import Attestation

from ..data import shared_data

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
