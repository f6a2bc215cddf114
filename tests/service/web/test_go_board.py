"""The go board says when go was given and by whom, on the crossing's clock, and each leg's phase after it:
no disabled "Go … waiting for every leg to be cleared" once the legs have gone."""

from __future__ import annotations

import pytest
from django.test import Client

from corridor.service import clock

from . import stages
from .test_pages import signed_in

pytestmark = pytest.mark.django_db
FINDING = {"leg": "leg-a", "checkpoint": "lachin-checkpoint", "decision": "cleared",
           "findings": [{"line": "flour", "found": 20, "codes": []}]}


def cleared(parties) -> None:
    stages.submitted(parties)
    stages.consented(parties)
    stages.scheduled(parties)
    stages.arrived(parties)
    stages.post(parties, "border", "/plans/p1/inspect", FINDING, 1694434000)


def test_go_given_is_said_with_its_time_and_party_then_departure_and_delivery(parties):
    cleared(parties)
    org = signed_in("org-a")
    with clock.frozen_at(1694434100):
        board = org.get("/plans/p1/go").content.decode()
    assert "/act/plan.go" in board and "Go given" not in board
    stages.post(parties, "escort", "/plans/p1/go", {}, 1694434200)  # 12:10Z, 16:10 on Baku's clock
    with clock.frozen_at(1694434250):
        board = org.get("/plans/p1/go", HTTP_HX_REQUEST="true").content.decode()
    assert "Go given at \u2068Sept. 11, 2023, \u206616:10 UTC+4\u2069\u2069 by Peacekeeping contingent." in board
    assert "/act/plan.go" not in board and "Waiting for" not in board and "disabled" not in board
    assert 'class="phase-released">released' in board
    stages.post(parties, "org-a", "/plans/p1/depart", {"leg": "leg-a"}, 1694434300)
    stages.post(parties, "recv", "/plans/p1/deliver",
                {"leg": "leg-a", "receipts": [{"line": "flour", "good": 20}]}, 1694440000)
    with clock.frozen_at(1694440100):
        board = Client().get("/plans/p1/go").content.decode()  # public: who gave go is on the public log
    assert "Go given at" in board and "by Peacekeeping contingent." in board
    assert 'class="phase-delivered">delivered' in board and "17:46 UTC+4</bdi>" in board  # delivered at 13:46:40Z
    assert "/act/plan.go" not in board


def test_a_party_not_moving_the_plan_is_offered_no_go(parties):
    cleared(parties)
    with clock.frozen_at(1694434100):
        board = signed_in("customs").get("/plans/p1/go").content.decode()
        refused = signed_in("org-b").post("/plans/p1/act/plan.go", {"as": "org-b", "back": "go-board"})
    assert "/act/plan.go" not in board and refused.status_code == 404
