"""The file formats of the public tables: the checkpoint line, cells a spreadsheet never runs, exact numbers."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest

from corridor.figures import formats, tables
from corridor.ledger.checkpoint import Checkpoint

CHECKPOINT = Checkpoint("corridor.example/log", 42, bytes(range(32)))


def stat(**values) -> dict:
    return {"source": "corridor", "dimension": "d", "key": "k", "passages": 1, "tonnes": Decimal("1.5"),
            "weighed": 1, "median_days": None} | values


@pytest.mark.parametrize("value, cell", [
    ("=1+1", "'=1+1"), ("+1+1", "'+1+1"), ("-1+1", "'-1+1"), ("@A1", "'@A1"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("plain text", "plain text"), ("a=b", "a=b"), (-5, -5), (3.5, 3.5), ("-5", "-5"), ("+2.5", "+2.5"),
    (None, ""), (True, "yes"), (0, 0), (Decimal("-1.5"), Decimal("-1.5")),
])
def test_one_cell(value, cell):
    assert formats.spreadsheet_cell(value) == cell


def test_negative_numbers_stay_numbers_in_the_file():
    text = formats.render(tables.STATS, [stat(source="-x", key="=k", passages=-3, tonnes=Decimal("-1.5"))], "csv",
                          CHECKPOINT).decode()
    assert text.split("\r\n")[2] == "'-x,d,'=k,-3,-1.5,1,"
    document = json.loads(formats.render(tables.STATS, [stat(source="-x", key="=k")], "json", CHECKPOINT))
    assert document["rows"] == [stat(source="-x", key="=k", tonnes=1.5)]


def test_every_format_names_the_checkpoint_first():
    root = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    for fmt in ("csv", "hxl"):
        rows = list(csv.reader(io.StringIO(formats.render(tables.STATS, [stat()], fmt, CHECKPOINT).decode())))
        assert rows[0] == ["#checkpoint", "corridor.example/log", "42", root]
        assert rows[1] == tables.STATS.fields
        assert (rows[2] == tables.STATS.hxl_tags) == (fmt == "hxl")
    document = json.loads(formats.render(tables.STATS, [stat()], "json", CHECKPOINT))
    assert document["checkpoint"] == {"origin": "corridor.example/log", "size": 42, "root": root}
    assert (document["table"], document["columns"]) == ("stats", tables.STATS.fields)


def test_json_rows_are_one_a_line_in_column_order_and_decimals_exact():
    text = formats.render(tables.STATS, [stat(tonnes=Decimal("31744756")), stat(key="é", median_days=Decimal("0.025"))],
                          "json", CHECKPOINT).decode()
    lines = text.split("\n")
    assert lines[0].endswith('"rows": [') and lines[-2:] == ["]}", ""]
    assert lines[1] == ('{"source": "corridor", "dimension": "d", "key": "k", "passages": 1, "tonnes": 31744756, '
                        '"weighed": 1, "median_days": null},')
    assert '"key": "é"' in lines[2] and '"median_days": 0.025}' in lines[2]


def test_no_rows_is_still_a_table():
    assert formats.render(tables.STATS, [], "json", CHECKPOINT).decode().endswith('"rows": [\n]}\n')
    assert formats.render(tables.STATS, [], "csv", CHECKPOINT).decode().count("\r\n") == 2


def test_the_checkpoint_row_gives_a_root_beginning_with_plus_as_signed():
    """Base64 roots begin with "+" one time in 64: the row must read as the signed checkpoint does, so
    the formula guard for party text never touches it (CI once failed on exactly this)."""
    root = bytes([0xFB]) + bytes(31)  # base64 "+w…"
    data = formats.render(tables.TABLES["stats"], [], "csv", Checkpoint("corridor.example/log", 42, root))
    first = next(csv.reader(io.StringIO(data.decode())))
    assert first == ["#checkpoint", "corridor.example/log", "42", formats.root_text(Checkpoint("o", 1, root))]
    assert first[3].startswith("+w")
