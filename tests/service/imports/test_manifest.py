"""Manifest lines from CSV and XLSX, with row-level errors a logistician can act on."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest

from corridor.service.imports.manifest import (
    COLUMNS,
    MAX_CELL_CHARS,
    MAX_ROWS,
    MAX_SHEET_ROWS,
    ManifestError,
    header_key,
    read_manifest,
    read_manifest_rows,
    read_table,
)

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
    text = HEADER + "flour,Wheat flour,food,20,t,20000\nrice bag,Rice,food,2.5,t,100\nflour,Oil,food,1,,ten\n"
    with pytest.raises(ManifestError) as caught:
        read_manifest("m.csv", text.encode())
    messages = [row["message"] for row in caught.value.rows]
    assert caught.value.code == "manifest.rows"
    assert messages == [
        "row 3, id: needs an id of letters, digits and . _ : - (e.g. flour-1), or none",
        "row 4, unit: is empty",
        "row 4, weight_kg: 'ten' is not a whole number of kilograms (no decimals, no units)",
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
    assert response.json()["errors"][0]["message"] == "row 2, quantity: '0' must be greater than zero (e.g. 20 or 2.5)"


def workbook_of(rows: int, cell: str = "Wheat flour") -> bytes:
    """A workbook (openpyxl write-only mode) whose sheet then repeats one row `rows` times, each without its
    own number, as an attacker would write it: 200,000 rows pack into some 70 KB, and make in a blink."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(COLUMNS))
    sheet.append(["flour", cell, "food", 1, "t", 1000])
    packed = io.BytesIO()
    book.save(packed)
    out = io.BytesIO()
    with zipfile.ZipFile(packed) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = _repeat_last_row(data.decode(), rows).encode()
            target.writestr(member, data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _repeat_last_row(sheet: str, times: int) -> str:
    start, end = sheet.rindex("<row "), sheet.rindex("</row>") + len("</row>")
    row = re.sub(r' r="[A-Z]*[0-9]+"', "", sheet[start:end])
    return sheet[:start] + row * times + sheet[end:]


@pytest.fixture
def rows_parsed(monkeypatch) -> list[int]:
    """How many sheet rows openpyxl parsed: counted where it parses each row, whatever reads them."""
    from openpyxl.worksheet._reader import WorkSheetParser

    count = [0]
    original = WorkSheetParser.parse_row

    def counting(self, row):
        count[0] += 1
        return original(self, row)

    monkeypatch.setattr(WorkSheetParser, "parse_row", counting)
    return count


@pytest.fixture
def sheet_bytes_read(monkeypatch) -> list[int]:
    """How many bytes of sheet XML were unpacked, by anyone (a scan for the sheet's size included)."""
    count = [0]
    original = zipfile.ZipExtFile.read

    def counting(self, n=-1):
        data = original(self, n)
        if "worksheets/" in self.name:
            count[0] += len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting)
    return count


def test_a_huge_workbook_is_refused_after_reading_no_more_than_the_limit(rows_parsed, sheet_bytes_read,
                                                                         monkeypatch):
    monkeypatch.setattr("corridor.service.imports.manifest.MAX_UNPACKED_BYTES", 1 << 40)  # the row limit alone
    data = workbook_of(200_000)
    assert len(data) < 200 * 1024
    with pytest.raises(ManifestError) as caught:
        read_manifest("m.xlsx", data)
    assert caught.value.code == "manifest.too_long"
    assert rows_parsed[0] <= MAX_ROWS + 2  # the header, then one line past the limit
    row_bytes = len(_repeat_last_row(workbook_sheet(workbook_of(1)), 1)) // 2
    assert sheet_bytes_read[0] <= (MAX_ROWS + 2) * row_bytes + 64 * 1024, "the whole sheet was read"


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_any_row_is_read(rows_parsed):
    with pytest.raises(ManifestError) as caught:
        read_manifest("m.xlsx", workbook_of(200_000))
    assert caught.value.code == "manifest.too_large"
    assert rows_parsed[0] == 0


