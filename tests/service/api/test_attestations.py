"""GET /attestations: a source's records, each line with the quantity in the source's unit, a weight or
null (never 0 for unknown), and the source's row as it published it."""

from __future__ import annotations

import pytest

from corridor.service.imports.attest import ImportReport, ensure_source, record_attestations

pytestmark = pytest.mark.django_db
ROW = {"ID": "7", "Quantity": "29", "Units": "Pallets", "Crossing": "Kerem Shalom", "Donation Type": "Humanitarian"}


def truck(n: int, unit: str, weight: int | None) -> dict:
    return {"passage": f"t-{n}", "dataset": "trucks", "reference": str(n), "crossing": "Kerem Shalom",
            "received": "2024-01-0" + str(n), "lines": [{"item": "Flour", "quantity": 29, "unit": unit,
                                                         "weight_kg": weight, "published": ROW | {"ID": str(n)}}]}


def test_a_record_shows_its_quantity_as_published_a_null_weight_and_the_source_columns(public):
    ensure_source("trucks-src", "A trucking source")
    record_attestations("trucks-src", [truck(1, "Pallets", None), truck(2, "MT", 29000)], ImportReport("t"),
                        lambda message: None)
    answer = public.get("/api/v1/attestations?dataset=trucks").json()
    assert [row["passage"] for row in answer["results"]] == ["t-1", "t-2"]
    first, second = answer["results"]
    assert first["tonnes"] is None and second["tonnes"] == 29.0
    assert first["received"] == "2024-01-01" and first["kind"] == "attested by the source, not consented on Corridor"
    (line,) = first["lines"]
    assert (line["quantity"], line["unit"], line["weight_kg"]) == (29, "Pallets", None)
    assert line["published"] == ROW | {"ID": "1"}
    assert second["lines"][0]["weight_kg"] == 29000


def test_the_list_is_paginated(public):
    ensure_source("trucks-src", "A trucking source")
    record_attestations("trucks-src", [truck(n, "Pallets", None) for n in range(1, 6)], ImportReport("t"),
                        lambda message: None)
    answer = public.get("/api/v1/attestations?page_size=2&page=3").json()
    assert [row["passage"] for row in answer["results"]] == ["t-5"] and answer["count"] == 5


def test_the_list_agrees_with_the_attestations_table_computed_from_the_log(public):
    import json

    from corridor.service.exports.published import log_tables

    ensure_source("trucks-src", "A trucking source")
    records = [truck(1, "Pallets", None), truck(2, "MT", 29000)]
    records[1]["lines"].append({"item": "Rice", "quantity": 3, "unit": "MT", "weight_kg": 3000, "published": {}})
    record_attestations("trucks-src", records, ImportReport("t"), lambda message: None)
    listed = [(row["passage"], number, row["dataset"], row["source"], row["reference"], row["crossing"],
               row["received"], line["item"], line["quantity"], line["unit"], line["weight_kg"], line["published"])
              for row in public.get("/api/v1/attestations").json()["results"]
              for number, line in enumerate(row["lines"], start=1)]
    from_log = [(row["passage"], row["line"], row["dataset"], row["source"], row["reference"], row["crossing"],
                 row["received"], row["item"], row["quantity"], row["unit"], row["weight_kg"],
                 json.loads(row["published"] or "{}")) for row in log_tables()["attestations"]]
    assert listed == from_log and len(listed) == 3
