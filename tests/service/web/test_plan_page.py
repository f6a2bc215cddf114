"""The plan page shows everything recorded to those allowed to see it: what each statement says, inspections
line by line and by vehicle, vehicles with plates and loads (the plan's parties only), what an amendment
changed; the API's plan detail carries the inspections; the inspections export; styled 404 pages."""

from __future__ import annotations

import pytest
from django.test import Client

from corridor.service import clock
from corridor.service.exports.published import log_tables
from corridor.service.ledger.models import StatementIndex

from ..plans import plan_body
from . import stages
from .form_fields import form_fields
from .test_leg_names import shown_text
from .test_pages import signed_in
from .test_request_form import last_statement

pytestmark = pytest.mark.django_db
FINDING = {"leg": "leg-a", "checkpoint": "lachin-checkpoint", "decision": "cleared",
           "findings": [{"line": "flour", "found": 18, "codes": ["missing"]}], "offload": [],
           "text": "two sacks short"}


def carried_by_truck() -> list[dict]:
    legs = plan_body()["legs"]
    legs[0]["lines"][0]["vehicle"] = "truck-1"
    return legs


def inspected(parties) -> None:
    stages.submitted(parties, legs=carried_by_truck())
    stages.post(parties, "border", "/plans/p1/request-info", {"request": "q1", "question": "Which mill?"},
                stages.T + 60)
    stages.post(parties, "org-a", "/plans/p1/answer", {"request": "q1", "answer": "The Yerevan mill"},
                stages.T + 120)
    stages.consented(parties)
    stages.scheduled(parties)
    stages.arrived(parties)
    stages.post(parties, "border", "/plans/p1/inspect", FINDING, 1694434000)


def test_the_timeline_says_what_each_statement_says_and_the_window_only_to_parties(parties):
    inspected(parties)
    page = signed_in("border").get("/plans/p1").content.decode()
    assert "“Which mill?”" in page and "to “Which mill?”: “The Yerevan mill”" in page  # not "question q1"
    assert "q1" not in page.split('id="timeline"', 1)[1]
    assert ("window: \u2068Sept. 11, 2023, \u206616:00 UTC+4\u2069\u2069 – "  # on Baku's clock, isolated
            "\u2068Sept. 11, 2023, \u206617:00 UTC+4") in page
    assert "Lachin–Khankendi at Lachin border and customs checkpoint" in page  # the leg by its route, not its id
    public = Client().get("/plans/p1").content.decode()
    assert "Which mill?" in public and "17:00 UTC+4" not in public  # the window's end: nothing else ends then
    assert "a window, kept off the public log until the passage is over" in public and "slot s1" not in public


def test_inspections_line_by_line_with_the_officer_plates_only_to_the_plans_parties(parties):
    inspected(parties)
    page = signed_in("org-a").get("/plans/p1").content.decode()
    assert "Inspections" in page and "two sacks short" in page and "— cleared" in page
    assert "<td>20 t</td><td>18</td>" in page and "<td>-2</td>" in page and "missing" in page
    assert "Vehicle 1 · AB 123" in page and "Vehicles, loads and crew" in page
    assert ">truck-1" not in page and "truck-1 ·" not in page  # the vehicle by its place in the leg, not its id
    permits = page.split('id="permits"', 1)[1].split("</section>", 1)[0]
    assert "<td>Vehicle 1 · truck · AB 123</td>" in permits
    public = Client().get("/plans/p1").content.decode()
    assert "two sacks short" in public and "AB 123" not in public and "Vehicles, loads and crew" not in public
    _, detail = parties["org-a"].get("/plans/p1")
    [inspection] = detail["inspections"]
    assert inspection["party"] == "border" and inspection["decision"] == "cleared"
    assert {k: inspection["lines"][0][k] for k in ("declared", "found", "difference", "codes")} == {
        "declared": 20, "found": 18, "difference": -2, "codes": ["missing"]}
    assert detail["vehicles"][0]["plate"] == "AB 123"
    anonymous = Client().get("/api/v1/plans/p1").json()
    assert anonymous["vehicles"] is None and "AB 123" not in str(anonymous)


