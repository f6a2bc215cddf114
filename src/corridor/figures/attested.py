"""Figures of passages attested by data sources (imports): the `attestations` table, one row per attested
line as the source gave it, and the `stats` rows of each dataset, kept apart from the passages parties signed.

A weight the source did not give is unknown (None), never 0: `tonnes` sums the weights given, and `weighed`
says how many of the group's passages have one, so every tonnes figure states its coverage.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import rfc8785

from ..engine.state import Attestation, State
from .numbers import DAY, iso, median_days, tonnes
from .table import Table

# defined here rather than in tables.py so that the attested figures live in one file
ATTESTATIONS = Table("attestations", (
    ("passage", "#activity+id"), ("line", "#item+line+num"), ("dataset", "#meta+dataset"),
    ("source", "#org+source+code"), ("reference", "#meta+reference"), ("crossing", "#loc+crossing+name"),
    ("carrier", "#org+carrier+name"), ("origin", "#loc+origin+name"), ("departed", "#date+departed"),
    ("cleared", "#date+cleared"), ("received", "#date+received"), ("item", "#item+name"),
    ("category", "#item+type"), ("destination", "#loc+destination+name"), ("quantity", "#indicator+quantity+num"),
    ("unit", "#indicator+unit"), ("weight_kg", "#indicator+weight_kg+num"), ("attested_at", "#date+attested"),
    ("published", "#meta+published"),
), key=("passage", "line"))


def by_dataset(state: State) -> dict[str, list[Attestation]]:
    """Each dataset's attested passages, datasets and passages in code point order of their ids."""
    datasets: dict[str, list[Attestation]] = {}
    for passage in sorted(state.attestations):
        record = state.attestations[passage]
        datasets.setdefault(record.claim.dataset, []).append(record)
    return dict(sorted(datasets.items()))


def attestation_rows(state: State) -> list[dict]:
    return [_line_row(record, number, line) for records in by_dataset(state).values() for record in records
            for number, line in enumerate(record.claim.lines, start=1)]


def _line_row(record: Attestation, number: int, line) -> dict:
    claim = record.claim
    return {
        "passage": claim.passage, "line": number, "dataset": claim.dataset, "source": record.source,
        "reference": claim.reference, "crossing": claim.crossing, "carrier": claim.carrier, "origin": claim.origin,
        "departed": claim.departed, "cleared": claim.cleared, "received": claim.received, "item": line.item,
        "category": line.category, "destination": line.destination, "quantity": line.quantity, "unit": line.unit,
        "weight_kg": line.weight_kg, "attested_at": iso(record.attested_at),
        "published": rfc8785.dumps(line.published).decode() if line.published else "",
    }


@dataclass
class Group:
    """Passages in a group, the known kilograms of their lines in it, and the passages with a known weight."""

    passages: set[str] = field(default_factory=set)
    kg: int = 0
    weighed: set[str] = field(default_factory=set)
    days: list[int] = field(default_factory=list)  # days from departure to inspection cleared, in seconds

    def add(self, passage: str, weights: list[int | None]) -> None:
        self.passages.add(passage)
        known = [kg for kg in weights if kg is not None]
        self.kg += sum(known)
        if known:
            self.weighed.add(passage)

    def row(self, dataset: str, dimension: str, key: str, with_median: bool = False) -> dict:
        return {"source": dataset, "dimension": dimension, "key": key, "passages": len(self.passages),
                "tonnes": tonnes(self.kg), "weighed": len(self.weighed),
                "median_days": median_days(self.days) if with_median else None}


# dimension -> what a line is grouped by (a passage counts once per group; None: not in any group)
LINE_DIMENSIONS = {
    "commodity": lambda claim, line: (line.category,),
    "destination": lambda claim, line: (line.destination,),
    "destination / commodity": lambda claim, line: (line.destination, line.category),
    "crossing": lambda claim, line: (claim.crossing,),
    "crossing / day": lambda claim, line: (claim.crossing, claim.received) if claim.received else None,
}


def attested_stats(state: State) -> Iterator[dict]:
    """Per dataset: the total; by month and by day (of departure, else of receipt) with the median days from
    departure to inspection cleared; and by commodity, destination, crossing and crossing and day."""
    for dataset, records in by_dataset(state).items():
        total = Group()
        for record in records:
            total.add(record.claim.passage, [line.weight_kg for line in record.claim.lines])
        yield total.row(dataset, "total", "all")
        for dimension, width in (("month", 7), ("day", 10)):
            yield from _by_date(dataset, records, dimension, width)
        for dimension, key_of in LINE_DIMENSIONS.items():
            yield from _by_lines(dataset, records, dimension, key_of)


def _by_date(dataset: str, records: list[Attestation], dimension: str, width: int) -> Iterator[dict]:
    groups: dict[str, Group] = {}
    for record in records:
        claim = record.claim
        moment = claim.departed or claim.received
        if moment is None:
            continue
        group = groups.setdefault(moment[:width], Group())
        group.add(claim.passage, [line.weight_kg for line in claim.lines])
        if claim.departed and claim.cleared:
            group.days.append((date.fromisoformat(claim.cleared) - date.fromisoformat(claim.departed)).days * DAY)
    yield from (groups[key].row(dataset, dimension, key, with_median=True) for key in sorted(groups))


def _by_lines(dataset: str, records: list[Attestation], dimension: str, key_of) -> Iterator[dict]:
    groups: dict[tuple, Group] = {}
    for record in records:
        claim = record.claim
        for line in claim.lines:
            key = key_of(claim, line)
            if key is not None:
                groups.setdefault(key, Group()).add(claim.passage, [line.weight_kg])
    yield from (groups[key].row(dataset, dimension, " / ".join(key)) for key in sorted(groups))

