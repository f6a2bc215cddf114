"""Figures of passages attested by data sources (imports): the `attestations` table, one row per attested
line as the source gave it, and the `stats` rows of each dataset, kept apart from the passages parties signed.

A weight the source did not give is unknown (None), never 0. A passage has a weight in a group when every
one of its lines in the group has one; `tonnes` is the weight of those passages and `weighed` how many they
are, so every tonnes figure says exactly which records it covers: "17,293 t from 1,093 of 35,521 records with
a weight". (A partial sum would pass for a whole passage's weight.) The public page's sections of the
datasets (`dataset_sections`) are made from these rows, one section per dataset, never mixed with the
passages the parties signed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

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
    """Passages in a group, the passages with a weight (every line of theirs in the group has one), and the
    kilograms of those. A passage is added once per group, with all its lines' weights in the group."""

    passages: set[str] = field(default_factory=set)
    kg: int = 0
    weighed: set[str] = field(default_factory=set)
    days: list[int] = field(default_factory=list)  # days from departure to inspection cleared, in seconds

    def add(self, passage: str, weights: list[int | None]) -> None:
        self.passages.add(passage)
        if weights and None not in weights:
            self.kg += sum(weights)
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
    weights: dict[tuple, dict[str, list[int | None]]] = {}  # group -> passage -> its lines' weights in the group
    for record in records:
        claim = record.claim
        for line in claim.lines:
            key = key_of(claim, line)
            if key is not None:
                weights.setdefault(key, {}).setdefault(claim.passage, []).append(line.weight_kg)
    for key in sorted(weights):
        group = Group()
        for passage, kilograms in weights[key].items():
            group.add(passage, kilograms)
        yield group.row(dataset, dimension, " / ".join(key))


SIGNED = "corridor"  # the stats rows of the passages parties signed; every other source is a dataset
SHOWN = ("crossing", "month")  # what a page section tabulates; the other dimensions are in the downloads


def dataset_sources(state: State) -> dict[str, dict]:
    """Each dataset's source party and its registered name (that of the dataset's first passage)."""
    return {dataset: {"source": records[0].source, "source_name": _party_name(state, records[0].source)}
            for dataset, records in by_dataset(state).items()}


def _party_name(state: State, party: str) -> str:
    return state.parties[party].name if party in state.parties else party


def dataset_sections(stats: list[dict], sources: dict[str, dict]) -> list[dict]:
    """The public page's sections: per dataset (code point order), who attested it, its total with its
    coverage, its first and last month, and its rows by crossing and by month. Plain JSON values; tonnes
    rounded to whole tonnes (half to even), medians as numbers of days."""
    grouped: dict[str, dict[str, list[dict]]] = {}
    for row in stats:
        if row["source"] != SIGNED:
            grouped.setdefault(row["source"], {}).setdefault(row["dimension"], []).append(_shown(row))
    return [_section(dataset, grouped[dataset], sources.get(dataset, {})) for dataset in sorted(grouped)]


def _section(dataset: str, dimensions: dict[str, list[dict]], source: dict) -> dict:
    (total,) = dimensions["total"]  # every dataset has its total row
    months = [row["key"] for row in dimensions.get("month", [])]
    return {"dataset": dataset, "source": source.get("source", ""), "source_name": source.get("source_name", dataset),
            "total": total, "first_month": min(months, default=None), "last_month": max(months, default=None),
            "medians": any(row["median_days"] is not None for row in dimensions.get("month", [])),
            **{dimension: dimensions.get(dimension, []) for dimension in SHOWN}}


def _shown(row: dict) -> dict:
    median = row.get("median_days")
    return {"key": row["key"], "passages": row["passages"], "weighed": row["weighed"],
            "tonnes": round(Decimal(row["tonnes"])), "median_days": None if median is None else float(median)}