def test_an_inspection_names_the_legs_only_vehicle_where_its_lines_name_none(parties):
    stages.submitted(parties)  # one truck, and lines that name no vehicle: the truck carries them
    stages.consented(parties)
    stages.scheduled(parties)
    stages.arrived(parties)
    stages.post(parties, "border", "/plans/p1/inspect", FINDING, 1694434000)
    page = signed_in("org-a").get("/plans/p1").content.decode()
    inspections = page.split('id="inspections"', 1)[1].split("</section>", 1)[0]
    assert "<td>Vehicle 1 · AB 123</td>" in inspections and "the leg" not in inspections  # as the lines table


def test_the_inspections_export_has_a_row_per_line_and_no_plate(parties):
    inspected(parties)
    [row] = log_tables()["inspections"]
    assert row["inspected_at"] == "2023-09-11T12:06:40Z" and row["vehicle"] == "truck-1"
    assert (row["plan"], row["leg"], row["inspection"], row["line"], row["declared"], row["found"],
            row["codes"], row["party"], row["decision"]) == ("p1", "leg-a", 1, "flour", 20, 18, "missing", "border",
                                                              "cleared")
    assert "AB 123" not in str(row)


def test_slot_confirm_shows_the_proposed_window(parties):
    stages.submitted(parties)
    stages.consented(parties)
    stages.slot_proposed(parties)
    page = signed_in("customs").get("/plans/p1").content.decode()
    assert "Window proposed: from \u2068Sept. 11, 2023, \u206616:00 UTC+4\u2069\u2069 to" in page
    assert "s1" not in page.split('class="slot-window"', 1)[1].split("</p>", 1)[0]  # the slot's id is no name


def test_amend_from_the_page_shows_every_party_which_lines_changed(parties):
    stages.submitted(parties)
    org = signed_in("org-a")
    plan_page = org.get("/plans/p1").content.decode()
    assert "/plans/p1/amend" in plan_page
    form = org.get("/plans/p1/amend").content.decode()
    body = form_fields(form, "/plans/p1/amend")
    assert body["leg1-line1-item"] == "Wheat flour" and body["leg1-vehicle1-plate"] == "AB 123"
    body |= {"leg1-line1-quantity": "25", "leg1-line1-weight": "25000", "leg1-line1-vehicle": "1"}
    with clock.frozen_at(stages.T + 300):
        review = org.post("/plans/p1/amend", body | {"action": "review"}).content.decode()
    assert "line changed" in review and "20 t · 20000 kg · food" in review
    assert "25 t · 25000 kg · food · AB 123" in review and "truck-1" not in shown_text(review)  # by plate
    assert not StatementIndex.objects.filter(type="plan.amend").exists()
    with clock.frozen_at(stages.T + 360):
        done = org.post("/plans/p1/amend", body | {"action": "amend"}, follow=True).content.decode()
    assert StatementIndex.objects.filter(type="plan.amend", party="org-a").count() == 1
    assert "What changed between versions" in done
    border = signed_in("border").get("/plans/p1").content.decode()
    assert "25 t · 25000 kg · food · truck-1" in border and "/plans/p1/amend" not in border
    with clock.frozen_at(stages.T + 420):  # the same form again: rendered from a version that is gone
        stale = org.post("/plans/p1/amend", body | {"action": "amend"}, follow=True).content.decode()
    assert "The plan was amended since you opened this page" in stale
    assert StatementIndex.objects.filter(type="plan.amend").count() == 1


def test_the_amend_page_is_the_requesters_only(parties):
    stages.submitted(parties)
    assert signed_in("border").get("/plans/p1/amend").status_code == 404
    assert Client().get("/plans/p1/amend").status_code == 302  # to sign in


def test_not_found_is_a_styled_page_that_says_what_to_do(parties):
    stages.submitted(parties)
    missing = Client().get("/plans/nowhere")
    page = missing.content.decode()
    assert missing.status_code == 404 and "What you can do" in page and "/accounts/login/" in page
    assert 'class="bar"' in page  # the site's layout, not a bare error
    signed = signed_in("org-a").post("/plans/p1/act/plan.consent", {"as": "border"})
    assert signed.status_code == 404 and "What you can do" in signed.content.decode()
    assert Client().get("/api/v1/nothing").status_code == 404


