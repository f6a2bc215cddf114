"""Acceptance: the two-roads example through the HTTP API, one client per party, gives the states and
waiting times of `corridor scenario run`, and `corridor verify` accepts the log the service wrote."""

from __future__ import annotations

import pytest

from corridor.cli import main
from corridor.scenario.loader import load_scenario
from corridor.scenario.report import run_report
from corridor.scenario.runner import run_scenario
from corridor.service import clock
from corridor.service.exports.tables import waiting_query, waiting_rows
from corridor.service.ledger.integrator import integrate_now
from corridor.service.ledger.keys import trust_text
from corridor.service.passages.models import Plan

from ..api_driver import drive
from ..conftest import SCENARIO

pytestmark = pytest.mark.django_db(transaction=True)


def expected_report():
    return {plan["id"]: plan for plan in run_report(run_scenario(load_scenario(SCENARIO)))["plans"]}


def test_two_roads_through_the_api_matches_the_scenario_run(parties, tiles, tmp_path, capsys):
    answers = drive(SCENARIO, parties)
    run = run_scenario(load_scenario(SCENARIO))
    expected = expected_report()
    assert {p.id: p.status for p in Plan.objects.all()} == {pid: plan["status"] for pid, plan in expected.items()}
    for plan_id, plan in expected.items():
        rows = waiting_rows(waiting_query().filter(plan_id=plan_id), now=run.as_of)
        assert {row["party"]: row["waited_seconds"] for row in rows} == plan["waiting_seconds_by_party"]
    assert [a["index"] for a in answers] == sorted(a["index"] for a in answers)

    integrate_now()
    trust = tmp_path / "trust.txt"
    trust.write_text(trust_text())
    capsys.readouterr()
    assert main(["verify", str(tiles), "--trust", str(trust), "--state", str(tmp_path / "seen.json")]) == 0
    assert "OK:" in capsys.readouterr().out


def test_receiving_authority_waited_six_days_and_the_host_services_hours(parties, public):
    drive(SCENARIO, parties)
    with clock.frozen_at(1695081600):  # 2023-09-19, after the passage
        response = public.get("/api/v1/plans/two-roads").json()
    waited = {row["party"]: row["waited_seconds"] for row in response["waiting"]}
    assert 6 * 86400 < waited["recv"] < 7 * 86400
    assert waited["border"] < 4 * 3600 and waited["customs"] < 5 * 3600
    assert response["status"] == "completed"
    assert response["timeline"][0]["proof"].startswith("/log/proof/")
