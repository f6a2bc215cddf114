"""The timeline's sentences in each language's own grammar (web/timeline.py): counts in the language's plural
forms, never "vehicle(s)"; lists joined by the language's separator (the Arabic comma); an inspection names
each line found wrong by item and vehicle, and the goods found that no line declares."""

from __future__ import annotations

import pytest
from django.test import Client

from . import stages
from .test_plan_page import two_trucks_of_flour

pytestmark = pytest.mark.django_db
FOUND_WRONG = {"leg": "leg-a", "checkpoint": "lachin-checkpoint", "decision": "cleared",
               "findings": [{"line": "flour-1", "found": "12.25", "codes": ["missing"]},
                            {"line": "flour-2", "found": 20},
                            {"line": "oil-1", "found": "1200.75"},
                            {"line": "oil-2", "found": 8405, "codes": ["damaged", "seal_broken"]}],
               "undeclared": [{"item": "Cigarettes", "quantity": 20, "unit": "carton"}]}


def timeline(client: Client, language: str = "en") -> str:
    client.cookies["django_language"] = language
    return client.get("/plans/p1").content.decode().split('id="timeline"', 1)[1]


def test_a_count_of_vehicles_takes_the_languages_plural_form(parties):
    stages.submitted(parties)  # one truck
    assert "Lachin–Khankendi: Wheat flour 20 t; 1 vehicle<" in timeline(Client())
    assert "; 1 машина<" in timeline(Client(), "ru") and "; 1 véhicule<" in timeline(Client(), "fr")
    stages.submitted(parties, plan="p2", legs=two_trucks_of_flour())
    two = Client()
    two.cookies["django_language"] = "ru"
    page = two.get("/plans/p2").content.decode()
    assert "; 2 машины<" in page and "vehicle(s)" not in page and "транспортных средств:" not in page


def test_arabic_joins_a_list_with_the_arabic_comma(parties):
    stages.submitted(parties, legs=two_trucks_of_flour())
    arabic = timeline(Client(), "ar")
    assert "، Cooking oil" in arabic and ", Cooking oil" not in arabic
    assert "2 مركبتان" in arabic


def test_an_inspection_names_each_line_found_wrong_by_its_vehicle_and_the_undeclared_goods(parties):
    stages.submitted(parties, legs=two_trucks_of_flour())
    stages.consented(parties)
    stages.scheduled(parties)
    stages.arrived(parties)
    stages.post(parties, "border", "/plans/p1/inspect", FOUND_WRONG, 1694434000)
    english = timeline(Client())
    assert ("discrepancies: Wheat flour (Vehicle 1): missing; Cooking oil (Vehicle 2): damaged, seal broken"
            in english)
    assert "undeclared goods found: Cigarettes 20 carton" in english and "line(s)" not in english
    arabic = timeline(Client(), "ar")
    assert "Wheat flour (" in arabic and "؛ Cooking oil (" in arabic and "; Cooking oil" not in arabic
    assert "Cigarettes 20 carton" in arabic
