"""The amend form (web/amend.py) without a browser: its tables in the default state, typical edits read into
the plan.amend recorded, errors in words naming the leg, the line's place and its item (never an id), and a
hostile requester's form refused cleanly (forged rows, too many rows, another party)."""

from __future__ import annotations

import re

import pytest

from corridor.service import clock
from corridor.service.ledger.models import StatementIndex

from ..plans import plan_body
from . import stages
from .form_fields import form_fields
from .test_leg_names import shown_text
from .test_pages import signed_in
from .test_request_form import last_statement

pytestmark = pytest.mark.django_db
URL = "/plans/p1/amend"


def two_trucks() -> list[dict]:
    legs = plan_body()["legs"]
    legs[0]["lines"] = [
        {"id": "flour", "item": "Wheat flour", "category": "food", "quantity": 20, "unit": "t", "weight_kg": 20000,
         "vehicle": "truck-1"},
        {"id": "oil", "item": "Sunflower oil", "category": "food", "quantity": "400.5", "unit": "l",
         "weight_kg": 370, "vehicle": "truck-2"}]
    legs[0]["vehicles"].append({"id": "truck-2", "plate": "CD 456", "type": "20 t truck"})
    legs[0]["seals"] = ["S-1", "S-2"]
    return legs


@pytest.fixture
def form(parties):
    """The requester's client and the amend form's fields as rendered."""
    stages.submitted(parties, legs=two_trucks())
    org = signed_in("org-a")
    page = org.get(URL).content.decode()
    return org, page, form_fields(page, URL)


def post(org, body: dict, action: str = "amend", at: int = stages.T + 300) -> str:
    with clock.frozen_at(at):
        return org.post(URL, body | {"action": action}, follow=True).content.decode()


def amended() -> dict:
    statement = last_statement()
    assert statement["type"] == "plan.amend"
    return statement["payload"]


def test_the_form_is_tables_of_rows_without_ids(form):
    _org, page, fields = form
    text = shown_text(page)
    assert "truck-1" not in text and "truck-2" not in text and "flour," not in text and "leg-a" not in text
    assert fields["leg1-line1-id"] == "flour" and fields["leg1-line2-quantity"] == "400.5"  # hidden, as typed
    assert fields["leg1-line1-vehicle"] == "1" and fields["leg1-line2-vehicle"] == "2"
    assert "Vehicle 2 — CD 456" in page and "not assigned" in page
    assert fields["leg1-vehicle2-plate"] == "CD 456" and fields["leg1-vehicle2-type"] == "20 t truck"  # kept
    assert fields["leg1-lines"] == "5" and fields["leg1-vehicles"] == "4"  # 3 and 2 blank rows
    assert fields["leg1-seals"] == "S-1 S-2" and "<textarea" not in page


def test_the_default_state_changes_nothing(form):
    org, _page, fields = form
    review = post(org, fields, "review")
    assert "Nothing changes yet" in review
    done = post(org, fields)
    assert "identical to the current version" in done and not StatementIndex.objects.filter(type="plan.amend").exists()


def test_typical_edits_are_what_is_signed(form):
    org, _page, fields = form
    fields |= {"leg1-line1-quantity": "25,5", "leg1-line1-weight": "25 500",  # typed as people type
               "leg1-line2-remove": "1", "leg1-vehicle2-remove": "1",  # the oil goes, and its truck
               "leg1-vehicle3-plate": "EF 789", "leg1-vehicle3-type": "tanker",  # a blank row: a new vehicle
               "leg1-line3-item": "Rice", "leg1-line3-category": "food", "leg1-line3-quantity": "5",
               "leg1-line3-unit": "t", "leg1-line3-weight": "5000", "leg1-line3-vehicle": "3",
               "leg1-seals": "S-1 S-3"}
    review = post(org, fields, "review")
    assert "line changed" in review and "line removed" in review and "line added" in review
    assert "5 t · 5000 kg · food · EF 789" in review and "AB 123 (truck), EF 789 (tanker)" in review  # by plate
    assert not re.search(r"\bv3\b|truck-", shown_text(review))
    post(org, fields)
    [leg] = amended()["legs"]
    assert leg["lines"][0] == {"id": "flour", "item": "Wheat flour", "category": "food", "quantity": "25.5",
                               "unit": "t", "weight_kg": 25500, "vehicle": "truck-1"}
    assert leg["lines"][1] == {"id": "rice", "item": "Rice", "category": "food", "quantity": 5, "unit": "t",
                               "weight_kg": 5000, "vehicle": "v3"}  # ids made by the service
    assert [(v["id"], v["type"]) for v in leg["vehicles"]] == [("truck-1", "truck"), ("v3", "tanker")]
    assert leg["seals"] == ["S-1", "S-3"] and "EF 789" not in str(leg)  # the new plate is committed


