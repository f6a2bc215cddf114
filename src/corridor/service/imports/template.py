"""The manifest template a logistician downloads, fills in a spreadsheet and uploads with a request: the
headers `read_manifest` reads (as a spreadsheet user writes them), in XLSX (with a sheet saying how to fill
each column, and cells that refuse what the service would refuse) or CSV (UTF-8 with a byte order mark, so
spreadsheet programs open it as UTF-8)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

HEADERS = ("Item", "Quantity", "Unit", "Weight (kg)", "Category", "Vehicle")
WIDTHS = (34, 12, 10, 14, 16, 14)
# (column, required, what to write, example)
GUIDE = (
    ("Item", "yes", "What the goods are, as the parties will read it.", "Wheat flour"),
    ("Quantity", "yes", "How many units; decimals where the unit needs them (2.5 t), with a point or a comma. "
                        "No units in this cell.", "2.5"),
    ("Unit", "yes", "The unit of the quantity: t, kg, carton, kit, pallet, litre…", "t"),
    ("Weight (kg)", "yes", "The line's gross weight in whole kilograms (20000 or 20,000).", "2500"),
    ("Category", "no", "The sector: food, wash, health, shelter, education…", "food"),
    ("Vehicle", "no", "The vehicle that carries this line, so the checkpoint inspects it with that vehicle: its "
                      "plate, or its number in the request's list of vehicles (1, 2…).", "AB 123"),
    ("ID", "no", "A short id for the line (letters, digits and . _ : -). Left out, the service makes one from "
                 "the item (wheat-flour).", "flour-1"),
)
MANIFEST_ROWS = 5000  # the rows the validation covers (a manifest has at most 5,000 lines)


def manifest_csv() -> bytes:
    return ("\ufeff" + ",".join(f'"{h}"' if "," in h else h for h in HEADERS) + "\r\n").encode()


def manifest_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Manifest"
    sheet.append(HEADERS)
    for column, width in zip("ABCDEF", WIDTHS, strict=True):
        sheet.column_dimensions[column].width = width
        sheet[f"{column}1"].font = Font(bold=True)
    sheet.freeze_panes = "A2"
    _validate(sheet)
    _guide(book.create_sheet("How to fill in"))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _validate(sheet) -> None:
    """Spreadsheet programs refuse, as they are typed, a quantity that is not a positive number and a weight
    that is not a whole number of kilograms."""
    last = MANIFEST_ROWS + 1
    quantity = DataValidation(type="decimal", operator="greaterThan", formula1="0", allow_blank=True,
                              errorTitle="Quantity", error="A number greater than 0, without units (e.g. 2.5).")
    weight = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            errorTitle="Weight (kg)", error="A whole number of kilograms (e.g. 2500).")
    quantity.add(f"B2:B{last}")
    weight.add(f"D2:D{last}")
    sheet.add_data_validation(quantity)
    sheet.add_data_validation(weight)


def _guide(sheet) -> None:
    sheet.append(("Column", "Required", "What to write", "Example"))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in GUIDE:
        sheet.append(row)
    sheet.append(())
    sheet.append(("One row per manifest line, on the first sheet; the first row keeps the headers. Columns may be "
                  "in any order; other columns are ignored.",))
    for column, width in zip("ABCD", (14, 10, 90, 14), strict=True):
        sheet.column_dimensions[column].width = width
