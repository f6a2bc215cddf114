"""What a border chief, a logistics delegate and a mediator met walking a 3-leg convoy through the pages in
Russian and Arabic (issue 13's "without reading a code or an id"): each test is one place that showed a
raw time, an id or a silent default, read as its reader now reads it."""

from __future__ import annotations

import pytest
from django.test import Client

from corridor.service import clock

from ..api_driver import drive
from ..conftest import SCENARIO
from . import stages
from .test_checkpoint import AT, SCREEN, at_lachin
from .test_every_language import utc_stamps, visible_texts
from .test_pages import signed_in
from .test_plan_list import DAY, T, submit
from .test_plan_page import FINDING, carried_by_truck

pytestmark = pytest.mark.django_db


def test_the_plan_list_gives_times_on_the_crossings_clock_and_waits_in_the_readers_words(parties):
    drive(SCENARIO, parties)
    submit(parties, "open-1", T + 10 * DAY)
    client = Client()
    client.cookies["django_language"] = "ru"
    with clock.frozen_at(T + 13 * DAY):
        page = client.get("/plans").content.decode()
    texts = visible_texts(page)
    assert utc_stamps(texts) == []  # no 2023-09-21T08:13:20Z left as the log writes it
    assert "21 сентября 2023 г." in page and "12:13 UTC+4" in page  # open-1's submission, at Lachin
    assert '<time datetime="2023-09-21T08:13:20Z" title="2023-09-21 08:13 UTC">' in page
    assert "3 д 0 ч 0 мин" in page and "3d 0h" not in page  # how long each party has been waited on
    assert "18 сентября 2023 г." in page and "11:00 UTC+4" in page  # two-roads' revealed window, local


def cleared_before_its_window(parties) -> None:
    """p1 consented, its slot agreed for the next day (12 Sep, 12:00–13:00 UTC), its leg inspected and
    cleared on the 11th."""
    stages.submitted(parties, legs=carried_by_truck())
    stages.consented(parties)
    stages.post(parties, "org-a", "/plans/p1/propose-slot",
                {"slot": "s1", "start": "2023-09-12T12:00:00Z", "end": "2023-09-12T13:00:00Z"}, stages.T + 1800)
    for party in stages.REQUIRED:
        stages.post(parties, party, "/plans/p1/confirm-slot", {"slot": "s1"}, stages.T + 2400)
    stages.arrived(parties)
    stages.post(parties, "border", "/plans/p1/inspect", FINDING, 1694434000)


def test_a_go_before_the_agreed_window_says_when_it_opens_instead_of_a_go_form(parties):
    cleared_before_its_window(parties)
    org = signed_in("org-a")
    org.cookies["django_language"] = "ru"
    with clock.frozen_at(1694434100):  # 11 Sep, 12:08 UTC: a day early
        page = org.get("/plans/p1").content.decode()
        # go is taken from the window's start less the 15 minutes' tolerance (web/actions.py go_action)
        assert "Начать движение можно с \u206812 сентября 2023 г., \u206615:45 UTC+4\u2069\u2069" in page
        assert 'action="/plans/p1/act/plan.go"' not in page
        answer = org.post("/plans/p1/act/plan.go", {"as": "org-a", "version": stages.version(parties)}, follow=True)
    said = answer.content.decode()
    assert "Согласованное окно открывается \u206812 сентября 2023 г., \u206616:00 UTC+4\u2069\u2069, через" in said
    assert "Это невозможно" not in said  # not the general "not possible at this stage"
    assert parties["org-a"].get("/plans/p1")[1]["legs"][0]["phase"] == "cleared"  # nothing was recorded


def test_a_go_refused_for_another_reason_keeps_the_general_sentence(parties):
    cleared_before_its_window(parties)
    org = signed_in("org-a")
    with clock.frozen_at(1694520000):  # 12 Sep, 12:00 UTC: the window is open; a stale page's go is refused
        stages.post(parties, "escort", "/plans/p1/go", {}, 1694520000)
        answer = org.post("/plans/p1/act/plan.go", {"as": "org-a", "version": stages.version(parties)}, follow=True)
    said = answer.content.decode()
    assert "The agreed window opens" not in said and "not possible at the plan" in said


