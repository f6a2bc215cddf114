"""The manifest template: the headers a spreadsheet user writes, read back by the manifest reader once
filled in (XLSX and CSV), with a guide sheet and cells that refuse what the service would refuse."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client

from corridor.service.imports.manifest import ManifestError, match_vehicles, read_manifest
from corridor.service.imports.template import HEADERS, manifest_csv, manifest_xlsx

from ..web.test_pages import signed_in


def filled_xlsx(rows) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(manifest_xlsx()))
    for row in rows:
        book["Manifest"].append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_xlsx_template_filled_in_is_read_back():
    data = filled_xlsx([("Wheat flour", 20, "t", 20000, "food", "AB 123"),
                        ("Family hygiene kits", 400, "kit", 2400.0, "wash", None),
                        ("Wheat flour", 2, "t", 2000, "food", None)])
    assert read_manifest("manifest.xlsx", data) == [
        {"id": "wheat-flour", "item": "Wheat flour", "category": "food", "quantity": 20, "unit": "t",
         "weight_kg": 20000, "vehicle": "AB 123"},
        {"id": "family-hygiene-kits", "item": "Family hygiene kits", "category": "wash", "quantity": 400,
         "unit": "kit", "weight_kg": 2400},
        {"id": "wheat-flour-2", "item": "Wheat flour", "category": "food", "quantity": 2, "unit": "t",
         "weight_kg": 2000},
    ]


def test_the_xlsx_template_guides_and_validates():
    book = openpyxl.load_workbook(io.BytesIO(manifest_xlsx()))
    assert book.sheetnames == ["Manifest", "How to fill in"]
    manifest = book["Manifest"]
    assert tuple(cell.value for cell in manifest[1]) == HEADERS and manifest.freeze_panes == "A2"
    rules = {str(v.sqref): (v.type, v.operator, v.formula1) for v in manifest.data_validations.dataValidation}
    assert rules == {"B2:B5001": ("decimal", "greaterThan", "0"), "D2:D5001": ("whole", "greaterThanOrEqual", "0")}
    guide = [row[0] for row in book["How to fill in"].iter_rows(min_row=2, max_row=8, values_only=True)]
    assert guide == [*HEADERS, "ID"]
    with pytest.raises(ManifestError) as caught:  # as it comes: headers only
        read_manifest("manifest.xlsx", manifest_xlsx())
    assert caught.value.code == "manifest.empty"


def test_the_csv_template_filled_in_is_read_back():
    data = manifest_csv() + b"Rice,10,t,\"10,000\",food,2\r\n"
    assert manifest_csv().startswith(b"\xef\xbb\xbfItem,Quantity,Unit,Weight (kg),Category,Vehicle")
    assert read_manifest("manifest.csv", data) == [
        {"id": "rice", "item": "Rice", "category": "food", "quantity": 10, "unit": "t", "weight_kg": 10000,
         "vehicle": "2"}]


@pytest.mark.parametrize(("header", "missing"), [
    ("Item,Qty,Unit", "Weight (kg)"), ("Description,Quantity,Weight (kg)", "Unit"),
])
def test_a_missing_column_is_named_as_the_template_names_it(header, missing):
    with pytest.raises(ManifestError) as caught:
        read_manifest("m.csv", f"{header}\nx,1,t\n".encode())
    assert caught.value.code == "manifest.columns" and f"missing: {missing}" in caught.value.message


def test_headers_are_found_in_any_case_order_and_with_usual_synonyms():
    data = b"QTY,weight KG,Description,UoM,Notes,Line ID\n3,60,Tents,piece,fragile,tents-1\n"
    assert read_manifest("m.csv", data) == [{"id": "tents-1", "item": "Tents", "category": "", "quantity": 3,
                                             "unit": "piece", "weight_kg": 60}]


def test_a_column_named_twice_is_refused():
    with pytest.raises(ManifestError) as caught:
        read_manifest("m.csv", b"Item,Quantity,Qty,Unit,Weight (kg)\nx,1,1,t,1\n")
    assert caught.value.code == "manifest.columns" and "quantity" in caught.value.message


def test_items_without_ascii_letters_get_numbered_ids():
    data = "Item,Quantity,Unit,Weight (kg),ID\nМука,1,т,1000,\nРис,2,т,2000,line-1\n".encode()
    assert [line["id"] for line in read_manifest("m.csv", data)] == ["line-1-2", "line-1"]


def test_vehicles_are_matched_by_plate_number_or_id():
    lines = [{"id": "a", "vehicle": "ab 123"}, {"id": "b", "vehicle": "2"}, {"id": "c", "vehicle": "v1"},
             {"id": "d"}, {"id": "e", "vehicle": "ZZ 9"}]
    problems = match_vehicles(lines, [{"id": "v1", "plate": "AB 123"}, {"id": "v2", "plate": "CD 456"}])
    assert [line.get("vehicle") for line in lines] == ["v1", "v2", "v1", None, "ZZ 9"]
    assert problems == ["line e: vehicle 'ZZ 9' is not one of this leg's vehicles (write its plate or its number "
                        "in the list)"]


@pytest.mark.parametrize(("fmt", "content_type", "start"), [
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
    ("csv", "text/csv; charset=utf-8", b"\xef\xbb\xbfItem,"),
])
def test_anyone_downloads_the_template(fmt, content_type, start):
    response = Client().get(f"/manifest/template.{fmt}")
    assert response.status_code == 200 and response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="corridor-manifest-template.{fmt}"'
    assert response.content.startswith(start)
    assert Client().get("/manifest/template.xls").status_code == 404


@pytest.mark.django_db
def test_the_request_form_links_the_template(parties):
    page = signed_in("org-a").get("/plans/new").content.decode()
    assert page.count('href="/manifest/template.xlsx"') == 1 and 'href="/manifest/template.csv"' in page
