"""Legs by name, not id: a leg reads as its route's name, with its place in the plan when two legs share the
route ("Lachin–Khankendi, leg 3"); ids like `leg-1` stay in the log, the API and the forms' hidden fields."""

from __future__ import annotations

import re

import pytest

from corridor.service import clock
from corridor.service.ledger.record import known_fold
from corridor.service.web.leg_names import leg_names, plan_leg_name

from .test_pages import signed_in
from .test_request_form import T, convoy

pytestmark = pytest.mark.django_db
NAMES = {"leg-1": "Lachin–Khankendi, leg 1", "leg-2": "Aghdam–Khankendi", "leg-3": "Lachin–Khankendi, leg 3"}


def shown_text(page: str) -> str:
    """What a reader sees: the page without its tags (attributes, hidden fields) and scripts."""
    return re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", "", page, flags=re.S))


@pytest.fixture
def three_legs(parties):
    with clock.frozen_at(T):
        assert signed_in("org-a").post("/plans/new", convoy() | {"action": "submit"}).status_code == 302


def test_a_leg_is_named_by_its_route_and_its_place_when_routes_repeat(three_legs):
    state = known_fold().state
    assert leg_names(state.plans["convoy-1"].content.legs, state.routes) == NAMES
    assert plan_leg_name("convoy-1", "leg-2") == "Aghdam–Khankendi"
    assert plan_leg_name("convoy-1", "leg-9") == "leg-9" and plan_leg_name("no-plan", "leg-1") == "leg-1"


@pytest.mark.parametrize("party", ["org-a", "border", "mediator"])
def test_no_leg_id_reaches_the_plan_page_the_go_board_or_the_timeline(three_legs, party):
    page = signed_in(party, "admin" if party == "mediator" else "officer").get("/plans/convoy-1").content.decode()
    text = shown_text(page)
    assert not re.search(r"\bleg-\d", text), re.findall(r".{40}\bleg-\d.{40}", text)
    assert "Lachin–Khankendi, leg 3: Wheat flour 120 t; 6 vehicles" in text  # the plan.submit, by name, totalled
    board = shown_text(signed_in("org-a").get("/plans/convoy-1/go").content.decode())
    assert not re.search(r"\bleg-\d", board) and "Leg 3" in board


def test_the_amend_form_names_each_leg(three_legs):
    form = signed_in("org-a").get("/plans/convoy-1/amend").content.decode()
    assert "<legend>Lachin–Khankendi, leg 1</legend>" in form and "<legend>Aghdam–Khankendi</legend>" in form
    assert not re.search(r"\bleg-\d", shown_text(form))


def test_names_are_translated(three_legs):
    from django.utils import translation

    state = known_fold().state
    with translation.override("fr"):
        assert leg_names(state.plans["convoy-1"].content.legs, state.routes)["leg-3"] == "Lachin–Khankendi, tronçon 3"


def test_the_words_shown_before_signing_name_the_leg():
    from corridor.service.web.describe import Context, describe

    statement = {"type": "leg.depart", "party": "org-a", "seq": 3, "time": "2023-09-12T07:00:00Z",
                 "plan": "convoy-1", "payload": {"leg": "leg-3"}}
    words = describe(statement, Context(leg="Lachin–Khankendi, leg 3"))
    assert words.startswith("You state that plan convoy-1 departed on Lachin–Khankendi, leg 3.")


def test_the_words_shown_before_signing_name_the_checkpoint_and_isolate_latin_names_in_arabic():
    from django.utils import translation

    from corridor.service.web.describe import Context, describe

    statement = {"type": "leg.arrive", "party": "recv", "seq": 3, "time": "2023-09-12T07:00:00Z",
                 "plan": "convoy-1", "payload": {"leg": "leg-3", "checkpoint": "lachin-checkpoint"}}
    context = Context(leg="Lachin–Khankendi, leg 3", checkpoint="Lachin border and customs checkpoint",
                      party_name="Receiving authority (Khankendi)")
    assert "at checkpoint Lachin border and customs checkpoint." in describe(statement, context)
    with translation.override("ar"):
        words = describe(statement, context)
    assert "\u2068Receiving authority (Khankendi) (recv)\u2069" in words  # its brackets cannot flip
    assert "\u2068convoy-1\u2069" in words and "lachin-checkpoint" not in words