def test_errors_name_the_leg_the_line_and_its_item(form):
    org, _page, fields = form
    fields |= {"leg1-line1-quantity": "twenty", "leg1-line2-weight": "370.5", "leg1-vehicle2-remove": "1",
               "leg1-line3-item": "Rice", "leg1-line3-unit": "t"}
    page = post(org, fields)
    assert "Lachin–Khankendi, line 1 (Wheat flour): the quantity must be a number greater than zero" in page
    assert "Lachin–Khankendi, line 2 (Sunflower oil): the weight must be a whole number of kilograms" in page
    assert "Lachin–Khankendi, line 2 (Sunflower oil): its vehicle (vehicle 2) is removed" in page
    assert "Lachin–Khankendi, line 3 (Rice): the quantity must be" in page
    assert not StatementIndex.objects.filter(type="plan.amend").exists()
    assert "What this amendment changes" not in page  # reviewed once the rows are right
    again = form_fields(page, URL)
    assert again["leg1-line1-quantity"] == "twenty" and again["leg1-line3-item"] == "Rice"  # kept as typed


def test_more_rows_keeps_what_was_typed(form):
    org, _page, fields = form
    page = post(org, fields | {"leg1-line3-item": "Rice"}, "more:leg1")
    again = form_fields(page, URL)
    assert again["leg1-lines"] == "8" and again["leg1-vehicles"] == "6" and again["leg1-line3-item"] == "Rice"
    assert again["version"] == fields["version"] and "What this amendment changes" not in page


def test_a_forged_row_id_is_refused_in_words(form):
    org, _page, fields = form
    page = post(org, fields | {"leg1-line1-id": "rice-from-another-leg", "leg1-vehicle1-id": "truck-9"})
    assert "line 1 (Wheat flour): this row is not one of this leg&#x27;s lines" in page
    assert "vehicle 1 (AB 123): this row is not one of this leg&#x27;s vehicles" in page
    assert not StatementIndex.objects.filter(type="plan.amend").exists()


def test_a_forged_category_or_type_is_refused(form):
    org, _page, fields = form
    page = post(org, fields | {"leg1-line1-category": "<b>x</b>", "leg1-vehicle1-type": "spaceship"})
    assert "choose its category from the list" in page and "choose its type from the list" in page
    assert "<b>x</b>" not in page


def test_too_many_rows_are_refused_with_a_clear_error(form):
    org, _page, fields = form
    page = post(org, fields | {"leg1-lines": "100000"})
    assert "This form holds at most 100 rows in all" in page
    assert not StatementIndex.objects.filter(type="plan.amend").exists()
    flood = {f"leg1-line{n}-item": "x" for n in range(1200)}
    page = post(org, fields | flood)
    assert "This form holds at most 100 rows in all" in page and not StatementIndex.objects.filter(
        type="plan.amend").exists()


def test_another_party_cannot_post_the_form(form):
    _org, _page, fields = form
    for other in ("border", "org-b"):
        client = signed_in(other)
        assert client.post(URL, fields | {"action": "amend"}).status_code == 404
        assert client.post(URL, fields | {"action": "amend", "as": other}).status_code == 404
    assert not StatementIndex.objects.filter(type="plan.amend").exists()


def test_a_new_leg_from_its_tables_with_its_crew(form):
    org, _page, fields = form
    fields |= {"new-route": "road-b", "new-line1-item": "Rice", "new-line1-quantity": "5", "new-line1-unit": "t",
               "new-line1-weight": "5000", "new-line1-vehicle": "1", "new-vehicle1-plate": "ZZ 999",
               "new-crew1-name": "Ana Driver", "new-crew1-document": "P-123", "new-crew1-vehicle": "1",
               "new-crew2-name": "Bo Mate", "new-crew2-document": "P-456"}
    post(org, fields)
    new = amended()["legs"][1]
    assert new["id"] == "leg-2" and new["lines"][0]["vehicle"] == "v1" and new["vehicles"][0]["id"] == "v1"
    assert new["crew"][0]["vehicle"] == "v1" and isinstance(new["crew"][1], str)
    assert "Ana Driver" not in str(last_statement())


