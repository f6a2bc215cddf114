"""DESIGN.md's worked example, from the scenario file alone."""

import json
from pathlib import Path

import pytest

from corridor.cli import main
from corridor.scenario import load_scenario, run_scenario
from corridor.scenario.report import run_report

SCENARIO = Path(__file__).parents[2] / "scenarios" / "two-roads.yaml"
HOUR, DAY = 3600, 86400


@pytest.fixture(scope="module")
def report():
    return run_report(run_scenario(load_scenario(SCENARIO)))


def plan(report, plan_id):
    return next(p for p in report["plans"] if p["id"] == plan_id)


def test_receiving_authority_was_waited_on_about_six_days(report):
    waited = plan(report, "two-roads")["waiting_seconds_by_party"]
    assert 6 * DAY <= waited["recv"] < 7 * DAY


def test_host_state_services_were_waited_on_only_hours(report):
    waited = plan(report, "two-roads")["waiting_seconds_by_party"]
    for party in ("border", "customs"):
        assert HOUR <= waited[party] < 12 * HOUR


def test_linked_legs_departed_within_tolerance(report):
    two_roads = plan(report, "two-roads")
    assert two_roads["status"] == "completed"
    assert two_roads["departure_spread_seconds"] == 4 * 60
    assert two_roads["within_tolerance"] is True


def test_single_road_truck_on_day_two_passed(report):
    truck = plan(report, "truck-b")
    assert truck["status"] == "completed"
    assert truck["linkage"] == "independent"
    assert "departure_spread_seconds" not in truck


def test_claims_and_disputes_stand_side_by_side(report):
    incidents = {i["id"]: i for i in report["incidents"]}
    assert incidents["inc-gnss"]["reporter"] == "recv"
    assert incidents["inc-gnss"]["disputes"] == []
    assert [d["party"] for d in incidents["inc-mines"]["disputes"]] == ["recv"]


def test_cli_json_has_the_documented_fields(capsys):
    assert main(["scenario", "run", str(SCENARIO), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for entry in out["plans"]:
        assert {"id", "status", "waiting_seconds_by_party"} <= entry.keys()
    assert plan(out, "two-roads")["departure_spread_seconds"] == 240


def test_cli_text_shows_timeline_and_summary(capsys):
    assert main(["scenario", "run", str(SCENARIO)]) == 0
    out = capsys.readouterr().out
    assert "Timeline" in out and "Plan two-roads (simultaneous" in out
    assert "recv          6d 6h 55m" in out
    assert "within tolerance" in out
