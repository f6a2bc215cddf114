"""Go is offered as the agreed window allows it (web/actions.py `go_action`): before the window opens the plan
page and the go board say when go opens, on the crossing's clock and how long until then, instead of a button
the rules would refuse; after the window has closed they say so beside the button. Only those who may give go
read when the window opens: the public and the parties not on the plan see nothing of it."""

from __future__ import annotations

import pytest
from django.test import Client

from corridor.service import clock

from . import stages
from .test_pages import signed_in

pytestmark = pytest.mark.django_db
EARLY = 1694426400  # 10:00 UTC (14:00 in Baku): the window is 12:00–13:00 UTC, go is taken from 11:45 UTC
GO_FORM = 'action="/plans/p1/act/plan.go"'


def cleared_early(parties) -> None:
    """The plan scheduled for 12:00–13:00 UTC, its leg at Lachin at 10:00 and cleared by the border at 10:01."""
    stages.submitted(parties)
    stages.consented(parties)
    stages.scheduled(parties)
    stages.arrived(parties, at=EARLY)
    stages.post(parties, "border", "/plans/p1/inspect", {
        "leg": "leg-a", "checkpoint": "lachin-checkpoint", "decision": "cleared",
        "findings": [{"line": "flour", "found": 20}]}, EARLY + 60)


def test_before_the_window_opens_the_pages_say_when_go_opens_instead_of_a_button(parties):
    cleared_early(parties)
    org = signed_in("org-a")
    with clock.frozen_at(EARLY + 120):
        page = org.get("/plans/p1").content.decode()
        board = org.get("/plans/p1/go").content.decode()
    said = ("Go opens at \u2068Sept. 11, 2023, \u206615:45 UTC+4\u2069\u2069 (time at the crossing) — "
            "in \u20681\xa0hour, 43\xa0minutes\u2069.")
    assert GO_FORM not in page and said in page  # the window's 16:00 in Baku, less the 15 minutes' tolerance
    assert GO_FORM not in board and said in board
    with clock.frozen_at(EARLY + 2 * 3600 - 15 * 60):  # 11:45 UTC: the engine takes a go from now
        assert GO_FORM in org.get("/plans/p1").content.decode()
        board = org.get("/plans/p1/go").content.decode()
    assert GO_FORM in board and "Go opens at" not in board


def test_the_escort_reads_it_in_its_language(parties):
    cleared_early(parties)
    escort = signed_in("escort")
    escort.cookies["django_language"] = "ru"
    with clock.frozen_at(EARLY + 120):
        page = escort.get("/plans/p1").content.decode()
    assert "Начать движение можно с" in page and "через" in page and GO_FORM not in page


def test_after_the_window_has_closed_the_button_says_so(parties):
    cleared_early(parties)
    org = signed_in("org-a")
    with clock.frozen_at(1694440800):  # 14:00 UTC: the window closed at 13:00
        page = org.get("/plans/p1").content.decode()
        board = org.get("/plans/p1/go").content.decode()
    said = "The agreed window closed at \u2068Sept. 11, 2023, \u206617:00 UTC+4\u2069\u2069 (time at the crossing)"
    for shown in (page, board):
        assert GO_FORM in shown and said in shown and "\u20681\xa0hour\u2069 ago: a go now comes after it." in shown


def test_nobody_else_reads_when_the_window_opens(parties):
    cleared_early(parties)
    with clock.frozen_at(EARLY + 120):
        for reader in (Client(), signed_in("org-b"), signed_in("mediator")):
            for path in ("/plans/p1", "/plans/p1/go"):
                shown = reader.get(path).content.decode()
                assert "Go opens at" not in shown and "15:45" not in shown and GO_FORM not in shown, path
