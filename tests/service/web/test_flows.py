"""The pages for each step of a passage: request (with the readiness checklist and manifest row errors),
go board, checkpoint screen, incidents. Each action is a signed statement through record()."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from corridor.service import clock
from corridor.service.ledger.models import StatementIndex
from corridor.service.ledger.record import current_fold
from corridor.service.passages.models import CrewMember, Plan

from .test_pages import signed_in

pytestmark = pytest.mark.django_db
T = 1694420000
LINES = "Wheat flour,18000,kg,18000,food,,flour\nHygiene kits,400,kit,2400,wash,,kits"  # the template's order


def request_form(**overrides) -> dict:
    return {"plan": "web-1", "linkage": "simultaneous", "leg1_route": "road-a", "leg1_lines": LINES,
            "leg1_vehicles": "HA-101, 20 t truck", "leg1_seals": "S-1 S-2", "leg1_crew": "Driver One; P1234567",
            "leg2_route": "road-b", "leg2_lines": "Wheat flour,20000,kg,20000,food,,flour",
            "leg2_vehicles": "HA-102"} | overrides


def test_review_shows_the_checklist_then_submit_signs_the_plan(parties):
    org = signed_in("org-a")
    with clock.frozen_at(T):
        review = org.post("/plans/new", request_form(action="review")).content.decode()
        assert "Readiness checklist" in review and "Submit and sign" in review
        response = org.post("/plans/new", request_form(action="submit"))
    assert response.status_code == 302 and response["Location"] == "/plans/web-1"
    plan = Plan.objects.get(pk="web-1")
    assert plan.linkage == "simultaneous" and plan.legs.count() == 2 and plan.vehicles == 2
    assert CrewMember.objects.get().name == "Driver One"


def test_manifest_row_errors_are_shown_beside_the_leg_and_nothing_is_signed(parties):
    org = signed_in("org-a")
    upload = io.BytesIO(b"id,item,category,quantity,unit,weight_kg\nrice,Rice,food,2.5 t,t,100\n")
    upload.name = "manifest.csv"
    with clock.frozen_at(T):
        page = org.post("/plans/new", request_form(action="submit", leg1_lines="", leg1_manifest=upload)).content
    text = page.decode()
    assert "row 2, Quantity: “2.5 t” is not a quantity: a number greater than zero, without a unit" in text
    assert "Submit and sign" not in text and not Plan.objects.exists()


def test_a_manifest_with_decimal_quantities_is_submitted_as_decimal_strings(parties):
    """2.5 t from a spreadsheet (the template's headers, a comma for the decimals) is signed as "2.5"."""
    upload = io.BytesIO(b'Item,Quantity,Unit,Weight (kg),Category\nRice,"2,5",t,2500,food\nOil,20,l,20,food\n')
    upload.name = "manifest.csv"
    with clock.frozen_at(T):
        signed_in("org-a").post("/plans/new", request_form(action="submit", leg1_lines="", leg1_manifest=upload))
    lines = current_fold().state.plans["web-1"].content.legs[0].lines
    assert [(line.id, line.quantity) for line in lines] == [("rice", "2.5"), ("oil", 20)]


def test_only_humanitarian_organisations_see_the_request_form(parties):
    assert signed_in("border").get("/plans/new").status_code == 404


def test_go_board_offers_go_only_when_every_leg_is_cleared(parties):
    org = signed_in("org-a")
    with clock.frozen_at(T):
        org.post("/plans/new", request_form(action="submit"))
    board = org.get("/plans/web-1/go").content.decode()
    assert 'hx-trigger="every 5s"' in board and "disabled" in board
    fragment = org.get("/plans/web-1/go", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and '<th scope="row">Leg 1</th>' in fragment and "leg-1<" not in fragment


def test_checkpoint_screen_records_an_inspection(parties):
    from ..api_driver import drive
    from ..conftest import SCENARIO

    drive(SCENARIO, parties)
    screen = signed_in("border").get("/checkpoints/lachin-checkpoint")
    assert screen.status_code == 200 and "No vehicle is waiting here." in screen.content.decode()
    assert signed_in("customs").get("/checkpoints/nowhere").status_code == 404


def test_incidents_are_reported_and_disputed_from_the_page(parties):
    border, recv = signed_in("border"), signed_in("recv")
    with clock.frozen_at(T):
        border.post("/incidents", {"as": "border", "incident": "mines-1", "category": "mines_uxo",
                                   "place": "Road A km 12", "lat": "39.6", "lon": "46.5",
                                   "occurred_from": "2023-09-10T06:00", "text": "Anti-tank mines found"})
        recv.post("/incidents", {"as": "recv", "dispute": "mines-1", "text": "The area was cleared in 2022"})
    page = recv.get("/incidents").content.decode()
    assert "Anti-tank mines found" in page and "mines and unexploded ordnance" in page  # the category in words
    assert "<em>Receiving authority (Khankendi)</em> (" in page and "): The area was cleared in 2022" in page
    assert StatementIndex.objects.filter(type__startswith="incident.").count() == 2


def test_checkpoint_screen_lists_todays_expected_legs_and_the_waiting_one(parties):
    from ..api_driver import drive
    from ..conftest import SCENARIO

    drive(SCENARIO, parties)  # the scenario ends on 18 Sep, everything delivered
    border = signed_in("border")
    with clock.frozen_at(T):  # 11 Sep: nothing scheduled at Lachin that day
        page = border.get("/checkpoints/lachin-checkpoint").content.decode()
    assert "Nothing expected." in page


PLAN_LINK = 'href="/plans/p1"'


def test_the_checkpoint_screen_is_for_the_parties_of_the_passages_it_lists(parties):
    from . import stages

    stages.submitted(parties)
    stages.consented(parties)
    stages.scheduled(parties)  # expected at Lachin today, 11 Sep, from 12:00
    path = "/checkpoints/lachin-checkpoint"
    with clock.frozen_at(stages.T + 3600):
        anonymous = Client().get(path)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
        # the plan's link, not its bare id: "p1" can occur by chance in the page's random CSRF token
        assert PLAN_LINK in signed_in("border").get(path).content.decode()  # it takes part
        # observers see every passage at the checkpoint, but not when one is expected: the window is private
        # until revealed (docs/rules.md, "What the public log shows and when")
        assert PLAN_LINK not in signed_in("mediator", "viewer").get(path).content.decode()
        outsider = signed_in("org-b").get(path)  # another organisation's passage
        assert outsider.status_code == 200 and PLAN_LINK not in outsider.content.decode()


def test_the_manifests_vehicle_column_names_the_vehicle_carrying_each_line(parties):
    """Vehicles by plate or by number in the list; the lines keep them through the review step."""
    upload = io.BytesIO(b"Item,Quantity,Unit,Weight (kg),Vehicle\nRice,10,t,10000,ab 123\nOil,\"2,5\",t,2500,2\n"
                        b"Tents,4,piece,200,\n")
    upload.name = "manifest.csv"
    form = request_form(action="review", leg1_lines="", leg1_manifest=upload, leg1_vehicles="AB 123\nCD 456, van")
    with clock.frozen_at(T):
        page = signed_in("org-a").post("/plans/new", form).content.decode()
    # the form gives back each line's vehicle by its plate, as the requester wrote it; the plan records its id
    assert ("Item,Quantity,Unit,Weight (kg),Category,Vehicle,Line id\nRice,10,t,10000,,AB 123,rice\n"
            "Oil,2.5,t,2500,,CD 456,oil\nTents,4,piece,200,,,tents") in page
    reviewed = "id,item,category,quantity,unit,weight_kg,vehicle\nrice,Rice,,10,t,10000,AB 123\noil,Oil,,2.5,t,2500,2"
    with clock.frozen_at(T):
        signed_in("org-a").post("/plans/new", form | {"action": "submit", "leg1_manifest": "", "leg1_lines": reviewed})
    lines = current_fold().state.plans["web-1"].content.legs[0].lines
    assert [(line.id, line.quantity, line.vehicle) for line in lines] == [("rice", 10, "v1"), ("oil", "2.5", "v2")]


def test_a_vehicle_the_leg_does_not_have_is_a_row_error(parties):
    upload = io.BytesIO(b"Item,Quantity,Unit,Weight (kg),Vehicle\nRice,10,t,10000,ZZ 999\n")
    upload.name = "manifest.csv"
    with clock.frozen_at(T):
        page = signed_in("org-a").post("/plans/new", request_form(action="submit", leg1_lines="",
                                                                  leg1_manifest=upload)).content.decode()
    assert "vehicle: ZZ 999 is not one of this leg&#x27;s vehicles" in page and not Plan.objects.exists()
