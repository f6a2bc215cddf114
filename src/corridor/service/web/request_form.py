"""The new passage request: legs on routes, linkage, manifest lines typed or uploaded, vehicles, crew
(private), seals — read into a plan and checked before anything is signed (the readiness checklist)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ..imports.manifest import ManifestError, match_vehicles, read_manifest
from ..parties.models import Route

LEG_SLOTS = 2  # legs on the form; a plan with more is submitted through the API


@dataclass
class Draft:
    plan_id: str = ""
    linkage: str = "independent"
    legs: list[dict] = field(default_factory=list)
    crew: dict[str, list[dict]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    row_errors: dict[str, list[dict]] = field(default_factory=dict)

    def content(self) -> dict:
        return {"linkage": self.linkage, "legs": self.legs}

    def checklist(self) -> list[tuple[str, bool]]:
        """What must hold before submitting, each with whether it does."""
        return [
            (_("The plan has an id"), bool(self.plan_id)),
            (_("At least one leg, each on a known route"), bool(self.legs)),
            (_("Every leg lists its goods"), bool(self.legs) and all(leg["lines"] for leg in self.legs)),
            (_("Every leg names its vehicles"), bool(self.legs) and all(leg["vehicles"] for leg in self.legs)),
            (_("No row errors in the manifests"), not self.row_errors),
            (_("Simultaneous plans have two legs or more"), self.linkage != "simultaneous" or len(self.legs) > 1),
        ]

    @property
    def ready(self) -> bool:
        return not self.errors and all(ok for _, ok in self.checklist())


def read_draft(post, files) -> Draft:
    draft = Draft(plan_id=post.get("plan", "").strip(), linkage=post.get("linkage", "independent"))
    routes = set(Route.objects.values_list("id", flat=True))
    for n in range(1, LEG_SLOTS + 1):
        route = post.get(f"leg{n}_route", "")
        if not route:
            continue
        if route not in routes:
            draft.errors.append(_("Leg %(n)s: unknown route.") % {"n": n})
            continue
        leg_id = f"leg-{n}"
        lines, vehicles = _lines(draft, n, post, files), _vehicles(post.get(f"leg{n}_vehicles", ""))
        _carried_by(draft, leg_id, lines, vehicles)
        draft.legs.append({"id": leg_id, "route": route, "lines": lines, "vehicles": vehicles,
                           "seals": _list(post.get(f"leg{n}_seals", ""))})
        crew = _crew(post.get(f"leg{n}_crew", ""))
        if crew:
            draft.crew[leg_id] = crew
    return draft


def _lines(draft: Draft, n: int, post, files) -> list[dict]:
    upload = files.get(f"leg{n}_manifest")
    data, name = (upload.read(), upload.name) if upload else (post.get(f"leg{n}_lines", "").encode(), "typed.csv")
    if not data.strip():
        return []
    if not upload and not data.lower().startswith(b"id,"):
        data = b"id,item,category,quantity,unit,weight_kg\n" + data
    try:
        return read_manifest(name, data)
    except ManifestError as error:
        draft.row_errors[f"leg-{n}"] = error.rows or [{"row": 0, "column": "", "message": error.message}]
        return []


def _carried_by(draft: Draft, leg_id: str, lines: list[dict], vehicles: list[dict]) -> None:
    """A manifest's Vehicle column (a plate, or the vehicle's number in the list) as the vehicle's id."""
    problems = match_vehicles(lines, vehicles)
    if problems:
        draft.row_errors.setdefault(leg_id, []).extend(
            {"row": 0, "column": "vehicle", "message": problem} for problem in problems)


def _vehicles(text: str) -> list[dict]:
    """One vehicle per line: plate, then optionally its type after a comma."""
    vehicles = []
    for n, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if row and row[0].strip():
            vehicles.append({"id": f"v{n}", "plate": row[0].strip(),
                             "type": (row[1].strip() if len(row) > 1 else "") or "truck"})
    return vehicles


def _crew(text: str) -> list[dict]:
    """One member per line: name; document number."""
    members = []
    for line in text.splitlines():
        name, _, document = line.partition(";")
        if name.strip() and document.strip():
            members.append({"name": name.strip(), "document": document.strip()})
    return members


def _list(text: str) -> list[str]:
    return [item for item in re.split(r"[,\s]+", text) if item]
