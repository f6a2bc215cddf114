"""Comparing our table files with a server's: every differing row named by its key, down to the column."""

from __future__ import annotations

from decimal import Decimal

import pytest

from corridor.figures import formats, tables
from corridor.figures.compare import compare
from corridor.ledger.checkpoint import Checkpoint

CHECKPOINT = Checkpoint("corridor.example/log", 42, bytes(32))
OTHER_LOG = Checkpoint("corridor.example/log", 42, bytes([1]) * 32)


def rows(*changes: dict) -> list[dict]:
    base = [{"party": p, "party_name": p.title(), "plan": "p1", "status": "awaiting_consent", "waiting_now": True,
             "waiting_since": "2023-09-11T08:00:00Z", "waited_seconds": n} for p, n in (("recv", 500), ("border", 9))]
    for change in changes:
        base = [row | change.get(row["party"], {}) for row in base]
    return base


def differences(ours: list[dict], theirs: list[dict], fmt: str, checkpoint: Checkpoint = CHECKPOINT) -> list[str]:
    mine = formats.render(tables.WAITING, ours, fmt, CHECKPOINT)
    other = formats.render(tables.WAITING, theirs, fmt, checkpoint)
    return [str(d) for d in compare(tables.WAITING, formats.file_name("waiting", fmt), fmt, mine, other)]


@pytest.mark.parametrize("fmt", formats.FORMATS)
def test_the_same_table_has_no_differences(fmt):
    assert differences(rows(), rows(), fmt) == []


@pytest.mark.parametrize("fmt", formats.FORMATS)
def test_a_changed_cell_is_named_by_row_and_column(fmt):
    found = differences(rows(), rows({"recv": {"waited_seconds": 7, "waiting_now": False}}), fmt)
    name = formats.file_name("waiting", fmt)
    now = ("yes", "no") if fmt != "json" else ("true", "false")
    assert found == [f"{name}: plan=p1, party=recv: waiting_now: ours '{now[0]}', theirs '{now[1]}'",
                     f"{name}: plan=p1, party=recv: waited_seconds: ours '500', theirs '7'"]


def test_missing_extra_and_reordered_rows():
    assert differences(rows(), rows()[:1], "csv") == ["waiting.csv: plan=p1, party=border: ours 'a row', theirs "
                                                      "'no such row'"]
    extra = [*rows(), rows()[0] | {"plan": "p2"}]
    assert differences(rows(), extra, "json") == ["waiting.json: plan=p2, party=recv: ours 'no such row', theirs "
                                                  "'a row'"]
    assert differences(rows(), rows()[::-1], "hxl") == [
        "waiting.hxl.csv: (rows): ours 'rows in the defined order', theirs 'the same rows in another order'"]


def test_another_checkpoint_is_named():
    assert differences(rows(), rows(), "csv", OTHER_LOG) == [
        "waiting.csv: checkpoint: root: ours 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', "
        "theirs 'AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE='"]


def test_a_file_that_is_no_table_or_is_written_otherwise():
    mine = formats.render(tables.STATS, [], "json", CHECKPOINT)
    [found] = compare(tables.STATS, "stats.json", "json", mine, b"<html>502 Bad Gateway</html>")
    assert found.row == "(file)" and "not one" in found.theirs
    spaced = mine.replace(b'", "', b'","')
    [found] = compare(tables.STATS, "stats.json", "json", mine, spaced)
    assert found.theirs == "the same rows, written otherwise from line 1"
    row = {"source": "s", "dimension": "d", "key": "k", "passages": 1, "tonnes": Decimal("1.5"), "weighed": 1,
           "median_days": None}
    assert compare(tables.STATS, "stats.json", "json", formats.render(tables.STATS, [row], "json", CHECKPOINT),
                   formats.render(tables.STATS, [row | {"tonnes": Decimal("1.50")}], "json", CHECKPOINT))[0].column \
        == "tonnes"