def workbook_sheet(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()


def test_blank_rows_count_too(rows_parsed):
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(COLUMNS))
    sheet.append(["a", "b", "c", 1, "t", 1])
    for _ in range(MAX_SHEET_ROWS + 100):
        sheet.append([None, None, None, None, None, " "])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ManifestError) as caught:
        read_manifest("m.xlsx", out.getvalue())
    assert caught.value.code == "manifest.too_long"
    assert rows_parsed[0] <= MAX_SHEET_ROWS + 2


def test_a_huge_csv_is_refused_at_the_limit():
    text = HEADER + "".join(f"l{n},Flour,food,1,t,1\n" for n in range(200_000))
    with pytest.raises(ManifestError) as caught:
        read_manifest("m.csv", text.encode())
    assert caught.value.code == "manifest.too_long"


@pytest.mark.parametrize("name, make", [
    ("m.xlsx", lambda cell: workbook_of(1, cell)),
    ("m.csv", lambda cell: (HEADER + f"flour,{cell},food,1,t,1\n").encode()),
])
def test_a_cell_over_the_limit_is_refused_with_its_place(name, make):
    assert read_manifest(name, make("x" * MAX_CELL_CHARS))[0]["item"] == "x" * MAX_CELL_CHARS
    with pytest.raises(ManifestError) as caught:
        read_manifest(name, make("x" * (MAX_CELL_CHARS + 1)))
    assert caught.value.code == "manifest.cell_too_long"
    assert caught.value.message.startswith("row 2, column 2:")


def test_a_csv_cell_beyond_the_csv_modules_own_limit_is_a_clear_refusal():
    with pytest.raises(ManifestError) as caught:
        read_manifest("m.csv", (HEADER + 'flour,"' + "x" * 200_000 + '",food,1,t,1\n').encode())
    assert caught.value.code in ("manifest.cell_too_long", "manifest.unreadable")


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


@pytest.mark.parametrize(("name", "data", "code"), [
    ("m.csv", b"", "manifest.empty"),
    ("m.xlsx", b"", "manifest.empty"),
    ("m.png", PNG, "manifest.type"),
    ("m.xlsx", PNG, "manifest.type"),
    ("m.csv", PNG, "manifest.type"),
    ("m.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "manifest.type"),
    ("m.csv", b"id,item\x00\x00\x00", "manifest.type"),
    ("m.csv", b"PK\x03\x04 a zip named csv", "manifest.unreadable"),
], ids=["empty-csv", "empty-xlsx", "png", "png-named-xlsx", "png-named-csv", "xls", "binary", "zip-named-csv"])
def test_a_file_of_the_wrong_kind_gets_a_clear_code(name, data, code):
    with pytest.raises(ManifestError) as caught:
        read_manifest(name, data)
    assert caught.value.code == code and caught.value.message


def test_a_csv_named_xlsx_is_read_as_what_it_is():
    assert read_manifest("m.xlsx", (HEADER + "flour,Flour,food,1,t,1\n").encode())[0]["id"] == "flour"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "data", "code"), [
    ("m.png", PNG, "manifest.type"), ("m.csv", b"", "manifest.empty"), ("m.xlsx", b"PK\x03\x04", "manifest.unreadable"),
], ids=["png", "empty", "broken-xlsx"])
def test_the_api_refuses_a_wrong_file_with_its_code(parties, name, data, code):
    upload = io.BytesIO(data)
    upload.name = name
    response = parties["org-a"].client.post("/api/v1/manifest/parse", {"file": upload})
    assert (response.status_code, response.json()["code"]) == (422, code)


def test_quantities_may_have_decimals_read_as_the_engines_decimal_strings():
    text = HEADER + "flour,Wheat flour,food,\"2,5\",t,2500\noil,Oil,food,20.0,l,20\nrice,Rice,food,0.75,t,750\n"
    assert [line["quantity"] for line in read_manifest("m.csv", text.encode())] == ["2.5", 20, "0.75"]
    data = xlsx([["Item", "Quantity", "Unit", "Weight (kg)"], ["Sugar", 2.5, "t", 2500], ["Salt", 3.0, "t", 3000.0]])
    assert [line["quantity"] for line in read_manifest("m.xlsx", data)] == ["2.5", 3]


