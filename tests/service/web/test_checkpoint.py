"""The tablet checkpoint screen (web/checkpoint.py): vehicles grouped with their lines, nothing pre-filled or
pre-selected, a refused form given back with everything typed and what to do, "all as declared" with and
without JavaScript, only the user's own inspecting parties, private data to the plan's parties only, and a
query count that does not grow with the passages listed."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corridor.service import clock
from corridor.service.ledger.models import StatementIndex
from corridor.service.ledger.record import current_fold
from corridor.service.parties.operations import do_create_user

from ..plans import plan_body
from . import stages
from .test_pages import signed_in

pytestmark = pytest.mark.django_db
SCREEN = "/checkpoints/lachin-checkpoint"
INSPECT = SCREEN + "/inspect"
AT = 1694434000  # 11 Sep 2023 12:06:40 UTC, the convoy at Lachin since 12:05


def convoy(plan: str = "c1") -> dict:
    """Two trucks on road A, each carrying its own lines, two seals, one driver."""
    line = {"category": "food", "weight_kg": 100}
    return plan_body(plan, legs=[{
        "id": "leg-a", "route": "road-a",
        "lines": [line | {"id": "flour", "item": "Wheat flour", "quantity": 18000, "unit": "kg", "vehicle": "truck-1"},
                  line | {"id": "kits", "item": "Family hygiene kits", "quantity": 400, "unit": "kit",
                          "vehicle": "truck-2"},
                  line | {"id": "medical", "item": "Surgical supplies", "quantity": 60, "unit": "carton",
                          "vehicle": "truck-2"}],
        "vehicles": [{"id": "truck-1", "plate": "HA-101", "type": "20 t truck"},
                     {"id": "truck-2", "plate": "HA-102", "type": "10 t truck"}],
        "seals": ["S-40211", "S-40212"],
    }], crew={"leg-a": [{"name": "Driver One", "document": "P-0000101", "vehicle": "truck-1"}]})


def at_lachin(parties, *plans: str, arrive: bool = True) -> None:
    """The convoys submitted, consented, scheduled for 12:00 today and (unless told) at Lachin at 12:05."""
    plans = plans or ("c1",)
    for n, plan in enumerate(plans):
        stages.post(parties, "org-a", "/plans", convoy(plan), stages.T + n)
    for plan in plans:
        stages.consented(parties, plan)
    for n, plan in enumerate(plans):
        stages.slot_proposed(parties, plan, at=stages.T + 1800 + n)
    for plan in plans:
        for party in stages.REQUIRED:
            stages.post(parties, party, f"/plans/{plan}/confirm-slot", {"slot": "s1"}, stages.T + 2400)
    for plan in plans if arrive else ():
        stages.arrived(parties, plan)


def hidden(page: str) -> dict:
    """The hidden fields of the first inspection form on the screen (what the browser sends untouched)."""
    form = page[page.index('class="inspect-form"'):]
    form = form[:form.index("</form>")]
    fields: dict = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        fields.setdefault(name, []).append(value)
    return fields


SEALS_INTACT = {"seal-S-40211": "intact", "seal-S-40212": "intact"}


def test_the_screen_groups_lines_by_vehicle_with_nothing_filled_in_or_chosen(parties):
    at_lachin(parties)
    with clock.frozen_at(AT):
        page = signed_in("border").get(SCREEN).content.decode()
    assert "<h1>Lachin border and customs checkpoint</h1>" in page and "Humanitarian organisation A" in page
    truck_2 = page[page.index('data-group="truck-2"'):]
    assert "HA-102" in truck_2[:400] and truck_2.index("Family hygiene kits") < truck_2.index("Surgical supplies")
    assert re.findall(r'name="found-\w+" value=""', page) and not re.findall(r'name="found-\w+" value="\d', page)
    assert not re.search(r"<input[^>]* checked", page)  # no decision, seal, code or offload chosen for the officer
    assert 'name="seal-S-40211" value="intact"' in page and 'name="seal-S-40212" value="unchecked"' in page
    assert '<input type="hidden" name="as" value="border">' in page  # the user's one inspecting party
    assert "16:05 UTC+4" in page and "1694433900" not in page  # a time on the crossing's clock, not an epoch
    assert "<bdi>Driver One</bdi> — <bdi>P-0000101</bdi> · Vehicle 1<" in page  # crew, seated, by number
    assert "Vehicle truck-1" not in page
    assert " · Lachin–Khankendi</h3>" in page and not re.search(r">[^<]*\bleg-a\b", page)  # the leg by name


def test_the_form_as_it_comes_is_refused_clearly_and_nothing_is_recorded(parties):
    at_lachin(parties)
    border = signed_in("border")
    with clock.frozen_at(AT):
        form = hidden(border.get(SCREEN).content.decode())
        answer = border.post(INSPECT, form | {"action": "record"})
    page = answer.content.decode()
    assert answer.status_code == 200 and "Nothing was recorded." in page
    # by the vehicle carrying them: twenty trucks of flour do not read as "Wheat flour, Wheat flour, …"
    assert "Count what was found for Vehicle 1: Wheat flour; Vehicle 2: Family hygiene kits, Surgical supplies" in page
    assert "Say for each seal whether it is intact, broken or not checked: S-40211, S-40212." in page
    assert "Choose a decision" in page and 'href="#i-c1-leg-a-found-flour"' in page
    assert page.count(">Count what was found.</p>") == 3 and page.count(">Intact, broken or not checked?</p>") == 2
    assert not StatementIndex.objects.filter(type="leg.inspect").exists()


def test_what_was_typed_comes_back_with_a_refusal(parties):
    at_lachin(parties)
    border = signed_in("border")
    with clock.frozen_at(AT):
        form = hidden(border.get(SCREEN).content.decode())
        typed = form | {"found-flour": "17950", "codes-flour": ["missing", "damaged"], "found-kits": "400",
                        "offload": "medical", "seal-S-40211": "broken", "applied-truck-1": "C-9",
                        "undeclared-item-1": "Cigarettes", "text": "Two sacks torn", "decision": "held"}
        page = border.post(INSPECT, typed).content.decode()
    assert 'name="found-flour" value="17950"' in page and 'name="found-kits" value="400"' in page
    assert 'value="missing" checked' in page and 'value="damaged" checked' in page
    assert 'name="offload" value="medical" checked' in page
    assert 'name="seal-S-40211" value="broken" required checked' in page
    assert 'name="applied-truck-1" value="C-9"' in page and 'value="Cigarettes"' in page
    assert "Two sacks torn</textarea>" in page and 'value="held" required checked' in page
    assert "Surgical supplies" in page[page.index('class="problems"'):page.index('class="goods"')]
    assert "Undeclared goods: give the item" in page


def test_all_as_declared_without_javascript_fills_in_one_vehicle_and_records_nothing(parties):
    at_lachin(parties)
    border = signed_in("border")
    with clock.frozen_at(AT):
        form = hidden(border.get(SCREEN).content.decode())
        answer = border.post(INSPECT, form | {"fill": "truck-2", "found-kits": "390", "decision": "cleared"})
    page = answer.content.decode()
    assert answer.status_code == 200 and "Nothing was recorded." not in page
    assert 'name="found-flour" value=""' in page  # the other truck is still to be counted
    assert 'name="found-kits" value="390"' in page and 'name="found-medical" value="60"' in page
    assert 'value="cleared" required checked' in page
    assert not StatementIndex.objects.filter(type="leg.inspect").exists()


def test_a_clean_inspection_all_as_declared_is_recorded_and_the_screen_moves_on(parties):
    at_lachin(parties)
    border = signed_in("border")
    with clock.frozen_at(AT):
        form = hidden(border.get(SCREEN).content.decode())
        answer = border.post(INSPECT, form | SEALS_INTACT | {"as_declared": "*", "decision": "cleared"})
        assert answer.status_code == 302 and answer["Location"] == SCREEN
        page = border.get(SCREEN).content.decode()
    [statement] = StatementIndex.objects.filter(type="leg.inspect")
    assert statement.party == "border"
    assert "Inspection recorded: c1, Lachin–Khankendi — cleared (Host state border service)." in page  # no leg id
    assert "No vehicle is waiting here." in page
    assert "Cleared here, waiting for go or departure" in page and 'href="/plans/c1"' in page


def test_typical_inspection_with_a_discrepancy_an_offload_and_a_seal_applied(parties):
    at_lachin(parties)
    border = signed_in("border")
    with clock.frozen_at(AT):
        form = hidden(border.get(SCREEN).content.decode())
        border.post(INSPECT, form | {
            "found-flour": "17950", "codes-flour": "missing", "found-kits": "400", "found-medical": "60",
            "offload": "medical", "seal-S-40211": "intact",
            "seal-S-40212": "broken", "applied-truck-2": "C-001", "decision": "cleared_with_offload",
            "text": "Surgical supplies held for a licence check"})
    _, plan = parties["org-a"].get("/plans/c1")
    lines = {line["line"]: line for line in plan["lines"]}
    assert lines["flour"]["carried"] == 17950 and lines["medical"]["carried"] == 0
    assert [s["type"] for s in plan["timeline"]][-1] == "leg.inspect"
    report = current_fold().state.plans["c1"].legs["leg-a"].inspections[-1][2]
    assert [(f.line, f.found, f.codes) for f in report.findings] == [
        ("flour", 17950, ("missing",)), ("kits", 400, ()), ("medical", 60, ())]
    assert [(s.seal, s.intact) for s in report.seals] == [("S-40211", True), ("S-40212", False)]
    assert [(s.seal, s.vehicle) for s in report.applied] == [("C-001", "truck-2")]
    assert report.offload == ("medical",) and report.decision == "cleared_with_offload"


def test_a_user_of_two_inspecting_parties_chooses_one_and_no_other_party_is_taken(parties):
    at_lachin(parties)
    do_create_user("both-web", "border", "officer", password="a-long-test-password")
    do_create_user("both-web", "customs", "officer", password="a-long-test-password")
    both = signed_in("border")
    assert both.login(username="both-web", password="a-long-test-password")
    with clock.frozen_at(AT):
        page = both.get(SCREEN).content.decode()
        assert 'name="as" value="border" required>' in page and 'name="as" value="customs" required>' in page
        form = hidden(page) | SEALS_INTACT | {"as_declared": "*", "decision": "cleared"}
        answer = both.post(INSPECT, form)
        assert answer.status_code == 200 and "Choose the party you inspect for." in answer.content.decode()
        assert both.post(INSPECT, form | {"as": "escort"}).status_code == 404
        assert both.post(INSPECT, form | {"as": "customs"}).status_code == 302
    assert StatementIndex.objects.get(type="leg.inspect").party == "customs"


def test_parties_that_do_not_inspect_here_see_no_form_and_cannot_post_one(parties):
    at_lachin(parties)
    with clock.frozen_at(AT):
        form = hidden(signed_in("border").get(SCREEN).content.decode())
        org = signed_in("org-a")
        page = org.get(SCREEN).content.decode()
        assert "Your party does not inspect here." in page and 'class="inspect-form"' not in page
        assert org.post(INSPECT, form | {"as": "org-a", "as_declared": "*", "decision": "cleared"}).status_code == 404
        assert org.post(INSPECT, form | {"as_declared": "*", "decision": "cleared"}).status_code == 404
        assert signed_in("border").post(INSPECT, form | {"plan": "nope"}).status_code == 404
    assert not StatementIndex.objects.filter(type="leg.inspect").exists()


def test_observers_see_the_vehicles_waiting_but_no_plate_crew_or_form(parties):
    at_lachin(parties)
    with clock.frozen_at(AT):
        page = signed_in("mediator", "viewer").get(SCREEN).content.decode()
    assert 'href="/plans/c1"' in page and "Vehicle 2 · 10 t truck" in page and "truck-2" not in page
    assert "HA-10" not in page and "Driver One" not in page and 'class="inspect-form"' not in page


def test_a_refusal_by_the_rules_comes_back_on_the_card_with_the_values(parties):
    at_lachin(parties)
    border = signed_in("border")
    with clock.frozen_at(AT):
        form = hidden(border.get(SCREEN).content.decode())
        answer = border.post(INSPECT, form | SEALS_INTACT | {"as_declared": "*", "decision": "cleared",
                                                             "applied-truck-1": "S-40211", "found-flour": "17999"})
    page = answer.content.decode()
    assert answer.status_code == 200 and "seal numbers are unique" in page and "inspection.invalid" not in page
    assert 'name="found-flour" value="17999"' in page


def test_more_found_than_carried_comes_back_asking_for_the_excess_code(parties):
    at_lachin(parties)
    border = signed_in("border")
    with clock.frozen_at(AT):
        form = hidden(border.get(SCREEN).content.decode()) | SEALS_INTACT | {"as_declared": "*", "decision": "cleared"}
        page = border.post(INSPECT, form | {"found-flour": "18001"}).content.decode()
        assert "more found (18001) than the leg carries (18000): tick “excess”" in page
        assert 'name="found-flour" value="18001"' in page
        assert border.post(INSPECT, form | {"found-flour": "18001", "codes-flour": "excess"}).status_code == 302


def test_a_stale_form_is_refused_on_the_card_and_a_vehicle_gone_meanwhile_is_said_on_top(parties):
    at_lachin(parties)
    border = signed_in("border")
    with clock.frozen_at(AT):
        form = hidden(border.get(SCREEN).content.decode()) | SEALS_INTACT | {"as_declared": "*", "decision": "cleared"}
        page = border.post(INSPECT, form | {"version": "0" * 64}).content.decode()
        assert "The plan was amended since you opened this page" in page and "version.stale" not in page
        assert 'value="cleared" required checked' in page
        assert border.post(INSPECT, form).status_code == 302
        again = border.post(INSPECT, form, follow=True).content.decode()
    assert "This is not possible at the plan" in again and "[state.wrong]" not in again
    assert StatementIndex.objects.filter(type="leg.inspect").count() == 1


def test_the_screen_reads_a_flat_number_of_queries_whatever_the_passages_listed(parties):
    at_lachin(parties, "c1", "c2", "c3", "c4", arrive=False)
    stages.arrived(parties, "c1")
    border = signed_in("border")
    with clock.frozen_at(AT), CaptureQueriesContext(connection) as one:
        border.get(SCREEN)
    for plan in ("c2", "c3", "c4"):
        stages.arrived(parties, plan, at=AT + 10)
    with clock.frozen_at(AT + 60), CaptureQueriesContext(connection) as four:
        page = border.get(SCREEN).content.decode()
    assert page.count('class="inspect-form"') == 4
    assert len(four) == len(one), [q["sql"] for q in four.captured_queries]


def test_an_officer_with_a_passkey_signs_the_inspection_on_the_device(parties):
    """The form is marked for signing on the device; "prepare" refuses an incomplete form with every problem,
    and a complete one comes back as the statement to sign, recorded once the passkey signed it."""
    from django.test import Client

    from corridor.service.config import CONFIG
    from corridor.service.web.signing import b64url
    from tests.ledger.authenticator import Authenticator

    from .test_signing import challenge_of, enrol

    user, _ = do_create_user("border-device", "border", "officer", password="a-long-test-password")
    device = Authenticator("ES256", origin=CONFIG.webauthn_origin, rp_id=CONFIG.webauthn_rp_id)
    enrol(user, "border", device)
    at_lachin(parties)
    client = Client()
    client.force_login(user)
    with clock.frozen_at(AT):
        page = client.get(SCREEN).content.decode()
        assert 'class="inspect-form" data-sign="record"' in page
        form = hidden(page) | SEALS_INTACT | {"action": "record"}
        refused = client.post(INSPECT, form, HTTP_X_CORRIDOR_SIGN="prepare")
        assert refused.status_code == 422 and refused.json()["code"] == "inspection.incomplete"
        answer = client.post(INSPECT, form | {"as_declared": "*", "decision": "cleared"},
                             HTTP_X_CORRIDOR_SIGN="prepare").json()
        assert json.loads(answer["statement"])["type"] == "leg.inspect"
        assert "at Lachin border and customs checkpoint: decision cleared" in answer["summary"]  # by name
        assert "lachin-checkpoint" not in answer["summary"] and "leg-a" not in answer["summary"]
        assertion = device.assertion(challenge_of(answer))
        done = client.post(answer["complete"], json.dumps({
            "authenticatorData": b64url(assertion.authenticator_data),
            "clientDataJSON": b64url(assertion.client_data_json), "signature": b64url(assertion.signature)}),
            content_type="application/json")
    assert done.json() == {"redirect": SCREEN}
    recorded = client.get(SCREEN).content.decode()
    assert "Signed with your passkey and recorded: You record" in recorded
    assert "on Lachin–Khankendi at Lachin border and customs checkpoint" in recorded
    assert StatementIndex.objects.get(type="leg.inspect").signed_by == "passkey"


def test_the_checkpoints_list_leads_an_officer_to_the_screen_of_their_barrier(parties):
    at_lachin(parties)
    with clock.frozen_at(AT):
        page = signed_in("border").get("/checkpoints").content.decode()
        escort = signed_in("escort").get("/checkpoints").content.decode()
    assert 'href="/checkpoints"' in page  # in the menu
    rows = re.findall(r"<tr( class=\"mine\")?><th scope=\"row\"><a href=\"(/checkpoints/[^\"]+)\">", page)
    assert rows == [(' class="mine"', SCREEN), ("", "/checkpoints/aghdam-gate")]  # its own first
    lachin = page[page.index(SCREEN):page.index("</tr>", page.index(SCREEN))]
    assert "Host state border service, Host state customs service" in lachin
    assert "<td>2</td>" in lachin  # the convoy's two trucks waiting, not its one leg
    assert 'class="mine"' not in escort and SCREEN in escort


def test_a_held_vehicle_comes_back_with_its_earlier_inspection_and_what_it_now_carries(parties):
    at_lachin(parties)
    border = signed_in("border")
    with clock.frozen_at(AT):
        form = hidden(border.get(SCREEN).content.decode()) | SEALS_INTACT
        border.post(INSPECT, form | {"as_declared": "truck-2", "found-flour": "17000", "codes-flour": "missing",
                                     "applied-truck-1": "C-12", "decision": "held", "text": "1 t short: recount"})
    with clock.frozen_at(AT + 600):
        page = border.get(SCREEN).content.decode()
        assert 'class="phase-held"' in page and "1 t short: recount" in page
        assert "seals applied: C-12" in page
        assert "after the last inspection" in page and 'data-declared="17000"' in page
        assert 'name="seal-C-12" value="intact"' in page  # the seal put on is checked like the declared ones
        again = hidden(page) | SEALS_INTACT | {"seal-C-12": "intact", "as_declared": "*", "decision": "cleared"}
        assert border.post(INSPECT, again).status_code == 302
    [held, cleared] = [report for _, _, report in current_fold().state.plans["c1"].legs["leg-a"].inspections]
    assert [f.found for f in cleared.findings] == [17000, 400, 60]
    assert [s.seal for s in cleared.seals] == ["S-40211", "S-40212", "C-12"]


GOODS = (("flour", "Wheat flour", 12000, "kg"), ("oil", "Vegetable oil", 400, "l"), ("kits", "Kits", 50, "kit"))


def test_a_twenty_truck_convoy_is_inspected_in_one_form(parties):
    trucks = [{"id": f"truck-{n:02}", "plate": f"HA-{200 + n}", "type": "20 t truck"} for n in range(1, 21)]
    lines = [{"id": f"{kind}-{n:02}", "item": item, "category": "food", "quantity": quantity, "unit": unit,
              "weight_kg": 1000, "vehicle": f"truck-{n:02}"}
             for n in range(1, 21) for kind, item, quantity, unit in GOODS]
    body = convoy("big")
    body["legs"][0] |= {"lines": lines, "vehicles": trucks, "seals": []}
    body["crew"]["leg-a"][0]["vehicle"] = "truck-01"
    stages.post(parties, "org-a", "/plans", body, stages.T)
    stages.consented(parties, "big")
    stages.scheduled(parties, "big")
    stages.arrived(parties, "big")
    border = signed_in("border")
    with clock.frozen_at(AT):
        page = border.get(SCREEN).content.decode()
        assert page.count('class="vehicle"') == 20 and page.count('class="found"') == 60
        assert "HA-220" in page and "All vehicles as declared" in page
        form = hidden(page) | {"as_declared": "*", "found-oil-07": "380", "codes-oil-07": "damaged",
                               "decision": "cleared"}
        assert border.post(INSPECT, form).status_code == 302
    report = current_fold().state.plans["big"].legs["leg-a"].inspections[-1][2]
    assert len(report.findings) == 60
    assert [(f.found, f.codes) for f in report.findings if f.line == "oil-07"] == [(380, ("damaged",))]


def test_the_plans_parties_see_the_slot_after_the_vehicles_arrived_and_observers_never(parties):
    at_lachin(parties, "c1", "c2", arrive=False)
    stages.arrived(parties, "c1")  # c1 in progress (at Lachin), c2 still scheduled
    with clock.frozen_at(AT):
        page = signed_in("border").get(SCREEN).content.decode()
        observer = signed_in("mediator", "viewer").get(SCREEN).content.decode()
    card = page[page.index('id="i-c1-leg-a"'):page.index("</article>", page.index('id="i-c1-leg-a"'))]
    assert "Slot" in card and "16:00 UTC+4" in card and "17:00 UTC+4" in card  # 12:00–13:00 UTC, Baku time
    assert "16:00 UTC+4" not in observer and "17:00 UTC+4" not in observer


def test_in_arabic_the_recorded_inspection_keeps_its_latin_names_in_their_order(parties):
    at_lachin(parties)
    border = signed_in("border")
    with clock.frozen_at(AT):
        form = hidden(border.get(SCREEN).content.decode())
        border.cookies["django_language"] = "ar"
        page = border.post(INSPECT, form | SEALS_INTACT | {"as_declared": "*", "decision": "cleared"},
                           follow=True).content.decode()
    assert 'dir="rtl"' in page
    assert "\u2068c1\u2069" in page and "\u2068Lachin–Khankendi\u2069" in page and "leg-a" not in shown(page)
    assert "(\u2068Host state border service\u2069)" in page  # the brackets cannot flip around the name


def shown(page: str) -> str:
    """The page's text without its tags (ids stay in attributes and hidden fields)."""
    return re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", "", page, flags=re.S))