def test_no_cancel_or_withdraw_once_vehicles_are_released(parties):
    inspected(parties)
    with clock.frozen_at(1694434100):
        org = signed_in("org-a")
        org.post("/plans/p1/act/plan.go", {"as": "org-a", "version": stages.version(parties), "back": "go-board"})
    page = org.get("/plans/p1").content.decode()
    assert "/plans/p1/act/plan.cancel" not in page and "/plans/p1/amend" not in page
    late = org.get("/plans/p1/amend", follow=True).content.decode()
    assert "can no longer be amended" in late
    board = org.get("/plans/p1/go").content.decode()
    assert "<td>Lachin–Khankendi</td>" in board and 'class="phase-released">released' in board
    assert "/plans/p1/act/plan.withdraw" not in signed_in("border").get("/plans/p1").content.decode()


def test_an_expired_form_is_a_styled_page_saying_nothing_was_recorded(parties):
    stages.submitted(parties)
    border = signed_in("border")
    border.handler.enforce_csrf_checks = True  # as a browser with a stale token
    answer = border.post("/plans/p1/act/plan.consent", {"as": "border"})
    assert answer.status_code == 403 and "This form has expired" in answer.content.decode()
    assert not StatementIndex.objects.filter(type="plan.consent").exists()


def test_refused_lines_name_the_refusing_party(parties):
    stages.submitted(parties)
    body = {"version": stages.version(parties), "reason": "dual_use", "text": "not this item",
            "lines": [{"leg": "leg-a", "line": "flour"}]}
    stages.post(parties, "customs", "/plans/p1/refuse", body, stages.T + 60)
    page = Client().get("/plans/p1").content.decode()
    assert "<td>Host state customs service</td>" in page
    assert "reason: dual-use goods" in page and "only these lines: Wheat flour" in page


def test_a_refused_line_since_amended_away_is_named_as_the_refused_version_had_it(parties):
    stages.submitted(parties)
    body = {"version": stages.version(parties), "reason": "dual_use", "text": "not this item",
            "lines": [{"leg": "leg-a", "line": "flour"}]}
    stages.post(parties, "customs", "/plans/p1/refuse", body, stages.T + 60)
    amended = plan_body()
    amended["legs"][0]["lines"] = [{"id": "rice", "item": "Rice", "category": "food", "quantity": 5, "unit": "t",
                                    "weight_kg": 5000}]
    del amended["plan"]
    stages.post(parties, "org-a", "/plans/p1/amend", amended, stages.T + 120)
    timeline = Client().get("/plans/p1").content.decode().split('id="timeline"', 1)[1]
    assert "only these lines: Wheat flour" in timeline and "leg-a/flour" not in timeline


def test_a_line_no_version_names_reads_as_removed_never_by_its_id():
    from corridor.service.web.timeline import _refuse

    state, signed = type("S", (), {"plans": {}})(), type("Signed", (), {"row": type("R", (), {"plan": "p9"})()})()
    sentences = _refuse({"reason": "dual_use", "lines": [{"leg": "leg-a", "line": "oil-6"}]}, state, signed, {})
    assert sentences[-1] == "only these lines: a line since removed" and "oil-6" not in str(sentences)


def test_the_header_numbers_the_version_and_keeps_its_hash_in_a_title(parties):
    stages.submitted(parties)
    first = stages.version(parties)
    assert f'<span class="version" title="{first}">version 1</span>' in Client().get("/plans/p1").content.decode()
    stages.amend(parties)
    page = Client().get("/plans/p1").content.decode()
    header = page.split("<h1>", 1)[1].split("</p>", 1)[0]
    assert f'<span class="version" title="{stages.version(parties)}">version 2</span>' in header
    assert first[:12] not in page and stages.version(parties)[:12] not in header.replace(stages.version(parties), "")


def test_a_consent_in_the_timeline_names_the_version_by_its_number(parties):
    stages.submitted(parties)
    stages.amend(parties)
    stages.consented(parties)
    timeline = Client().get("/plans/p1").content.decode().split('id="timeline"', 1)[1]
    assert "to version 2" in timeline and stages.version(parties)[:12] not in timeline


