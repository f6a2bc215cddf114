"""What was already recorded on a leg, in words, for the officer about to inspect it: customs opening the form
for a vehicle the border has held sees who inspected it, when (on that crossing's clock), the decision, each
line found short or wrong (by item and vehicle), the seals checked and put on, goods no line declared.

Only for the plan's parties (the checkpoint screen and the plan page's form ask `reads_private` first): the
plates are theirs to see, and nobody else is told more than before."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ...engine.model import Leg
from ...engine.state import LegState, State
from ...engine.statements import Inspect
from . import zones
from .labels import joined, label


def earlier_inspections(state: State, leg: Leg, live: LegState, plates: dict[str, str],
                        detailed: bool = True) -> list[dict]:
    """Each inspection recorded on the leg, oldest first; `plates` maps a vehicle's id to its plate (empty for
    a reader who may not see them). Not `detailed` (a reader not of the plan): who, when, where, the decision,
    the remarks and the seals put on, as the screen always said — nothing of what was found."""
    recorded = [_recorded(state, leg, at, party, report, plates) for at, party, report in live.inspections]
    if not detailed:
        recorded = [row | {"discrepancies": [], "seals": [], "undeclared": "", "offloaded": ""} for row in recorded]
    return recorded


def _recorded(state: State, leg: Leg, at: int, party: str, report: Inspect, plates: dict[str, str]) -> dict:
    return {
        "at": at, "zone": zones.checkpoint_zone(report.checkpoint), "party": _party_name(state, party),
        "checkpoint": _checkpoint_name(state, report.checkpoint), "decision": label(report.decision, "decision"),
        "text": report.text, "discrepancies": _discrepancies(leg, report, plates),
        "seals": [_("%(seal)s intact") % {"seal": s.seal} if s.intact else _("%(seal)s broken") % {"seal": s.seal}
                  for s in report.seals],
        "applied": joined(s.seal for s in report.applied),
        "undeclared": joined(f"{u.item} {u.quantity} {u.unit}" for u in report.undeclared),
        "offloaded": joined(_line_name(leg, line_id, plates) for line_id in report.offload),
    }


def _discrepancies(leg: Leg, report: Inspect, plates: dict[str, str]) -> list[str]:
    """A sentence per line found with a discrepancy code or another quantity than declared."""
    sentences = []
    for finding in report.findings:
        line = leg.line(finding.line)
        if line is None or (not finding.codes and str(finding.found) == str(line.quantity)):
            continue
        words = _("%(line)s: %(found)s %(unit)s found, %(declared)s declared") % {
            "line": _line_name(leg, line.id, plates), "found": finding.found, "unit": line.unit,
            "declared": line.quantity}
        if finding.codes:
            words = _("%(finding)s — %(codes)s") % {
                "finding": words, "codes": joined(label(code, "discrepancy") for code in finding.codes)}
        sentences.append(words)
    return sentences


def _line_name(leg: Leg, line_id: str, plates: dict[str, str]) -> str:
    """"Wheat flour (Vehicle 1 — HA-101)": the item and the vehicle carrying it, by its place in the leg
    (and its plate to those who may see it); a leg's only vehicle carries the lines that name none."""
    line = leg.line(line_id)
    if line is None:
        return _("a line since removed")
    sole = leg.vehicles[0].id if len(leg.vehicles) == 1 and not any(x.vehicle for x in leg.lines) else None
    vehicle = line.vehicle or sole
    numbers = {v.id: number for number, v in enumerate(leg.vehicles, start=1)}
    if vehicle not in numbers:
        return line.item
    name = _("Vehicle %(n)s") % {"n": numbers[vehicle]}
    if plates.get(vehicle):
        name = _("%(vehicle)s — %(plate)s") % {"vehicle": name, "plate": plates[vehicle]}
    return _("%(item)s (%(vehicle)s)") % {"item": line.item, "vehicle": name}


def _party_name(state: State, party: str) -> str:
    known = state.parties.get(party)
    return known.name if known is not None else party


def _checkpoint_name(state: State, checkpoint_id: str) -> str:
    return next((c.name for route in state.routes.values() for c in route.checkpoints if c.id == checkpoint_id),
                checkpoint_id)
