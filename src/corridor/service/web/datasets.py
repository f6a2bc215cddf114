"""The public page's sections of imported datasets: each dataset on its own, as figures its named source
attested, never added to (or mixed with) the passages the parties signed on Corridor.

The sections are built from `stats` rows (source = the dataset, dimension, key, passages, tonnes, weighed,
median_days: the public `stats` table's columns), so the page shows exactly the figures the downloads give.
Every tonnes figure carries its coverage: how many of the records it sums have a weight at all.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import F, Min

from ..passages.models import Attestation

SIGNED = "corridor"  # the stats rows of passages signed on Corridor; every other source is a dataset
SHOWN = ("crossing", "month")  # the dimensions a section tabulates; the rest (by day, ...) are downloads


def dataset_sections(stats: Iterable[dict], sources: dict[str, dict]) -> list[dict]:
    """One section per dataset, in the order of the dataset ids: who attested it, its total with coverage,
    and its rows by crossing and by month. `sources`: dataset -> {"source", "source_name"}."""
    grouped: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for row in stats:
        if row["source"] != SIGNED:
            grouped[row["source"]][row["dimension"]].append(_figure(row))
    return [_section(dataset, dimensions, sources.get(dataset, {})) for dataset, dimensions in sorted(grouped.items())]


def _section(dataset: str, dimensions: dict[str, list[dict]], source: dict) -> dict:
    (total,) = dimensions.get("total") or [{"passages": 0, "tonnes": 0, "weighed": 0, "key": "all"}]
    months = [row["key"] for row in dimensions.get("month", [])]
    return {"dataset": dataset, "source": source.get("source", ""), "source_name": source.get("source_name", dataset),
            "total": total, "first_month": min(months, default=None), "last_month": max(months, default=None),
            "medians": any(row["median_days"] is not None for row in dimensions.get("month", [])),
            **{dimension: dimensions.get(dimension, []) for dimension in SHOWN}}


def _figure(row: dict) -> dict:
    """A stats row as the page keeps it (JSON: tonnes as a number; the page rounds them to whole tonnes, the
    downloads keep them exact), and whether every one of its records has a weight."""
    return {"key": row["key"], "passages": row["passages"], "weighed": row["weighed"],
            "tonnes": float(row["tonnes"] or 0), "median_days": row.get("median_days"),
            "all_weighed": row["weighed"] == row["passages"]}


def dataset_sources() -> dict[str, dict]:
    """Which party attested each dataset (its first record's, should a dataset ever have several)."""
    first = Attestation.objects.values("dataset").annotate(passage=Min("passage"))
    by_passage = {row["passage"]: row["dataset"] for row in first}
    rows = Attestation.objects.filter(passage__in=by_passage).values("passage", "source_id", name=F("source__name"))
    return {by_passage[row["passage"]]: {"source": row["source_id"], "source_name": row["name"]} for row in rows}


def attested_stat_rows() -> list[dict]:
    """The datasets' rows the sections show (total, by crossing, by month), from the read models: a record
    counts in a month by its departure day, else the day it was received; a weight only if every line
    has one (Attestation.weight_kg is null otherwise)."""
    groups: dict[tuple[str, str, str], list] = defaultdict(lambda: [0, 0, 0, []])
    fields = ("dataset", "crossing", "departed", "cleared", "received", "weight_kg")
    for dataset, crossing, departed, cleared, received, kg in Attestation.objects.values_list(*fields).iterator():
        moment = departed or received
        keys = [("total", "all"), ("crossing", crossing)] + ([("month", moment.strftime("%Y-%m"))] if moment else [])
        for dimension, key in keys:
            group = groups[dataset, dimension, key]
            group[0] += 1
            if kg is not None:
                group[1] += 1
                group[2] += kg
            if dimension == "month" and departed and cleared:
                group[3].append((cleared - departed).days)
    return [_stat_row(key, *values) for key, values in sorted(groups.items())]


def _stat_row(key: tuple[str, str, str], passages: int, weighed: int, kg: int, days: list[int]) -> dict:
    dataset, dimension, name = key
    return {"source": dataset, "dimension": dimension, "key": name, "passages": passages, "tonnes": kg / 1000,
            "weighed": weighed, "median_days": float(statistics.median(days)) if days else None}