def test_drop_a_leg(parties):
    legs = [*two_trucks(), plan_body()["legs"][0] | {"id": "leg-b", "route": "road-b"}]
    stages.submitted(parties, legs=legs)
    org = signed_in("org-a")
    fields = form_fields(org.get(URL).content.decode(), URL)
    post(org, fields | {"leg2-drop": "1"})
    assert [leg["id"] for leg in amended()["legs"]] == ["leg-a"]


def test_no_field_name_carries_a_leg_id(form):
    _org, page, _fields = form
    assert not re.search(r'name="[^"]*leg-a', page)


def test_a_row_id_from_another_leg_is_refused(parties):
    other = plan_body()["legs"][0] | {"id": "leg-b", "route": "road-b", "vehicles": [
        {"id": "truck-9", "plate": "ZZ 999", "type": "truck"}]}
    other["lines"] = [{"id": "rice", "item": "Rice", "category": "food", "quantity": 5, "unit": "t",
                       "weight_kg": 5000, "vehicle": "truck-9"}]
    stages.submitted(parties, legs=[*two_trucks(), other])
    org = signed_in("org-a")
    fields = form_fields(org.get(URL).content.decode(), URL)
    assert fields["leg2-line1-id"] == "rice" and fields["leg2-vehicle1-id"] == "truck-9"
    page = post(org, fields | {"leg1-line1-id": "rice", "leg1-vehicle1-id": "truck-9"})
    assert "Lachin–Khankendi, line 1 (Wheat flour): this row is not one of this leg&#x27;s lines" in page
    assert "Lachin–Khankendi, vehicle 1 (AB 123): this row is not one of this leg&#x27;s vehicles" in page
    assert not StatementIndex.objects.filter(type="plan.amend").exists()


def test_a_plate_the_party_committed_itself_is_kept_when_left_empty(parties):
    legs = plan_body()["legs"]
    legs[0]["vehicles"][0]["plate"] = "a" * 64  # a commitment the service cannot open
    stages.submitted(parties, legs=legs)
    org = signed_in("org-a")
    page = org.get(URL).content.decode()
    fields = form_fields(page, URL)
    assert fields["leg1-vehicle1-plate"] == "" and 'placeholder="kept as committed"' in page
    assert "identical to the current version" in post(org, fields)
    post(org, fields | {"leg1-line1-quantity": "21"})
    assert amended()["legs"][0]["vehicles"][0]["plate"] == "a" * 64


def test_a_vehicle_crew_travel_in_stays(parties):
    stages.submitted(parties, crew={"leg-a": [{"name": "Ana Driver", "document": "P-123", "vehicle": "truck-1"}]})
    org = signed_in("org-a")
    fields = form_fields(org.get(URL).content.decode(), URL)
    page = post(org, fields | {"leg1-vehicle1-remove": "1", "leg1-line1-vehicle": ""})
    assert "Lachin–Khankendi, vehicle 1: crew members travel in it, so it cannot be removed on this page" in page
    assert not StatementIndex.objects.filter(type="plan.amend").exists()


def test_a_passkey_prepare_with_errors_lets_the_page_say_them(form):
    org, _page, fields = form
    with clock.frozen_at(stages.T + 300):
        answer = org.post(URL, fields | {"action": "amend", "leg1-line1-quantity": "x"},
                          headers={"X-Corridor-Sign": "prepare"})
    assert answer.json() == {"custodial": True}  # the form is then posted as it is: the page shows the errors
    assert not StatementIndex.objects.filter(type="plan.amend").exists()


def test_a_review_of_a_form_from_an_older_version_says_so(form):
    org, _page, fields = form
    with clock.frozen_at(stages.T + 200):
        post(org, fields | {"leg1-line1-quantity": "21"})
    page = post(org, fields, "review", at=stages.T + 400)
    assert "The plan was amended since you opened this page" in page and "What this amendment changes" not in page


@pytest.mark.parametrize("language", ["ru", "fr", "ar"])
def test_the_form_and_its_errors_are_in_the_readers_language(form, language):
    from .test_every_language import english_left, raw_codes, visible_texts

    org, _page, fields = form
    org.cookies["django_language"] = language
    pages = [org.get(URL).content.decode(),
             post(org, fields | {"leg1-line1-quantity": "x", "leg1-vehicle2-remove": "1", "leg1-line4-item": "Rice"}),
             post(org, fields | {"leg1-line1-quantity": "21"}, "review")]
    for page in pages:
        texts = visible_texts(page)
        assert english_left(texts, language) == [] and raw_codes(texts) == []
    assert "What this amendment changes" not in pages[2] and "Wheat flour" in pages[2]
