"""Customs opening the form for a vehicle the border has held reads what the border recorded (web/
earlier_inspections.py): who, when on the crossing's clock, the decision, each line found short by item and
vehicle, the seals, goods no line declares — on the checkpoint screen and in the plan page's form. Only the
plan's parties read what was found; an observer reads who decided what, as before; others see no card."""

from __future__ import annotations

import pytest
from django.test import Client

from corridor.service import clock

from . import stages
from .test_checkpoint import AT, SCREEN, at_lachin
from .test_pages import signed_in

pytestmark = pytest.mark.django_db
HELD = {"leg": "leg-a", "checkpoint": "lachin-checkpoint", "decision": "held", "text": "recount the flour",
        "findings": [{"line": "flour", "found": 17000, "codes": ["missing"]}, {"line": "kits", "found": 400},
                     {"line": "medical", "found": 60}],
        "seals": [{"seal": "S-40211", "intact": True}, {"seal": "S-40212", "intact": False}],
        "undeclared": [{"item": "Cigarettes", "quantity": 20, "unit": "carton"}]}
FOUND = "Wheat flour (Vehicle 1 — HA-101): 17000 kg found, 18000 declared — missing"


def held_by_the_border(parties) -> None:
    at_lachin(parties)
    stages.post(parties, "border", "/plans/c1/inspect", HELD, AT)


def test_customs_reads_on_the_screen_what_the_border_recorded(parties):
    held_by_the_border(parties)
    with clock.frozen_at(AT + 600):
        screen = signed_in("customs").get(SCREEN).content.decode()
    earlier = screen.split('class="earlier-inspections"', 1)[1].split("</div>", 1)[0]
    assert "Already inspected" in earlier and "Host state border service" in earlier and ">held<" in earlier
    assert '<bdi dir="ltr">16:06 UTC+4</bdi>' in earlier and "recount the flour" in earlier  # on Baku's clock
    assert FOUND in earlier and "Family hygiene kits" not in earlier  # only what was found wrong
    assert "Seals checked: S-40211 intact, S-40212 broken" in earlier and "Undeclared: Cigarettes 20 carton" in earlier
    assert "truck-1" not in earlier and "flour:" not in earlier  # no id


def test_the_plan_pages_form_shows_it_too_in_the_readers_language(parties):
    held_by_the_border(parties)
    customs = signed_in("customs")
    with clock.frozen_at(AT + 600):
        page = customs.get("/plans/c1").content.decode()
        form = page.split('action="/plans/c1/act/leg.inspect"', 1)[1].split("</form>", 1)[0]
        assert "Already recorded on this leg" in form and FOUND in form and "S-40212 broken" in form
        customs.cookies["django_language"] = "ar"
        arabic = customs.get("/plans/c1").content.decode()
    form = arabic.split('action="/plans/c1/act/leg.inspect"', 1)[1].split("</form>", 1)[0]
    assert "سبق تسجيله على هذه المرحلة" in form and "S-40211 سليم، S-40212 مكسور" in form


def test_an_observer_reads_who_decided_what_but_nothing_found_and_others_nothing(parties):
    held_by_the_border(parties)
    with clock.frozen_at(AT + 600):
        observer = signed_in("mediator").get(SCREEN).content.decode()
        outsider = signed_in("org-b").get(SCREEN).content.decode()
        public = Client().get("/plans/c1").content.decode()
        outsider_plan = signed_in("org-b").get("/plans/c1").content.decode()
    assert "Already inspected" in observer and ">held<" in observer
    assert "17000 kg found" not in observer and "HA-101" not in observer and "S-40212 broken" not in observer
    assert "recount the flour" not in outsider and "Already inspected" not in outsider
    for shown in (public, outsider_plan):
        assert "Already recorded on this leg" not in shown and FOUND not in shown and "HA-101" not in shown