def test_amend_adds_a_leg_on_another_route(parties):
    stages.submitted(parties)
    org = signed_in("org-a")
    form = org.get("/plans/p1/amend").content.decode()
    assert "Lachin–Khankendi</legend>" in form and 'name="new-route"' in form and ">leg-a<" not in form
    body = form_fields(form, "/plans/p1/amend") | {
        "action": "amend", "new-route": "road-b", "new-line1-item": "Rice", "new-line1-category": "food",
        "new-line1-quantity": "5", "new-line1-unit": "t", "new-line1-weight": "5000",
        "new-vehicle1-plate": "ZZ 999", "new-vehicle1-type": "truck", "new-crew1-name": "Ana Driver",
        "new-crew1-document": "P-123", "new-crew1-vehicle": "1", "new-crew2-name": "Bo Mate",
        "new-crew2-document": "P-456"}
    with clock.frozen_at(stages.T + 300):
        done = org.post("/plans/p1/amend", body, follow=True).content.decode()
    assert StatementIndex.objects.filter(type="plan.amend").count() == 1, done
    assert "leg added" in done and "Rice 5 t" in done
    _, detail = parties["org-a"].get("/plans/p1")
    assert sorted(leg["leg"] for leg in detail["legs"]) == ["leg-2", "leg-a"]
    assert {v["plate"] for v in detail["vehicles"]} == {"AB 123", "ZZ 999"}
    assert [(c["leg"], c["name"], c["vehicle"]) for c in detail["crew"]] == [("leg-2", "Ana Driver", "v1"),
                                                                            ("leg-2", "Bo Mate", None)]
    assert "Ana Driver" not in str(Client().get("/api/v1/plans/p1").json())


def test_a_slot_proposed_on_the_page_is_typed_on_the_crossings_clock(parties):
    from corridor.service.passages.models import SlotWindow

    stages.submitted(parties)
    stages.consented(parties)
    org = signed_in("org-a")
    with clock.frozen_at(stages.T + 3000):
        page = org.get("/plans/p1").content.decode()
        assert "Start (time at the crossing, UTC+4)" in page and "Asia/Baku" not in page and "Start (UTC)" not in page
        org.post("/plans/p1/act/slot.propose", {"as": "org-a", "version": stages.version(parties),
                                                 "start": "2023-09-11T16:00", "end": "2023-09-11T17:00"})
    window = SlotWindow.objects.get(plan_id="p1")
    assert (window.start, window.end) == ("2023-09-11T12:00:00Z", "2023-09-11T13:00:00Z")  # 16:00 in Baku, UTC+4


def test_each_vehicle_shows_its_crew_to_the_plans_parties_only(parties):
    crew = {"leg-a": [{"name": "Ana Driver", "document": "P-123", "vehicle": "truck-1"},
                      {"name": "Bo Mate", "document": "P-456"}]}
    stages.submitted(parties, crew=crew)
    _, detail = parties["org-a"].get("/plans/p1")
    assert [(c["name"], c["vehicle"]) for c in detail["crew"]] == [("Ana Driver", "truck-1"), ("Bo Mate", None)]
    [signed] = last_statement()["payload"]["legs"]  # the vehicle beside the commitment; no vehicle: bare
    assert signed["crew"][0]["vehicle"] == "truck-1" and isinstance(signed["crew"][1], str)
    page = signed_in("org-a").get("/plans/p1").content.decode()
    assert '<td class="crew">Ana Driver (P-123)</td>' in page and "Crew in no named vehicle: Bo Mate (P-456)" in page
    for other in (Client(), signed_in("mediator", "admin")):
        shown = other.get("/plans/p1").content.decode()
        assert "Ana Driver" not in shown and "Bo Mate" not in shown


def test_crew_seated_in_a_vehicle_the_leg_does_not_list_is_refused_with_its_code(parties):
    crew = {"leg-a": [{"name": "Ana Driver", "document": "P-123", "vehicle": "truck-9"}]}
    with clock.frozen_at(stages.T):
        status, answer = parties["org-a"].post("/plans", plan_body("p1", crew=crew))
    assert status == 422 and answer["code"] == "crew.vehicle_unknown", answer
    assert not StatementIndex.objects.filter(type="plan.submit").exists()


def test_the_amend_form_names_legs_in_its_messages_and_refuses_a_seat_in_no_vehicle(parties):
    stages.submitted(parties)
    org = signed_in("org-a")
    form = org.get("/plans/p1/amend").content.decode()
    body = form_fields(form, "/plans/p1/amend") | {
        "action": "amend", "leg1-line1-remove": "1", "new-route": "road-b", "new-line1-item": "Rice",
        "new-line1-quantity": "5", "new-line1-unit": "t", "new-line1-weight": "5000",
        "new-vehicle1-plate": "ZZ 999", "new-crew1-name": "Ana Driver", "new-crew1-document": "P-123",
        "new-crew1-vehicle": "2"}
    with clock.frozen_at(stages.T + 300):
        page = org.post("/plans/p1/amend", body, follow=True).content.decode()
    assert "Lachin–Khankendi: list at least one line." in page
    assert ("The new leg, crew member 1: its vehicle (vehicle 2) is an empty row: type its plate, or choose "
            "another") in page
    assert not StatementIndex.objects.filter(type="plan.amend").exists()