def test_a_refusal_asks_for_its_reason_instead_of_choosing_one(parties):
    stages.submitted(parties)
    page = signed_in("border").get("/plans/p1").content.decode()
    form = page.split('action="/plans/p1/act/plan.refuse"', 1)[1].split("</form>", 1)[0]
    assert '<select id="reason-border-' in form and '<option value="">— choose a reason —</option>' in form
    answer = signed_in("border").post("/plans/p1/act/plan.refuse", {"as": "border", "version": stages.version(parties),
                                                                     "reason": "", "text": ""}, follow=True)
    assert "Choose a reason from the list." in answer.content.decode()
    assert parties["org-a"].get("/plans/p1")[1]["status"] == "submitted"  # nothing recorded


def test_a_manifest_row_problem_is_said_in_the_readers_language_with_the_columns_header(parties):
    """Pasted from a Russian spreadsheet: a weight with a decimal comma is a row error (not 11005 kg), said in
    Russian, the column named as the header reads."""
    org = signed_in("org-a")
    org.cookies["django_language"] = "ru"
    rows = "Item\tQuantity\tUnit\tWeight (kg)\nCooking oil\t1200,75\tl\t1100,5\nFlour\t0\tt\t2500\n"
    form = {"action": "review", "as": "org-a", "plan": "c1", "legs": "1", "leg1_route": "road-a",
            "leg1_vehicles": "AA 100", "leg1_lines": rows}
    page = org.post("/plans/new", form).content.decode()
    assert "строка 2, Вес (кг): «1100,5» — не целое число килограммов" in page
    assert "строка 3, Количество: «0» — не количество: нужно число больше нуля" in page
    assert "weight_kg" not in page.split("<main", 1)[1].split("leg1_lines-hint", 1)[1]  # nor in English


def test_the_checkpoint_screen_names_each_vehicle_by_its_place_and_plate_not_its_id(parties):
    at_lachin(parties)  # c1: truck-1 (HA-101) and truck-2 (HA-102), at Lachin
    with clock.frozen_at(AT):
        page = signed_in("border").get(SCREEN).content.decode()
    assert 'Vehicle 1 · 20 t truck · <span class="plate">HA-101</span>' in page
    assert 'Vehicle 2 · 10 t truck · <span class="plate">HA-102</span>' in page
    assert "Vehicle truck-1" not in page and "Vehicle truck-2" not in page


def test_a_refused_plan_tells_its_requester_the_way_on_in_their_language(parties):
    """A line refused makes the plan refused; its requester's page said nothing but offered "Cancel"."""
    stages.submitted(parties)
    body = {"version": stages.version(parties), "reason": "dual_use", "text": "not this item",
            "lines": [{"leg": "leg-a", "line": "flour"}]}
    stages.post(parties, "customs", "/plans/p1/refuse", body, stages.T + 60)
    org = signed_in("org-a")
    org.cookies["django_language"] = "ru"
    page = org.get("/plans/p1").content.decode()
    notice = page.split('<p class="notice" role="status">', 1)[1].split("</p>", 1)[0]
    assert "Обязательная сторона отказала в этой версии плана" in notice and "/plans/p1/amend?as=org-a" in notice
    assert '<p class="notice" role="status">' not in signed_in("customs").get("/plans/p1").content.decode()


def test_the_amend_page_says_which_lines_were_refused_by_whom_in_words(parties):
    """After a line refusal the requester had to find the line's id in a CSV; now it is named as on the truck."""
    stages.submitted(parties, legs=carried_by_truck())
    body = {"version": stages.version(parties), "reason": "dual_use", "text": "not this item",
            "lines": [{"leg": "leg-a", "line": "flour"}]}
    stages.post(parties, "customs", "/plans/p1/refuse", body, stages.T + 60)
    org = signed_in("org-a")
    org.cookies["django_language"] = "ru"
    page = org.get("/plans/p1/amend").content.decode()
    notice = page.split('<section class="notice"', 1)[1].split("</section>", 1)[0]
    assert "Host state customs service отказывает в этой версии" in notice and "not this item" in notice
    assert "<strong>Wheat flour</strong> 20 t · Lachin–Khankendi" in notice
    assert '<span class="plate">AB 123</span>' in notice  # the truck it is on, by plate (the requester's own)
    assert "flour" not in notice.replace("Wheat flour", "") and "leg-a" not in notice  # no ids


def test_the_checkpoint_screens_tables_of_legs_number_the_vehicles_instead_of_their_ids(parties):
    at_lachin(parties, arrive=False)  # c1 expected today
    with clock.frozen_at(AT):
        page = signed_in("border").get(SCREEN).content.decode()
    assert '1 · 20 t truck · <span class="plate">HA-101</span><br>2 · 10 t truck' in page
    assert "truck-1 ·" not in page and "truck-2 ·" not in page
