"""Exports: every table as CSV, JSON and HXL, as published at the log's checkpoint; the HXL parses and validates
with libhxl (HXL's own library)."""

from __future__ import annotations

import csv
import io
import json

import hxl
import pytest
from django.test import Client

from corridor.cli import main
from corridor.figures import tables
from corridor.service.ledger.integrator import integrate_now

from ..api_driver import drive
from ..conftest import SCENARIO
from .audited import FLOUR, PALLETS, attest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_roads(parties, tiles):
    drive(SCENARIO, parties)
    attest(FLOUR, PALLETS)
    integrate_now()


def exported(name: str, fmt: str) -> str:
    return Client().get(f"/api/v1/export/{name}.{fmt}").content.decode()


def csv_rows(text: str) -> list[dict]:
    """The rows of a CSV download (its first line names the checkpoint)."""
    return list(csv.DictReader(io.StringIO(text.split("\r\n", 1)[1])))


@pytest.mark.parametrize("name", tables.TABLES)
def test_hxl_exports_parse_and_validate_with_libhxl(two_roads, name):
    text = exported(name, "hxl")
    data = hxl.data(hxl.input.make_input(io.BytesIO(text.encode()), hxl.input.InputOptions()))
    assert [column.display_tag for column in data.columns] == tables.TABLES[name].hxl_tags
    rows = list(data)
    assert len(rows) == len(list(csv.reader(io.StringIO(text)))) - 3 > 0  # checkpoint, header and hashtag rows
    report = hxl.validate(hxl.data(hxl.input.make_input(io.BytesIO(text.encode()), hxl.input.InputOptions())))
    assert report["is_valid"], report["issues"]


@pytest.mark.parametrize("name", tables.TABLES)
def test_csv_and_json_carry_the_same_rows(two_roads, name):
    as_csv = csv_rows(exported(name, "csv"))
    as_json = json.loads(exported(name, "json"))["rows"]
    assert len(as_csv) == len(as_json) > 0
    assert list(as_csv[0]) == list(as_json[0]) == tables.TABLES[name].fields


def test_legs_carry_route_status_requester_stage_dates_and_weight(two_roads):
    legs = {row["leg"]: row for row in json.loads(exported("legs", "json"))["rows"] if row["plan"] == "two-roads"}
    road_a = legs["leg-a"]
    assert road_a["route_name"] == "Lachin–Khankendi" and road_a["status"] == "completed"
    assert road_a["requester"] == "org-a" and road_a["weight_kg"] > 0
    assert road_a["cleared_at"] < road_a["departed_at"] < road_a["delivered_at"]


def test_waiting_table_shows_the_receiving_authority_on_top(two_roads):
    rows = json.loads(exported("waiting", "json"))["rows"]
    longest = max(rows, key=lambda row: row["waited_seconds"])
    assert (longest["party"], longest["plan"]) == ("recv", "two-roads")


def test_export_command_writes_a_file(two_roads, tmp_path, capsys):
    target = tmp_path / "incidents.hxl.csv"
    assert main(["export", "incidents", "--format", "hxl", "-o", str(target)]) == 0
    lines = target.read_text().splitlines()
    assert lines[0].startswith("#checkpoint,") and lines[2].startswith("#event+id,#org+reporter+code")
    assert target.read_bytes() == Client().get("/api/v1/export/incidents.hxl").content
    assert "wrote 2 incidents rows (log size " in capsys.readouterr().err
    size = Client().get("/api/v1/export/plans.json")["Corridor-Log-Size"]
    assert main(["export", "plans", "--at", size, "--format", "json"]) == 0
    assert capsys.readouterr().out.encode() == Client().get("/api/v1/export/plans.json", {"size": size}).content
    assert main(["export", "plans", "--at", "3"]) == 1
    assert "[export.size_unpublished]" in capsys.readouterr().err


def test_the_waiting_on_board_puts_the_receiving_authority_first(two_roads, public):
    answer = public.get("/api/v1/waiting/board").json()
    board = answer["results"]
    assert answer["checkpoint"]["size"] > 0
    first = board[0]
    assert first["party"] == "recv" and first["plans"] == 2 and first["plans_waiting_now"] == 0
    assert 6 * 86400 < first["total_seconds"] < 7 * 86400
    waited = {row["party"]: row for row in board}
    assert waited["border"]["total_seconds"] < 6 * 3600  # hours, over both plans


def test_public_aggregates_by_route_requester_and_category(two_roads, public):
    rows = [row for row in public.get("/api/v1/stats").json()["results"] if row["source"] == "corridor"]
    by = {(row["dimension"], row["key"]): row for row in rows}
    assert by[("route", "road-b")]["passages"] == 2  # the two-road plan and the day-2 truck
    assert by[("requester", "org-b")]["passages"] == 1
    assert by[("waited on", "recv")]["passages"] == 2
    assert any(dimension == "category" for dimension, _ in by)