def two_trucks_of_flour() -> list[dict]:
    """Two trucks each carrying flour (one in decimals) and oil: the lines a border chief refuses one by one."""
    return [{"id": "leg-a", "route": "road-a", "lines": [
        {"id": f"{item}-{n}", "item": name, "category": "food", "quantity": quantity, "unit": unit,
         "weight_kg": 1000, "vehicle": f"v{n}"}
        for n, item, name, quantity, unit in ((1, "flour", "Wheat flour", "12.5", "t"),
                                             (2, "flour", "Wheat flour", 20, "t"),
                                             (1, "oil", "Cooking oil", "1200.75", "l"),
                                             (2, "oil", "Cooking oil", 8405, "l"))],
        "vehicles": [{"id": "v1", "plate": "AA 100", "type": "20 t truck"},
                     {"id": "v2", "plate": "BB 200", "type": "tanker"}]}]


def test_vehicles_are_named_by_their_place_in_the_leg_and_lines_totalled_per_item(parties):
    stages.submitted(parties, legs=two_trucks_of_flour())
    page = signed_in("border").get("/plans/p1").content.decode()
    fleet = page.split('id="fleet"', 1)[1].split("</section>", 1)[0]
    assert "<th scope=\"row\">Vehicle 1</th><td>AA 100</td><td>20 t truck</td>" in fleet
    assert "<th scope=\"row\">Vehicle 2</th><td>BB 200</td>" in fleet and ">v1<" not in fleet
    refuse = page.split("Refuse only these lines", 1)[1].split("</fieldset>", 1)[0]
    assert refuse.count("Lachin–Khankendi") == 1  # the leg once, as a heading over its lines
    assert "Wheat flour 12.5 t — Vehicle 1 · 20 t truck · AA 100</label>" in refuse
    assert "Cooking oil 8405 l — Vehicle 2 · tanker · BB 200</label>" in refuse
    assert 'value="leg-a/flour-2"' in refuse and ": Wheat flour</label>" not in refuse
    timeline = page.split('id="timeline"', 1)[1]
    assert "Lachin–Khankendi: Wheat flour 32.5 t, Cooking oil 9,605.75 l; 2 vehicles" in timeline
    assert "12.5 t" not in timeline  # each truck's line is not repeated
    body = {"version": stages.version(parties), "reason": "dual_use", "text": "",
            "lines": [{"leg": "leg-a", "line": "oil-2"}]}
    stages.post(parties, "customs", "/plans/p1/refuse", body, stages.T + 60)
    refused = signed_in("border").get("/plans/p1").content.decode().split('id="timeline"', 1)[1]
    assert "only these lines: Cooking oil (Vehicle 2)" in refused  # which truck's oil, not just "Cooking oil"
    assert "<th scope=\"col\">Weight (kg)</th>" in page and "<th scope=\"col\">kg</th>" not in page
    public = Client().get("/plans/p1").content.decode()
    assert "AA 100" not in public and "20 t truck" not in public
    border = signed_in("border")
    border.cookies["django_language"] = "ru"
    russian = border.get("/plans/p1").content.decode()
    assert "<th scope=\"row\">Машина 2</th>" in russian and "Вес (кг)" in russian
    assert "Cooking oil 9\xa0605,75 l" in russian


@pytest.fixture
def driven(parties):
    """The two-roads scenario through the API: plans closed, their windows and plates revealed, permits issued."""
    from ..api_driver import drive
    from ..conftest import SCENARIO

    drive(SCENARIO, parties)
    return parties


def test_a_closed_plans_salts_are_folded_into_the_proof_and_each_permit_names_its_vehicle(driven):
    page = signed_in("org-a").get("/plans/two-roads").content.decode()
    reading, proof = page.split('<details class="proof">', 1)
    assert "Proof of the revealed values" in proof and proof.count("<code>") >= 2  # the window and the plates
    assert "salt" not in reading.split("<main", 1)[-1]  # no hex to read around
    timeline = page.split('id="timeline"', 1)[1]
    permits = [row for row in timeline.split("<tr")[1:] if ">permit issued<" in row]
    assert permits and all('class="says">' in row for row in permits)
    assert "Lachin–Khankendi: Vehicle 1" in timeline and "Aghdam–Khankendi: Vehicle 1" in timeline


