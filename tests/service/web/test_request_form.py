"""The request form (/plans/new): a plan id proposed by the service, any number of legs (added and removed
without JavaScript), direction, the tolerance for a simultaneous departure, an expiry, lines typed, pasted or
uploaded (naming the vehicle that carries them by its plate), and the plan.submit statement that results.
Only a humanitarian organisation's officers see the form or a link to it."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client

from corridor.ledger.envelope import unseal
from corridor.service import clock
from corridor.service.ledger.models import LogEntry
from corridor.service.passages.models import Plan
from corridor.service.web import zones
from corridor.service.web.request_form import Draft, _assign_vehicles, _crew, _seat_crew, _typed_as_csv

from .test_flows import LINES, request_form
from .test_pages import signed_in

pytestmark = pytest.mark.django_db
T = 1694420000  # 2023-09-11T08:13:20Z


def last_statement() -> dict:
    return unseal(bytes(LogEntry.objects.order_by("-idx").first().data)).statement


def form_values(page: str) -> dict[str, str]:
    """The inputs' values and the textareas' text of a rendered form (what a browser would post back)."""
    values = dict(re.findall(r'<input id="([^"]+)" name="[^"]+"[^>]*? value="([^"]*)"', page))
    values |= dict(re.findall(r'<textarea id="([^"]+)"[^>]*>([^<]*)</textarea>', page))
    return values


def convoy(trucks_per_leg=(7, 7, 6)) -> dict:
    """A 20-truck convoy on three legs: road A forward, road B in reverse, road A again; linked."""
    data = {"plan": "convoy-1", "linkage": "simultaneous", "tolerance_minutes": "30",
            "expires_at": "2023-09-30T18:00", "legs": "3"}
    for n, (route, direction, trucks) in enumerate(zip(("road-a", "road-b", "road-a"),
                                                        ("forward", "reverse", "forward"), trucks_per_leg,
                                                        strict=True), start=1):
        plates = [f"L{n}-{t:02d}" for t in range(1, trucks + 1)]
        data |= {f"leg{n}_route": route, f"leg{n}_direction": direction,
                 f"leg{n}_lines": "\n".join(f"flour-{t},Wheat flour,food,20,t,20000,{plate}"
                                            for t, plate in enumerate(plates, start=1)),
                 f"leg{n}_vehicles": "\n".join(f"{plate}, 20 t truck" for plate in plates),
                 f"leg{n}_seals": " ".join(f"S-{n}{t:02d}" for t in range(1, trucks + 1)),
                 f"leg{n}_crew": "\n".join(f"Driver {n}.{t}; P-{n}{t:04d}; {plate}"  # each in their truck
                                           for t, plate in enumerate(plates, start=1))}
    return data


def test_the_form_proposes_a_plan_id_and_starts_with_one_leg(parties):
    with clock.frozen_at(T):
        page = signed_in("org-a").get("/plans/new").content.decode()
    assert 'value="org-a-20230911-1"' in page
    assert 'id="leg1_route"' in page and 'id="leg2_route"' not in page
    assert 'name="tolerance_minutes"' in page and 'value="15"' in page
    assert "Add another leg" in page and "Submit and sign" not in page


def test_the_proposed_id_skips_ids_already_taken(parties):
    org = signed_in("org-a")
    with clock.frozen_at(T):
        org.post("/plans/new", request_form(plan="org-a-20230911-1", action="submit"))
        assert Plan.objects.filter(pk="org-a-20230911-1").exists()
        assert 'value="org-a-20230911-2"' in org.get("/plans/new").content.decode()


def test_add_another_leg_keeps_what_was_typed_and_remove_moves_the_next_legs_up(parties):
    org = signed_in("org-a")
    with clock.frozen_at(T):
        page = org.post("/plans/new", {"plan": "p1", "legs": "1", "leg1_route": "road-a", "leg1_lines": LINES,
                                       "leg1_vehicles": "HA-101", "action": "add_leg"}).content.decode()
        assert 'id="leg2_route"' in page and 'id="leg3_route"' not in page
        assert "HA-101" in page and "Readiness checklist" not in page
        values = form_values(page) | {"leg2_route": "road-b", "leg2_vehicles": "HA-102", "action": "add_leg"}
        page = org.post("/plans/new", values).content.decode()
        assert 'id="leg3_route"' in page
        values = form_values(page) | {"leg3_vehicles": "HA-103", "action": "remove_leg:2"}
        page = org.post("/plans/new", values).content.decode()
    assert 'id="leg3_route"' not in page
    assert form_values(page)["leg1_vehicles"] == "HA-101" and form_values(page)["leg2_vehicles"] == "HA-103"


def test_a_three_leg_twenty_truck_convoy_is_signed_with_direction_tolerance_and_expiry(parties):
    org = signed_in("org-a")
    with clock.frozen_at(T):
        review = org.post("/plans/new", convoy() | {"action": "review"}).content.decode()
        assert "Legs: <strong>3</strong> · Vehicles: <strong>20</strong>" in review and "Submit and sign" in review
        response = org.post("/plans/new", convoy() | {"action": "submit"})
    assert response.status_code == 302 and response["Location"] == "/plans/convoy-1"
    statement = last_statement()
    assert statement["type"] == "plan.submit" and statement["plan"] == "convoy-1" and statement["party"] == "org-a"
    content = statement["payload"]
    assert content["linkage"] == "simultaneous" and content["tolerance_seconds"] == 1800
    assert content["expires_at"] == "2023-09-30T14:00:00Z"  # 18:00 at the crossing of road A (Baku, UTC+4)
    assert [leg["direction"] for leg in content["legs"]] == ["forward", "reverse", "forward"]
    assert sum(len(leg["vehicles"]) for leg in content["legs"]) == 20
    assert "L1-01" not in str(content)  # plates are committed, never in clear on the log
    assert [seat["vehicle"] for seat in content["legs"][1]["crew"]] == [f"v{t}" for t in range(1, 8)]
    assert "Driver 1.1" not in str(content)
    plan = Plan.objects.get(pk="convoy-1")
    assert plan.vehicles == 20 and plan.legs.count() == 3


def test_an_expiry_already_past_is_refused_beside_the_form_and_nothing_is_signed(parties):
    org = signed_in("org-a")
    with clock.frozen_at(T):
        page = org.post("/plans/new", request_form(expires_at="2023-09-10T12:00", action="submit")).content.decode()
    assert "the request would lapse before it is submitted" in page and not Plan.objects.exists()


def test_the_expiry_is_typed_on_the_clock_of_the_first_legs_crossing_and_kept_in_utc(parties, monkeypatch):
    org = signed_in("org-a")
    page = org.get("/plans/new").content.decode()
    assert "(time at the crossing of the first leg, UTC+4; optional)" in page and "(UTC, optional)" not in page
    zoned = {"road-a": "America/St_Johns"}  # the first leg's route decides, not the operation's clock
    monkeypatch.setattr(zones, "route_zone", lambda route, checkpoint=None: zoned.get(route, "Asia/Baku"))
    with clock.frozen_at(T):
        review = org.post("/plans/new", convoy() | {"action": "review"}).content.decode()
        assert "(time at the crossing of the first leg, UTC-2:30; optional)" in review
        org.post("/plans/new", convoy() | {"action": "submit"})
    assert last_statement()["payload"]["expires_at"] == "2023-09-30T20:30:00Z"  # 18:00 in St John's
    with clock.frozen_at(T):
        org.post("/plans/new", request_form(plan="web-z", expires_at="2023-09-30T18:00Z", action="submit"))
    assert last_statement()["payload"]["expires_at"] == "2023-09-30T18:00:00Z"  # written in UTC, read so


@pytest.mark.parametrize(("field", "value", "shown"), [
    ("tolerance_minutes", "two hours", "Tolerance: a whole number of minutes from 0 to 1440."),
    ("tolerance_minutes", "1441", "Tolerance: a whole number of minutes from 0 to 1440."),
    ("expires_at", "next week", "Expiry: a date and time"),
    ("linkage", "both", "Linkage: choose one of the options."),
    ("leg1_direction", "sideways", "Leg 1: direction: choose one of the options."),
    ("leg1_route", "", "Leg 1: choose its route."),
])
def test_a_field_not_understood_is_said_and_nothing_is_signed(parties, field, value, shown):
    with clock.frozen_at(T):
        page = signed_in("org-a").post("/plans/new", request_form(**{field: value}, action="submit")).content.decode()
    assert shown in page and not Plan.objects.exists()


def test_an_uploaded_manifest_survives_adding_a_leg_as_typed_lines(parties):
    upload = io.BytesIO(b"id,item,category,quantity,unit,weight_kg\nrice,Rice,food,40,bag,1000\n")
    upload.name = "manifest.csv"
    with clock.frozen_at(T):
        page = signed_in("org-a").post("/plans/new", {"plan": "p1", "legs": "1", "leg1_route": "road-a",
                                                      "leg1_manifest": upload, "action": "add_leg"}).content.decode()
    assert "rice,Rice,food,40,bag,1000" in form_values(page)["leg1_lines"]


def test_cells_pasted_from_a_spreadsheet_with_their_header_row_are_read():
    pasted = "id\titem\tcategory\tquantity\tunit\tweight_kg\nrice\tRice, long grain\tfood\t40\tbag\t1000\n"
    assert _typed_as_csv(pasted) == (b'id,item,category,quantity,unit,weight_kg\nrice,"Rice, long grain",food,40,'
                                     b"bag,1000\n")
    assert _typed_as_csv("rice,Rice,food,40,bag,1000").startswith(b"id,item,category,quantity,unit,weight_kg,vehicle\n")


def test_a_line_names_its_vehicle_by_plate_or_number_and_the_plate_stays_off_the_content():
    draft = Draft()
    vehicles = [{"id": "v1", "plate": "HA 101", "type": "truck"}, {"id": "v2", "plate": "HA-102", "type": "truck"}]
    lines = [{"id": "a", "vehicle": "ha101"}, {"id": "b", "vehicle": "2"}, {"id": "c"}, {"id": "d", "vehicle": "X-9"}]
    _assign_vehicles(draft, "leg-1", lines, vehicles)
    assert lines[:3] == [{"id": "a", "vehicle": "v1"}, {"id": "b", "vehicle": "v2"}, {"id": "c"}]
    assert "X-9 is not one of this leg's vehicles" in draft.row_errors["leg-1"][0]["message"]


@pytest.mark.parametrize(("party", "role", "requests"), [
    ("org-a", "officer", True), ("org-a", "admin", True), ("org-a", "viewer", False), ("border", "officer", False),
    ("border", "admin", False), ("escort", "officer", False), ("mediator", "admin", False),
])
def test_only_a_humanitarian_organisations_signers_are_offered_the_request(parties, party, role, requests):
    client = signed_in(party, role)
    for path in ("/home", "/plans", "/"):
        assert ("Request passage" in client.get(path).content.decode()) is requests, path
    assert client.get("/plans/new").status_code == (200 if requests else 404)


def test_the_public_is_offered_no_request():
    assert "Request passage" not in Client().get("/plans").content.decode()


def test_a_crew_member_names_their_vehicle_by_plate_or_number_or_none():
    draft = Draft()
    vehicles = [{"id": "v1", "plate": "HA 101", "type": "truck"}, {"id": "v2", "plate": "HA-102", "type": "truck"}]
    members = _crew("Ana; P-1; ha101\nBo\tP-2\t2\nCy; P-3\nDi; P-4; X-9")
    _seat_crew(draft, 1, members, vehicles)
    assert [m.get("vehicle") for m in members] == ["v1", "v2", None, None]
    assert draft.errors == ["Leg 1, crew: X-9 is not one of this leg's vehicles (write its plate or its number in "
                            "the list)."]


def test_crew_naming_no_vehicle_of_the_leg_is_said_and_nothing_is_signed(parties):
    with clock.frozen_at(T):
        page = signed_in("org-a").post("/plans/new", convoy() | {"leg1_crew": "Ana; P-1; ZZ-999",
                                                                 "action": "submit"}).content.decode()
    assert "Leg 1, crew: ZZ-999 is not one of this leg&#x27;s vehicles" in page and not Plan.objects.exists()