def test_a_weight_is_whole_kilograms_and_a_quantity_has_no_unit():
    text = HEADER + "flour,Wheat flour,food,2.5 t,t,2500.5\n"
    with pytest.raises(ManifestError) as caught:
        read_manifest("m.csv", text.encode())
    assert [row["column"] for row in caught.value.rows] == ["quantity", "weight_kg"]
    assert "'2.5 t' is not a number" in caught.value.rows[0]["message"]


@pytest.mark.parametrize("weight", ["1100,5", "12,5", "1,00", "20,0000"])
def test_a_weight_with_a_decimal_comma_is_refused_not_read_ten_times_heavier(weight):
    """1100,5 kg pasted from a spreadsheet in a decimal-comma language was read as 11005: a comma counts only
    between groups of three (20,000)."""
    text = HEADER + f'oil,Cooking oil,food,1200,l,"{weight}"\n'
    with pytest.raises(ManifestError) as caught:
        read_manifest("m.csv", text.encode())
    assert [row["column"] for row in caught.value.rows] == ["weight_kg"]
    assert f"'{weight}' is not a whole number of kilograms" in caught.value.rows[0]["message"]


def test_a_weight_with_thousands_commas_or_spaces_is_read():
    text = HEADER + 'a,A,food,1,t,"20,000"\nb,B,food,1,t,"1,250,500"\nc,C,food,1,t,20 000\n'
    assert [line["weight_kg"] for line in read_manifest("m.csv", text.encode())] == [20000, 1250500, 20000]


def test_each_row_error_names_its_problem_and_the_value_at_fault():
    text = HEADER + "flour,Wheat flour,food,2.5 t,t,\"1100,5\"\nflour,Oil,food,1,,10\n"
    with pytest.raises(ManifestError) as caught:
        read_manifest("m.csv", text.encode())
    assert [(row["row"], row["column"], row["problem"], row["value"]) for row in caught.value.rows] == [
        (2, "quantity", "quantity", "2.5 t"), (2, "weight_kg", "weight", "1100,5"), (3, "unit", "empty", ""),
        (3, "id", "duplicate", "flour")]


def test_rows_read_from_elsewhere_keep_the_numbers_their_reader_knows_them_by():
    header = ["item", "quantity", "unit", "weight_kg"]
    lines, numbers = read_table(header, [(1, ["Flour", "20", "t", "20000"]), (3, ["Oil", "2.5", "t", "2500"])])
    assert [line["id"] for line in lines] == ["flour", "oil"] and numbers == [1, 3]
    with pytest.raises(ManifestError) as raised:
        read_table(header, [(1, ["Flour", "20", "t", "20000"]), (4, ["Oil", "two", "t", "2500"])])
    assert [(row["row"], row["column"]) for row in raised.value.rows] == [(4, "quantity")]


def test_a_file_s_lines_come_with_their_rows_blank_ones_counted():
    text = "Item,Quantity,Unit,Weight (kg)\nFlour,20,t,20000\n,,,\nOil,2,t,2000\n"
    assert read_manifest_rows("m.csv", text.encode())[1] == [2, 4]


def test_more_names_for_the_columns_are_read_in_any_script_case_and_accents_aside():
    names = {header_key(name): field for name, field in (("Груз", "item"), ("Количество", "quantity"),
                                                          ("Unité", "unit"), ("الوزن (كغ)", "weight_kg"))}
    data = "груз,КОЛИЧЕСТВО,Unite,الوزن كغ\nРис,40,мешок,1000\n".encode()
    assert read_manifest("m.csv", data, names)[0] | {"id": ""} == {
        "id": "", "item": "Рис", "category": "", "quantity": 40, "unit": "мешок", "weight_kg": 1000}
    with pytest.raises(ManifestError, match="missing: Item, Quantity, Unit, Weight"):
        read_manifest("m.csv", data)  # not without them
