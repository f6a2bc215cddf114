"""`corridor demo`: the worked example's history as signed statements on a new install, so a first visit
finds the public figures, the waiting-on board, a completed plan and work waiting on a party's home page;
`--empty` for an install without it; never twice, never on a log already in use."""

from __future__ import annotations

import pytest
from django.test import Client

from corridor.cli import main
from corridor.service import clock
from corridor.service.demo import seed_history
from corridor.service.ledger.models import LogEntry
from corridor.service.ledger.record import current_fold

from .conftest import SCENARIO

pytestmark = pytest.mark.django_db
NOW = 1795000000  # 2026-11-19T…: "today" for the open request


def statements_in_scenario() -> int:
    from corridor.scenario.loader import load_scenario

    return sum(1 for item in load_scenario(SCENARIO).statements if item.do != "plan.reveal" or item.payload)


def test_the_history_is_recorded_once_as_the_scenario_says(parties):
    recorded = seed_history(SCENARIO, now=NOW)
    state = current_fold().state
    assert recorded == statements_in_scenario() + 2  # and today's open request: submitted, one consent
    assert state.plans["two-roads"].status == "completed" and state.plans["truck-b"].status == "completed"
    waiting = state.plans["truck-b2"]
    assert waiting.status == "awaiting_consent" and waiting.requester == "org-b"
    size = LogEntry.objects.count()
    assert seed_history(SCENARIO, now=NOW + 60) == 0 and LogEntry.objects.count() == size


def test_the_completed_plans_window_and_plates_are_revealed_by_the_service(parties):
    seed_history(SCENARIO, now=NOW)
    kinds = [(entry["type"], entry.get("plan")) for entry in _statements()]
    assert ("plan.reveal", "two-roads") in kinds and ("plan.reveal", "truck-b") in kinds


def test_no_history_on_a_log_in_use(parties):
    from .plans import plan_body

    with clock.frozen_at(NOW):
        assert parties["org-a"].post("/plans", plan_body("p1"))[0] == 201
    assert seed_history(SCENARIO, now=NOW) == 0 and list(current_fold().state.plans) == ["p1"]


def test_demo_command_seeds_and_publishes_then_the_pages_show_it(capsys, tiles, remembered_demo):
    with clock.frozen_at(NOW):
        assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "signed statements recorded" in out
    public = Client()
    with clock.frozen_at(NOW):
        page = public.get("/").content.decode()
        plan = public.get("/plans/two-roads")
    assert "Receiving authority (Khankendi)" in page and "Nobody has been waited on yet" not in page
    assert plan.status_code == 200
    assert (tiles / "checkpoint").exists()
    with clock.frozen_at(NOW + 60):
        assert main(["demo"]) == 0
    assert "no example history added" in capsys.readouterr().out


def test_demo_empty_records_only_the_registry(capsys, tiles, remembered_demo):
    assert main(["demo", "--empty"]) == 0
    assert not current_fold().state.plans
    assert "history" not in capsys.readouterr().out


@pytest.fixture
def remembered_demo(tmp_path, monkeypatch):
    monkeypatch.setattr("corridor.commands.service.demo_credentials_path", lambda: tmp_path / "demo.json")


def _statements() -> list[dict]:
    from corridor.ledger.envelope import unseal

    return [unseal(bytes(entry.data)).statement for entry in LogEntry.objects.order_by("idx")]
