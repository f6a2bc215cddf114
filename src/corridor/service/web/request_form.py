"""The new passage request: any number of legs on routes (each with its direction), linkage and the tolerance
for a simultaneous departure, an expiry, manifest lines typed, pasted from a spreadsheet or uploaded, vehicles,
crew (private), seals — read into a plan and checked before anything is signed (the readiness checklist).

`read_draft` reads the form's fields (`leg1_route`, `leg1_lines`, … `legN_…`) into a plan's content; the plan
page's amendment form may read its legs the same way (`read_legs`)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from ...engine.model import DEFAULT_TOLERANCE_SECONDS, ID_PATTERN
from ...engine.times import format_time
from ..imports.manifest import ManifestError, field_of, read_manifest_rows, read_table
from ..parties.models import Route
from . import zones
from .manifest_words import localized_headers, row_problems

MAX_LEGS = 20  # on the form; a plan with more is submitted through the API
MAX_TOLERANCE_MINUTES = 24 * 60  # the engine's bound (tolerance_seconds <= 86400)
DIRECTIONS = ("forward", "reverse")
LINKAGES = ("independent", "simultaneous")
LEG_FIELD = re.compile(r"^leg(\d{1,3})_")
# the typed lines' columns when no header row names them: the manifest template's, in its order (the required
# ones first), then the line id, which is made from the item when left out. `vehicle` (optional) names the
# leg's vehicle that carries the line, by its plate or its number in the leg's list of vehicles
TYPED_COLUMNS = ("item", "quantity", "unit", "weight_kg", "category", "vehicle", "id")
ID = re.compile(ID_PATTERN)


@dataclass
class Draft:
    plan_id: str = ""
    linkage: str = "independent"
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS
    expires_at: str | None = None
    legs: list[dict] = field(default_factory=list)
    crew: dict[str, list[dict]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    row_errors: dict[str, list[dict]] = field(default_factory=dict)

    def content(self) -> dict:
        """The plan.submit payload (the plan's content): what is signed."""
        content = {"linkage": self.linkage, "tolerance_seconds": self.tolerance_seconds, "legs": self.legs}
        return content | ({"expires_at": self.expires_at} if self.expires_at else {})

    def checklist(self) -> list[tuple[str, bool]]:
        """What must hold before submitting, each with whether it does."""
        return [
            (_("The plan has an id"), bool(self.plan_id) and bool(ID.match(self.plan_id))),
            (_("At least one leg, each on a known route"), bool(self.legs)),
            (_("Every leg lists its goods"), bool(self.legs) and all(leg["lines"] for leg in self.legs)),
            (_("Every leg names its vehicles"), bool(self.legs) and all(leg["vehicles"] for leg in self.legs)),
            (_("No row errors in the manifests"), not self.row_errors),
            (_("Simultaneous plans have two legs or more"), self.linkage != "simultaneous" or len(self.legs) > 1),
        ]

    @property
    def ready(self) -> bool:
        return not self.errors and all(ok for _, ok in self.checklist())

    @property
    def vehicle_count(self) -> int:
        return sum(len(leg["vehicles"]) for leg in self.legs)


def leg_numbers(post) -> list[int]:
    """The legs the form holds: 1 … `legs` (the count the form carries), and any leg a field names."""
    try:
        count = int(post.get("legs", "1"))
    except ValueError:
        count = 1
    named = {int(m.group(1)) for key in post if (m := LEG_FIELD.match(key))}
    return [n for n in sorted(set(range(1, count + 1)) | named) if 1 <= n <= MAX_LEGS]


def read_draft(post, files, now: int) -> Draft:
    draft = Draft(plan_id=post.get("plan", "").strip())
    draft.linkage = _choice(draft, post.get("linkage", "independent"), LINKAGES, _("Linkage"))
    draft.tolerance_seconds = _tolerance(draft, post.get("tolerance_minutes", ""))
    draft.legs, draft.crew = read_legs(draft, post, files)
    draft.expires_at = _expiry(draft, post.get("expires_at", ""), now, expiry_zone(post))
    return draft


def expiry_zone(post) -> str:
    """The clock the expiry is typed on: the crossing of the first leg's route (as a slot is proposed on the
    clock of the plan's first leg), the operation's before a route is chosen."""
    routes = [post.get(f"leg{n}_route", "") for n in leg_numbers(post)]
    first = next((route for route in routes if route), "")
    return zones.route_zone(first) if first else zones.operation_zone()


def read_legs(draft: Draft, post, files) -> tuple[list[dict], dict[str, list[dict]]]:
    """Every leg the form fills in (leg ids leg-1, leg-2, … by position on the form); a leg left wholly
    empty is no leg. Problems go to `draft.errors` and `draft.row_errors`."""
    routes = set(Route.objects.values_list("id", flat=True))
    legs, crew = [], {}
    for n in leg_numbers(post):
        route = post.get(f"leg{n}_route", "")
        if not route:
            if _leg_has_content(post, files, n):
                draft.errors.append(_("Leg %(n)s: choose its route.") % {"n": n})
            continue
        if route not in routes:
            draft.errors.append(_("Leg %(n)s: unknown route.") % {"n": n})
            continue
        leg_id = f"leg-{n}"
        vehicles = _vehicles(post.get(f"leg{n}_vehicles", ""))
        lines, rows = _lines(draft, n, post, files)
        _assign_vehicles(draft, leg_id, lines, vehicles, rows)
        legs.append({"id": leg_id, "route": route,
                     "direction": _choice(draft, post.get(f"leg{n}_direction", "forward"), DIRECTIONS,
                                          _("Leg %(n)s: direction") % {"n": n}),
                     "lines": lines, "vehicles": vehicles, "seals": _list(post.get(f"leg{n}_seals", ""))})
        members = _crew(post.get(f"leg{n}_crew", ""))
        _seat_crew(draft, n, members, vehicles)
        if members:
            crew[leg_id] = members
    return legs, crew


def _leg_has_content(post, files, n: int) -> bool:
    return bool(files.get(f"leg{n}_manifest")) or any(
        post.get(f"leg{n}_{name}", "").strip() for name in ("lines", "vehicles", "seals", "crew"))


def _choice(draft: Draft, value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        draft.errors.append(_("%(what)s: choose one of the options.") % {"what": what})
        return allowed[0]
    return value


def _tolerance(draft: Draft, text: str) -> int:
    """Minutes on the form, seconds in the plan; empty is the engine's default."""
    text = text.strip()
    if not text:
        return DEFAULT_TOLERANCE_SECONDS
    if not text.isdigit() or int(text) > MAX_TOLERANCE_MINUTES:
        draft.errors.append(_("Tolerance: a whole number of minutes from 0 to %(max)s.")
                            % {"max": MAX_TOLERANCE_MINUTES})
        return DEFAULT_TOLERANCE_SECONDS
    return int(text) * 60


def _expiry(draft: Draft, text: str, now: int, zone_name: str) -> str | None:
    """A date and time on the clock of the zone named (the form's datetime-local field), written to the log
    in UTC; it must be later than now (the engine refuses a plan that would expire before it is submitted)."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)  # a trailing Z: UTC, as written
    except ValueError:
        draft.errors.append(_("Expiry: a date and time, e.g. 2023-09-20T18:00."))
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zones.zone(zone_name))
    seconds = int(moment.timestamp())
    if seconds <= now:
        draft.errors.append(_("Expiry: the request would lapse before it is submitted; give a later time."))
        return None
    return format_time(seconds)


def _lines(draft: Draft, n: int, post, files) -> tuple[list[dict], list[int]]:
    """The leg's lines, and the row each was read from: the file's row for an upload, the text box's line
    (as the officer sees it) for typed lines."""
    upload = files.get(f"leg{n}_manifest")
    try:
        if upload:
            return read_manifest_rows(upload.name, upload.read(), localized_headers())
        header, header_row, rows = typed_rows(post.get(f"leg{n}_lines", ""))
        if not rows:
            return [], []
        return read_table(header, rows, localized_headers(), header_row)
    except ManifestError as error:
        draft.row_errors[f"leg-{n}"] = row_problems(error)  # in the reader's language
        return [], []


def typed_rows(text: str) -> tuple[list[str], int, list[tuple[int, list[str]]]]:
    """Typed or pasted lines as a header (its line; 0: none was typed), and the rows under it, each with
    its line in the text box. Cells pasted from a spreadsheet are tab-separated. The first row is a header
    when it names the item and quantity columns (as the template, or the form in any of its languages, does);
    otherwise the columns are the template's, in its order (TYPED_COLUMNS)."""
    tabs = "\t" in text
    reader = csv.reader(io.StringIO(text), delimiter="\t" if tabs else ",")
    rows, line = [], 1
    for row in reader:
        if tabs and len(row) == 1 and "," in row[0]:  # a typed row among pasted ones: its cells are by comma
            row = next(csv.reader([row[0]]))
        cells = [cell.strip() for cell in row]
        if any(cells):
            rows.append((line, cells))
        line = reader.line_num + 1  # a quoted cell may span lines
    if rows and _names_columns(rows[0][1]):
        return rows[0][1], rows[0][0], rows[1:]
    return list(TYPED_COLUMNS), 0, rows


def _names_columns(cells: list[str]) -> bool:
    return {"item", "quantity"} <= {field_of(cell, localized_headers()) for cell in cells}


def _assign_vehicles(draft: Draft, leg_id: str, lines: list[dict], vehicles: list[dict], rows: list[int]) -> None:
    """A line's `vehicle` as written (the vehicle's plate, case and spaces aside, or its number in the leg's
    list) becomes that vehicle's id: the plate itself never reaches the plan's content (the log commits to
    plates). A line naming no vehicle of its leg is a row error, on the row the line was read from."""
    by_name = {}
    for number, vehicle in enumerate(vehicles, start=1):
        for name in (str(number), vehicle["id"], vehicle["plate"]):
            by_name.setdefault(_plate_key(name), vehicle["id"])
    for row, line in zip(rows, lines, strict=True):
        given = line.pop("vehicle", None)
        if not given:
            continue
        if _plate_key(given) in by_name:
            line["vehicle"] = by_name[_plate_key(given)]
        else:
            draft.row_errors.setdefault(leg_id, []).append({"row": row, "column": "vehicle", "message": _(
                "row %(row)s, vehicle: %(given)s is not one of this leg's vehicles (write its plate or its number "
                "in the list)") % {"row": row, "given": given}})


def _seat_crew(draft: Draft, n: int, members: list[dict], vehicles: list[dict]) -> None:
    """A member's vehicle as written (its plate or its number in the leg's list, as for a line) becomes that
    vehicle's id; a member naming no vehicle of the leg is an error on the form."""
    by_name = {_plate_key(name): vehicle["id"] for number, vehicle in enumerate(vehicles, start=1)
               for name in (str(number), vehicle["plate"])}
    for member in members:
        given = member.pop("vehicle", "")
        if not given:
            continue
        if _plate_key(given) in by_name:
            member["vehicle"] = by_name[_plate_key(given)]
        else:
            draft.errors.append(_("Leg %(n)s, crew: %(given)s is not one of this leg's vehicles (write its plate or "
                                  "its number in the list).") % {"n": n, "given": given})


def _plate_key(text: str) -> str:
    return "".join(str(text).split()).upper()


def _vehicles(text: str) -> list[dict]:
    """One vehicle per line: plate, then optionally its type after a comma (or a tab, pasted)."""
    vehicles = []
    for row in csv.reader(io.StringIO(text), delimiter="\t" if "\t" in text else ","):
        if row and row[0].strip():
            vehicles.append({"id": f"v{len(vehicles) + 1}", "plate": row[0].strip(),
                             "type": (row[1].strip() if len(row) > 1 else "") or "truck"})
    return vehicles


def _crew(text: str) -> list[dict]:
    """One member per line: name; document number; optionally the vehicle they travel in (or the same cells
    separated by tabs: pasted from a spreadsheet)."""
    members = []
    for line in text.splitlines():
        name, document, vehicle = [*re.split(r"[;\t]", line, maxsplit=2), "", ""][:3]
        if name.strip() and document.strip():
            members.append({"name": name.strip(), "document": document.strip(), "vehicle": vehicle.strip()})
    return members


def _list(text: str) -> list[str]:
    return [item for item in re.split(r"[,\s]+", text) if item]
