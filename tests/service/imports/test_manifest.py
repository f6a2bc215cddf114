"""Manifest lines from CSV and XLSX, with row-level errors a logistician can act on."""

from __future__ import annotations

import io

import openpyxl
import pytest

from corridor.service.imports.manifest import ManifestError, read_manifest

HEADER = "id,item,category,quantity,unit,weight_kg\n"


def xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_csv_lines_are_read_with_whole_numbers():
    lines = read_manifest("m.csv", (HEADER + "flour,Wheat flour,food,20,t,\"20,000\"\n").encode())
    assert lines == [{"id": "flour", "item": "Wheat flour", "category": "food", "quantity": 20, "unit": "t",
                      "weight_kg": 20000}]


def test_xlsx_lines_are_read_and_numbers_from_cells_kept_exact():
    header = ["ID", "Item", "Category", "Quantity", "Unit", "Weight_kg"]
    data = xlsx([header, ["rice", "Rice", "food", 10, "t", 10000.0]])
    assert read_manifest("m.xlsx", data)[0]["weight_kg"] == 10000


def test_every_bad_row_is_named_with_its_column_and_nothing_is_read():
    text = HEADER + "flour,Wheat flour,food,20,t,20000\n,Rice,food,2.5,t,100\nflour,Oil,food,1,,ten\n"
    with pytest.raises(ManifestError) as caught:
        read_manifest("m.csv", text.encode())
    messages = [row["message"] for row in caught.value.rows]
    assert caught.value.code == "manifest.rows"
    assert messages == [
        "row 3, id: needs an id of letters, digits and . _ : - (e.g. flour-1)",
        "row 3, quantity: '2.5' is not a whole number (no decimals, no units)",
        "row 4, unit: is empty",
        "row 4, weight_kg: 'ten' is not a whole number (no decimals, no units)",
        "row 4, id: 'flour' is used again (first on row 2)",
    ]


@pytest.mark.parametrize(("name", "data", "code"), [
    ("m.csv", b"item,quantity\nx,1\n", "manifest.columns"),
    ("m.csv", HEADER.encode(), "manifest.empty"),
    ("m.csv", "id,item\nä".encode("latin-1"), "manifest.encoding"),
    ("m.xlsx", b"PK\x03\x04 broken", "manifest.unreadable"),
])
def test_unusable_files_get_a_clear_code(name, data, code):
    with pytest.raises(ManifestError) as caught:
        read_manifest(name, data)
    assert caught.value.code == code


@pytest.mark.django_db
def test_the_api_lists_row_errors(parties):
    upload = io.BytesIO((HEADER + "x,Rice,food,0,t,1\n").encode())
    upload.name = "m.csv"
    response = parties["org-a"].client.post("/api/v1/manifest/parse", {"file": upload})
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "row 2, quantity: must be at least 1"
