"""A manifest's problems as the person who pasted or uploaded it reads them: each row's problem in their
language, naming the column by its header (`Weight (kg)`, not `weight_kg`) and the value at fault; the
manifest's own English message stays the API's (imports/manifest.py)."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils.translation import gettext_lazy, override

from ..imports.manifest import ManifestError, header_key

COLUMNS = {"id": gettext_lazy("Line id"), "item": gettext_lazy("Item"), "category": gettext_lazy("Category"),
           "quantity": gettext_lazy("Quantity"), "unit": gettext_lazy("Unit"),
           "weight_kg": gettext_lazy("Weight (kg)"), "vehicle": gettext_lazy("Vehicle")}
PROBLEMS = {
    "id": gettext_lazy("row %(row)s, %(column)s: “%(value)s” is not an id (letters, digits and . _ : -, e.g. "
                       "flour-1); leave it empty and one is made"),
    "empty": gettext_lazy("row %(row)s, %(column)s: empty"),
    "quantity": gettext_lazy("row %(row)s, %(column)s: “%(value)s” is not a quantity: a number greater than zero, "
                             "without a unit (e.g. 20 or 2.5; at most 8 decimals)"),
    "weight": gettext_lazy("row %(row)s, %(column)s: “%(value)s” is not a whole number of kilograms (no "
                           "decimals, no unit; 20,000 or 20 000 for thousands)"),
    "duplicate": gettext_lazy("row %(row)s, %(column)s: “%(value)s” is used on an earlier row too"),
}
WHOLE = {
    "manifest.columns": gettext_lazy("The first row must name the columns: Item, Quantity, Unit and Weight (kg) "
                                     "(the manifest template has them)."),
    "manifest.empty": gettext_lazy("The manifest has no lines."),
}


@cache
def localized_headers() -> dict[str, str]:
    """The columns' names in every language of the pages ({`header_key(name)`: field}: `Количество` →
    quantity), so a header row written or pasted in any of them is read as the template's English one."""
    names: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        with override(code):
            for field, label in COLUMNS.items():
                names.setdefault(header_key(label), field)
    return names


def row_problems(error: ManifestError) -> list[dict]:
    """The rows as the form shows them ({"row", "column", "message"}), each message in the reader's
    language; a problem with the whole file is one row 0."""
    if not error.rows:
        return [{"row": 0, "column": "", "message": str(WHOLE.get(error.code, error.message))}]
    return [row | {"message": _said(row)} for row in error.rows]


def _said(row: dict) -> str:
    problem = PROBLEMS.get(row.get("problem", ""))
    if problem is None:
        return row["message"]
    return str(problem) % {"row": row["row"], "column": COLUMNS.get(row["column"], row["column"]),
                           "value": row.get("value", "")}
