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
from corridor.service.web.request_form import Draft, _assign_vehicles, _crew, _seat_crew, typed_rows

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
                 f"leg{n}_lines": "\n".join(f"Wheat flour,20,t,20000,food,{plate},flour-{t}"
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
    assert form_values(page)["leg1_lines"] == ("Item,Quantity,Unit,Weight (kg),Category,Vehicle,Line id\n"
                                               "Rice,40,bag,1000,food,,rice")


def test_cells_pasted_from_a_spreadsheet_with_their_header_row_are_read():
    pasted = "id\titem\tcategory\tquantity\tunit\tweight_kg\nrice\tRice, long grain\tfood\t40\tbag\t1000\n"
    assert typed_rows(pasted) == (["id", "item", "category", "quantity", "unit", "weight_kg"], 1,
                                  [(2, ["rice", "Rice, long grain", "food", "40", "bag", "1000"])])


def test_a_typed_row_among_rows_pasted_from_a_spreadsheet_is_read_by_its_commas():
    """One tab anywhere made every row tab-separated: a typed "Wheat flour, 2.5, t, 2500" became one cell and
    the form said its unit was empty and "" no quantity."""
    _, _, rows = typed_rows("Wheat flour, 2.5, t, 2500\nRice\t40\tbag\t1000\n")
    assert rows == [(1, ["Wheat flour", "2.5", "t", "2500"]), (2, ["Rice", "40", "bag", "1000"])]


def test_lines_typed_without_a_header_are_in_the_templates_order_and_numbered_as_the_text_box_shows_them():
    header, header_row, rows = typed_rows('\nWheat flour,2.5,t,2500\n\n"Oil, refined",20,l,18\n')
    assert (header, header_row) == (["item", "quantity", "unit", "weight_kg", "category", "vehicle", "id"], 0)
    assert rows == [(2, ["Wheat flour", "2.5", "t", "2500"]), (4, ["Oil, refined", "20", "l", "18"])]


@pytest.mark.parametrize("header", [
    "Item,Quantity,Unit,Weight (kg)",  # the template's
    "Груз;Количество;Единица;Вес (кг)".replace(";", ","),  # as the form names them in Russian
    "Article\tQuantité\tUnité\tPoids (kg)",  # pasted from a French spreadsheet
    "الصنف,الكمية,الوحدة,الوزن (كغ)",
])
def test_a_header_row_in_any_of_the_forms_languages_names_the_columns(header):
    separator = "\t" if "\t" in header else ","
    header_cells, header_row, rows = typed_rows(header + "\n" + separator.join(["Rice", "40", "bag", "1000"]))
    assert header_row == 1 and rows == [(2, ["Rice", "40", "bag", "1000"])]
    assert header_cells == header.split(separator)


def test_a_line_names_its_vehicle_by_plate_or_number_and_the_plate_stays_off_the_content():
    draft = Draft()
    vehicles = [{"id": "v1", "plate": "HA 101", "type": "truck"}, {"id": "v2", "plate": "HA-102", "type": "truck"}]
    lines = [{"id": "a", "vehicle": "ha101"}, {"id": "b", "vehicle": "2"}, {"id": "c"}, {"id": "d", "vehicle": "X-9"}]
    _assign_vehicles(draft, "leg-1", lines, vehicles, [1, 2, 4, 5])
    assert lines[:3] == [{"id": "a", "vehicle": "v1"}, {"id": "b", "vehicle": "v2"}, {"id": "c"}]
    assert draft.row_errors["leg-1"][0]["message"].startswith("row 5, vehicle: X-9 is not one of this leg's vehicles")


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


def review(lines: str, language: str = "en", **fields) -> str:
    org = signed_in("org-a")
    org.cookies["django_language"] = language
    form = {"plan": "p1", "legs": "1", "leg1_route": "road-a", "leg1_vehicles": "AB 123\nCD 456",
            "leg1_lines": lines, "action": "review"} | fields
    with clock.frozen_at(T):
        return org.post("/plans/new", form).content.decode()


def row_errors(page: str) -> list[str]:
    return re.findall(r"<li>(row [^<]*)</li>", page)


def test_the_first_typed_line_is_row_1_and_a_line_under_a_typed_header_row_2(parties):
    assert row_errors(review("Wheat flour,twenty,t,20000")) == [
        "row 1, Quantity: “twenty” is not a quantity: a number greater than zero, without a unit (e.g. 20 or 2.5; "
        "at most 8 decimals)"]
    assert row_errors(review("Item,Quantity,Unit,Weight (kg)\nWheat flour,20,t,20000\n\nRice,5,t,5.5"))[0].startswith(
        "row 4, Weight (kg): “5.5” is not a whole number of kilograms")  # the blank line counts, as seen
    assert row_errors(review("Rice,5,t,5000\nOil,2,t,2000,food,EF 789")) == [
        "row 2, vehicle: EF 789 is not one of this leg&#x27;s vehicles (write its plate or its number in the list)"]


def test_lines_typed_in_the_templates_columns_are_read_with_ids_made_from_the_items(parties):
    typed = "Wheat flour,2.5,t,2500\nWheat flour,20,t,20000,food,CD 456\nKits,40,kit,400,wash,1,kits-a"
    with clock.frozen_at(T):
        signed_in("org-a").post("/plans/new", request_form(leg1_lines=typed, leg1_vehicles="AB 123\nCD 456",
                                                           action="submit"))
    lines = last_statement()["payload"]["legs"][0]["lines"]
    assert [(line["id"], line["item"], line["quantity"], line["unit"], line["weight_kg"], line["category"],
             line.get("vehicle")) for line in lines] == [
        ("wheat-flour", "Wheat flour", "2.5", "t", 2500, "", None),
        ("wheat-flour-2", "Wheat flour", 20, "t", 20000, "food", "v2"),
        ("kits-a", "Kits", 40, "kit", 400, "wash", "v1")]


@pytest.mark.parametrize(("language", "header"), [
    ("ru", "Груз\tКоличество\tЕдиница\tВес (кг)\tТранспорт"), ("fr", "Article,Quantité,Unité,Poids (kg),Véhicule"),
    ("ar", "الصنف,الكمية,الوحدة,الوزن (كغ),المركبة"), ("en", "Транспорт,Вес (кг),Единица,Количество,Груз"),
    ("fr", "ARTICLE,Quantite,Unite,Poids kg,Vehicule"),  # as typed without accents
])
def test_a_header_row_pasted_in_the_readers_language_or_another_is_read(parties, language, header):
    separator = "\t" if "\t" in header else ","
    row = ["Rice", "40", "bag", "1000", "2"] if language != "en" else ["2", "1000", "bag", "40", "Rice"]
    page = review(f"{header}\n{separator.join(row)}", language)
    assert row_errors(page) == [] and "✓" in page
    assert 'value="submit"' in page  # ready: nothing misread


def test_an_uploaded_manifest_with_the_templates_headers_in_russian_is_read(parties):
    upload = io.BytesIO("Груз,Количество,Единица,Вес (кг)\nРис,40,мешок,1000\n".encode())
    upload.name = "manifest.csv"
    page = review("", "ru", leg1_manifest=upload)
    assert form_values(page)["leg1_lines"] == ("Груз,Количество,Единица,Вес (кг),Категория,Транспорт,"
                                               "Идентификатор строки\nРис,40,мешок,1000,,,line-1")


def test_the_form_says_which_columns_typed_lines_have_in_the_readers_language(parties):
    hint = re.search(r'id="leg1_lines-hint">([^<]*)<', review("", "fr")).group(1)
    assert "Article, Quantité, Unité, Poids (kg), Catégorie, Véhicule, Identifiant de ligne" in hint


def test_switching_the_language_keeps_the_form_as_typed_in_the_new_language(parties):
    typed = convoy() | {"action": "language", "language": "fr"}
    with clock.frozen_at(T):
        response = signed_in("org-a").post("/plans/new", typed)
    page = response.content.decode()
    assert '<html lang="fr"' in page and response.cookies["django_language"].value == "fr"
    values = form_values(page)
    for field in ("plan", "tolerance_minutes", "leg2_vehicles", "leg3_crew", "leg3_seals"):
        assert values[field] == typed[field], field
    assert values["leg3_lines"].startswith("Article,Quantité,Unité,Poids (kg),Catégorie,Véhicule,Identifiant")
    assert 'id="leg3_route"' in page and "Liste de vérification" not in page and not Plan.objects.exists()


def test_a_language_the_site_does_not_have_switches_nothing(parties):
    with clock.frozen_at(T):
        response = signed_in("org-a").post("/plans/new", convoy() | {"action": "language", "language": "xx"})
    assert '<html lang="en"' in response.content.decode() and "django_language" not in response.cookies
