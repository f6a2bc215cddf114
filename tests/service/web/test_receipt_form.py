"""The delivery receipt on the plan page, vehicle by vehicle: each vehicle named with its plate, "All received
as declared" filled in by the server (nothing recorded), an empty count sent back in words with what was typed,
and nobody but the receiving authority records it."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from corridor.service import clock
from corridor.service.ledger.models import StatementIndex
from corridor.service.passages.history import TIMELINE_PAGE

from ..plans import plan_body
from . import stages
from .test_pages import rendered_version, signed_in

pytestmark = pytest.mark.django_db
AT = 1694440000  # after departure


def convoy_legs() -> list[dict]:
    """Two trucks on road A: flour and water on the first, blankets on the second."""
    legs = plan_body()["legs"]
    legs[0]["vehicles"] = [{"id": "truck-1", "plate": "AB 123", "type": "truck"},
                           {"id": "truck-2", "plate": "CD 456", "type": "truck"}]
    legs[0]["lines"] = [
        {"id": "flour", "item": "Wheat flour", "category": "food", "quantity": 18, "unit": "t", "weight_kg": 18000,
         "vehicle": "truck-1"},
        {"id": "water", "item": "Bottled water", "category": "wash", "quantity": 2, "unit": "t", "weight_kg": 2000,
         "vehicle": "truck-1"},
        {"id": "blankets", "item": "Blankets", "category": "shelter", "quantity": 400, "unit": "pcs",
         "weight_kg": 800, "vehicle": "truck-2"}]
    return legs


def in_transit(parties) -> None:
    """The convoy inspected at Lachin (all as declared), released and departed."""
    stages.submitted(parties, legs=convoy_legs())
    stages.consented(parties)
    stages.scheduled(parties)
    stages.arrived(parties)
    findings = [{"line": line, "found": found, "codes": []} for line, found in
                (("flour", 18), ("water", 2), ("blankets", 400))]
    stages.post(parties, "border", "/plans/p1/inspect", {"leg": "leg-a", "checkpoint": "lachin-checkpoint",
                                                         "decision": "cleared", "findings": findings}, 1694434000)
    stages.post(parties, "escort", "/plans/p1/go", {}, 1694434200)
    stages.post(parties, "org-a", "/plans/p1/depart", {"leg": "leg-a"}, 1694434300)


def receipt_section(page: str) -> str:
    start = page.index('action="/plans/p1/act/leg.deliver"')
    return page[start:page.index("</form>", start)]


def test_the_receipt_is_grouped_by_vehicle_with_plates_and_no_count_that_looks_filled(parties):
    in_transit(parties)
    with clock.frozen_at(AT):
        form = receipt_section(signed_in("recv").get("/plans/p1").content.decode())
    assert "Vehicle 1 — AB 123" in form and "Vehicle 2 — CD 456" in form
    assert form.index("Vehicle 1") < form.index("Wheat flour") < form.index("Bottled water") < form.index(
        "Vehicle 2") < form.index("Blankets")
    assert "placeholder" not in form and " required" not in form  # no "18" that looks typed; the server says
    assert form.count('value="fill"') == 0 and form.count('name="fill"') == 3  # each truck, and all of them
    assert 'name="good-flour" inputmode="decimal" value=""' in form


def test_an_empty_count_is_sent_back_in_words_with_what_was_typed(parties):
    in_transit(parties)
    recv = signed_in("recv")
    with clock.frozen_at(AT):
        version = rendered_version(recv.get("/plans/p1").content.decode())
        answer = recv.post("/plans/p1/act/leg.deliver", {"as": "recv", "version": version, "leg": "leg-a",
                                                          "good-flour": "17", "damaged-flour": "1", "good-water": "",
                                                          "good-blankets": ""})
    page = answer.content.decode()
    assert answer.status_code == 200 and not StatementIndex.objects.filter(type="leg.deliver").exists()
    assert "Nothing was recorded: say how much arrived in good condition of Bottled water (Vehicle 1), " \
           "Blankets (Vehicle 2)" in page
    form = receipt_section(page)
    assert 'name="good-flour" inputmode="decimal" value="17"' in form  # kept as typed
    assert 'name="damaged-flour" inputmode="decimal" value="1"' in form
    assert 'name="good-water" inputmode="decimal" value="" aria-invalid="true"' in form


def test_all_received_as_declared_fills_a_vehicle_then_the_rest_and_records_only_when_asked(parties):
    in_transit(parties)
    recv = signed_in("recv")
    with clock.frozen_at(AT):
        version = rendered_version(recv.get("/plans/p1").content.decode())
        sent = {"as": "recv", "version": version, "leg": "leg-a", "good-flour": "", "damaged-flour": "2",
                "lost-flour": "0", "good-water": "", "good-blankets": ""}
        page = recv.post("/plans/p1/act/leg.deliver", sent | {"fill": "truck-1"}).content.decode()
        form = receipt_section(page)
        assert 'name="good-flour" inputmode="decimal" value="16"' in form  # 18 carried, 2 typed damaged
        assert 'name="good-water" inputmode="decimal" value="2"' in form
        assert 'name="good-blankets" inputmode="decimal" value=""' in form  # the other truck: untouched
        assert not StatementIndex.objects.filter(type="leg.deliver").exists()
        page = recv.post("/plans/p1/act/leg.deliver", sent | {"fill": "*"}).content.decode()
        assert 'name="good-blankets" inputmode="decimal" value="400"' in receipt_section(page)
        recorded = recv.post("/plans/p1/act/leg.deliver", sent | {"good-flour": "16", "good-water": "2",
                                                                   "good-blankets": "400", "record": "record"},
                             follow=True).content.decode()
    assert "Delivery receipt — Receiving authority (Khankendi)" in recorded
    row = StatementIndex.objects.get(type="leg.deliver")
    assert row.party == "recv"


def test_a_party_not_receiving_cannot_receipt_nor_read_the_form(parties):
    in_transit(parties)
    with clock.frozen_at(AT):
        customs = signed_in("customs")
        page = customs.get("/plans/p1").content.decode()
        assert 'action="/plans/p1/act/leg.deliver"' not in page
        form = {"as": "customs", "version": stages.version(parties), "leg": "leg-a", "good-flour": "18",
                "good-water": "2", "good-blankets": "400"}
        customs.post("/plans/p1/act/leg.deliver", form)
        as_recv = customs.post("/plans/p1/act/leg.deliver", form | {"as": "recv"})
        stranger = signed_in("org-b").post("/plans/p1/act/leg.deliver", form | {"as": "org-b", "fill": "*"})
        anonymous = Client().post("/plans/p1/act/leg.deliver", form | {"as": "recv", "fill": "*"})
    assert as_recv.status_code == 404 and stranger.status_code == 404 and anonymous.status_code == 302
    assert not StatementIndex.objects.filter(type="leg.deliver").exists()


def test_a_receipt_sent_back_on_a_long_plan_links_its_earlier_statements_to_the_plan_page(parties):
    from .test_plan_timeline_window import timeline

    in_transit(parties)
    for n in range(TIMELINE_PAGE):  # the timeline is longer than a window, the documents than a page
        stages.post(parties, "org-a", "/plans/p1/note", {"sha256": f"{n:064x}"}, 1694435000 + n)
    recv = signed_in("recv")
    with clock.frozen_at(AT):
        version = rendered_version(recv.get("/plans/p1").content.decode())
        page = recv.post("/plans/p1/act/leg.deliver", {"as": "recv", "version": version, "leg": "leg-a",
                                                        "good-flour": "", "good-water": "", "good-blankets": "",
                                                        "fill": "*"}).content.decode()
    # the page is answered at /plans/p1/act/leg.deliver: a link "?before=N" would ask that address, by GET
    earlier = re.search(r'<a href="([^"]*)#timeline">Earlier statements</a>', timeline(page)).group(1)
    documents = re.search(r'<a href="([^"]*)#documents">Earlier documents</a>', page).group(1)
    assert earlier.startswith("/plans/p1?before=") and documents == "/plans/p1?documents_before=50"
    with clock.frozen_at(AT):
        assert recv.get(earlier.replace("&amp;", "&")).status_code == 200
