"""Exports: every table as CSV, JSON and HXL; the HXL parses and validates with libhxl (HXL's own library)."""

from __future__ import annotations

import csv
import io
import json

import hxl
import pytest

from corridor.cli import main
from corridor.service import clock
from corridor.service.api.reads import export_rows
from corridor.service.exports import formats, tables

from ..api_driver import drive
from ..conftest import SCENARIO

pytestmark = pytest.mark.django_db(transaction=True)
AFTER = 1695081600  # 2023-09-19


@pytest.fixture
def two_roads(parties):
    drive(SCENARIO, parties)


def exported(name: str, fmt: str) -> str:
    out = io.StringIO()
    with clock.frozen_at(AFTER):
        formats.write(tables.TABLES[name], export_rows(name), out, fmt)
    return out.getvalue()


@pytest.mark.parametrize("name", tables.TABLES)
def test_hxl_exports_parse_and_validate_with_libhxl(two_roads, name):
    text = exported(name, "hxl")
    data = hxl.data(hxl.input.make_input(io.BytesIO(text.encode()), hxl.input.InputOptions()))
    assert [column.display_tag for column in data.columns] == tables.TABLES[name].hxl_tags
    rows = list(data)
    assert len(rows) == len(list(csv.reader(io.StringIO(text)))) - 2 > 0
    report = hxl.validate(hxl.data(hxl.input.make_input(io.BytesIO(text.encode()), hxl.input.InputOptions())))
    assert report["is_valid"], report["issues"]


@pytest.mark.parametrize("name", tables.TABLES)
def test_csv_and_json_carry_the_same_rows(two_roads, name):
    as_csv = list(csv.DictReader(io.StringIO(exported(name, "csv"))))
    as_json = json.loads(exported(name, "json"))
    assert len(as_csv) == len(as_json) > 0
    assert list(as_csv[0]) == list(as_json[0]) == tables.TABLES[name].fields


def test_legs_carry_route_status_requester_stage_dates_and_weight(two_roads):
    legs = {row["leg"]: row for row in json.loads(exported("legs", "json")) if row["plan"] == "two-roads"}
    road_a = legs["leg-a"]
    assert road_a["route_name"] == "Lachin–Khankendi" and road_a["status"] == "completed"
    assert road_a["requester"] == "org-a" and road_a["weight_kg"] > 0
    assert road_a["cleared_at"] < road_a["departed_at"] < road_a["delivered_at"]


def test_waiting_table_shows_the_receiving_authority_on_top(two_roads):
    rows = json.loads(exported("waiting", "json"))
    longest = max(rows, key=lambda row: row["waited_seconds"])
    assert (longest["party"], longest["plan"]) == ("recv", "two-roads")


def test_export_command_writes_a_file(two_roads, tmp_path, capsys):
    target = tmp_path / "incidents.hxl.csv"
    assert main(["export", "incidents", "--format", "hxl", "-o", str(target)]) == 0
    lines = target.read_text().splitlines()
    assert lines[1].startswith("#event+id,#org+reporter+code")
    assert "wrote 2 incidents rows" in capsys.readouterr().err


def test_the_waiting_on_board_puts_the_receiving_authority_first(two_roads, public):
    with clock.frozen_at(AFTER):
        board = public.get("/api/v1/waiting/board").json()["results"]
    first = board[0]
    assert first["party"] == "recv" and first["plans"] == 2 and first["plans_waiting_now"] == 0
    assert 6 * 86400 < first["total_seconds"] < 7 * 86400
    waited = {row["party"]: row for row in board}
    assert waited["border"]["total_seconds"] < 6 * 3600  # hours, over both plans


def test_public_aggregates_by_route_requester_and_category(two_roads):
    with clock.frozen_at(AFTER):
        rows = [row for row in tables.stat_rows() if row["source"] == "corridor"]
    by = {(row["dimension"], row["key"]): row for row in rows}
    assert by[("route", "road-b")]["passages"] == 2  # the two-road plan and the day-2 truck
    assert by[("requester", "org-b")]["passages"] == 1
    assert by[("waited on", "recv")]["passages"] == 2
    assert any(dimension == "category" for dimension, _ in by)