def test_the_column_of_changes_is_a_noun_not_the_language_buttons_verb(parties):
    stages.submitted(parties)
    org = signed_in("org-a")
    body = form_fields(org.get("/plans/p1/amend").content.decode(), "/plans/p1/amend")
    body |= {"leg1-line1-quantity": "25", "leg1-line1-weight": "25000", "action": "review"}
    for language, noun, verb in (("fr", "Modification", "Changer"), ("ru", "Изменение", "Сменить"),
                                 ("ar", "التغيير", "تغيير")):
        org.cookies["django_language"] = language
        with clock.frozen_at(stages.T + 300):
            review = org.post("/plans/p1/amend", body).content.decode()
        assert f'<th scope="col">{noun}</th>' in review, language
        assert f"<button type=\"submit\">{verb}</button>" in review  # the language switch keeps its verb


def test_weights_are_grouped_with_the_readers_separators(driven):
    org = signed_in("org-a")
    english = org.get("/plans/two-roads").content.decode()
    assert "<td>21,300</td>" in english and "<td>21300</td>" not in english  # leg-a: 18000 + 2400 + 900 kg
    org.cookies["django_language"] = "ar"
    arabic = org.get("/plans/two-roads").content.decode()
    assert "<td>21.300</td>" in arabic  # Django's Arabic separators, grouped like every other language


def test_the_default_vehicle_type_reads_in_the_readers_language(parties):
    stages.submitted(parties)  # tests/service/plans.py: truck-1 of type "truck", the request form's default
    org = signed_in("org-a")
    org.cookies["django_language"] = "fr"
    page = org.get("/plans/p1").content.decode()
    assert "<td>camion</td>" in page and "<td>truck</td>" not in page


def test_the_lines_table_names_each_lines_vehicle_with_its_plate_only_to_the_plans_parties(parties):
    stages.submitted(parties, legs=two_trucks_of_flour())
    lines = signed_in("border").get("/plans/p1").content.decode().split('<table class="lines">', 1)[1]
    assert '<th scope="col">Vehicle</th>' in lines.split("</thead>", 1)[0]
    assert '<td>Vehicle 2 — BB 200</td><th scope="row">Cooking oil</th>' in lines
    public = Client().get("/plans/p1").content.decode().split('<table class="lines">', 1)[1]
    assert '<td>Vehicle 2</td><th scope="row">Cooking oil</th>' in public and "BB 200" not in public
    outsider = signed_in("org-b").get("/plans/p1").content.decode()
    assert "BB 200" not in outsider and "AA 100" not in outsider


def test_a_leg_of_one_vehicle_carries_the_lines_that_name_none_and_its_forms_say_so(parties):
    inspected(parties)  # one truck, its line naming no vehicle; cleared at Lachin
    stages.post(parties, "escort", "/plans/p1/go", {}, 1694434100)
    stages.post(parties, "escort", "/plans/p1/depart", {"leg": "leg-a"}, 1694434200)
    page = signed_in("recv").get("/plans/p1").content.decode()
    assert '<td>Vehicle 1 — AB 123</td><th scope="row">Wheat flour</th>' in page
    receipt = page.split('action="/plans/p1/act/leg.deliver"', 1)[1].split("</form>", 1)[0]
    assert "<legend>Vehicle 1 — AB 123</legend>" in receipt  # the receipt by vehicle (web/receipt_form.py)
    assert '<th scope="row">Wheat flour</th><td>18 t</td>' in receipt


def test_arabic_lists_on_the_page_take_the_arabic_comma_and_semicolon(parties):
    legs = two_trucks_of_flour()
    legs[0]["seals"] = ["S-1001", "S-1002"]
    stages.submitted(parties, legs=legs)
    border = signed_in("border")
    border.cookies["django_language"] = "ar"
    page = border.get("/plans/p1").content.decode()
    assert '<bdi class="plate">S-1001</bdi>، <bdi class="plate">S-1002</bdi>' in page  # each seal isolated too
    assert "S-1001</bdi>, " not in page
    assert "Wheat flour 12.5 t؛ Cooking oil 1200.75 l" in page  # what a vehicle carries: a list of lists
