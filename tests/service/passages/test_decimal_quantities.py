"""Decimal quantities through the service: declared through the API as decimal strings, found and received
with a point or a comma on the pages, kept exactly in the read models (never floats), shown on the plan
page, answered by the API as the log has them, and exported as exact numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from corridor.figures import formats
from corridor.figures.tables import LINES, line_rows
from corridor.ledger.checkpoint import Checkpoint
from corridor.service import clock
from corridor.service.ledger.record import current_fold
from corridor.service.passages.models import ManifestLine

from ..plans import plan_body
from ..web import stages
from ..web.test_pages import rendered_version, signed_in

pytestmark = pytest.mark.django_db


def decimal_plan(parties) -> None:
    body = plan_body()
    body["legs"][0]["lines"] = [
        {"id": "flour", "item": "Wheat flour", "category": "food", "quantity": "2.5", "unit": "t", "weight_kg": 2500},
        {"id": "kits", "item": "Hygiene kits", "category": "wash", "quantity": 40, "unit": "kit", "weight_kg": 240}]
    stages.post(parties, "org-a", "/plans", body, stages.T)


def to_delivery(parties) -> None:
    decimal_plan(parties)
    stages.consented(parties)
    stages.scheduled(parties)
    stages.arrived(parties)
    stages.post(parties, "border", "/plans/p1/inspect", {
        "leg": "leg-a", "checkpoint": "lachin-checkpoint", "decision": "cleared",
        "findings": [{"line": "flour", "found": "2.25", "codes": ["missing"]}]}, 1694434000)
    stages.post(parties, "escort", "/plans/p1/go", {}, 1694434200)
    stages.post(parties, "org-a", "/plans/p1/depart", {"leg": "leg-a"}, 1694434300)


def test_a_plan_with_decimal_quantities_is_kept_exactly(parties):
    decimal_plan(parties)
    rows = {row.line_id: row for row in ManifestLine.objects.all()}
    assert (rows["flour"].quantity, rows["flour"].carried, rows["kits"].quantity) == ("2.5", "2.5", 40)
    status, lines = parties["org-a"].get("/lines", plan="p1")
    assert [(line["line"], line["quantity"]) for line in lines["results"]] == [("flour", "2.5"), ("kits", 40)]
    assert "2.5 t" in signed_in("border").get("/plans/p1").content.decode()


def test_receipts_typed_with_a_comma_account_exactly_for_what_was_found(parties):
    to_delivery(parties)
    client = signed_in("recv")
    with clock.frozen_at(1694440000):
        version = rendered_version(client.get("/plans/p1").content.decode())
        form = {"as": "recv", "version": version, "leg": "leg-a", "good-flour": "2", "damaged-flour": "0,2",
                "lost-flour": "0.05", "good-kits": "40"}
        page = client.post("/plans/p1/act/leg.deliver", form, follow=True).content.decode()
    assert "Delivery receipt — Receiving authority (Khankendi)" in page, page[page.find("messages"):][:400]
    rows = {row.line_id: row for row in ManifestLine.objects.all()}
    assert (rows["flour"].carried, rows["flour"].good, rows["flour"].damaged, rows["flour"].lost) == (
        "2.25", 2, "0.2", "0.05")
    exported = {row["line"]: row for row in line_rows(current_fold().state)}
    assert (exported["flour"]["carried"], exported["flour"]["damaged"]) == (Decimal("2.25"), Decimal("0.2"))
    assert exported["kits"]["quantity"] == 40 and isinstance(exported["kits"]["quantity"], int)
    checkpoint = Checkpoint(origin="test", size=1, root=b"\x00" * 32)
    json_file = formats.render(LINES, line_rows(current_fold().state), "json", checkpoint).decode()
    assert '"quantity": 2.5' in json_file and '"carried": 2.25' in json_file and '"quantity": 40' in json_file
    assert "2.5" in formats.render(LINES, line_rows(current_fold().state), "csv", checkpoint).decode()


def test_a_receipt_that_does_not_add_up_is_refused_with_exact_figures(parties):
    to_delivery(parties)
    client = signed_in("recv")
    with clock.frozen_at(1694440000):
        version = rendered_version(client.get("/plans/p1").content.decode())
        form = {"as": "recv", "version": version, "leg": "leg-a", "good-flour": "2.2", "good-kits": "40"}
        page = client.post("/plans/p1/act/leg.deliver", form, follow=True).content.decode()
        assert "carried 2.25, receipted 2.2" in page
        form["good-flour"] = "2.2 t"
        page = client.post("/plans/p1/act/leg.deliver", form, follow=True).content.decode()
        assert "Give quantities and weights as numbers of at least zero" in page


@pytest.mark.parametrize("quantity", [2.5, "2.50", "2,5"])
def test_the_api_refuses_a_quantity_not_in_its_one_form(parties, quantity):
    body = plan_body()
    body["legs"][0]["lines"][0]["quantity"] = quantity
    with clock.frozen_at(stages.T):
        status, answer = parties["org-a"].post("/plans", body)
    assert (status, answer["code"]) == (422, "quantity.invalid")
