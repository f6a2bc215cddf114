"""The public page's figures, from the public tables: totals (passages, vehicles, tonnes, by status, month,
category, route and organisation), the waiting-on board (per party) and how long each stage takes.

Presentation figures: tonnes and hours are rounded to one decimal here (the tables keep them exact), and
medians of seconds are plain numbers. docs/figures.md, "The public page", says how each is made.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from datetime import datetime

from ..engine.state import State
from ..ledger.checkpoint import Checkpoint
from .attested import dataset_sections, dataset_sources
from .formats import root_text

SUMMARY = "summary.json"

STAGES = (
    ("submitted → cleared", "submitted_at", "cleared_at"),
    ("cleared → departed", "cleared_at", "departed_at"),
    ("departed → delivered", "departed_at", "delivered_at"),
)


def summary_file(tables: dict[str, list[dict]], state: State, checkpoint: Checkpoint) -> bytes:
    """summary.json: the page's figures and datasets at a checkpoint, as the service publishes them
    (GET /api/v1/export/summary.json) and `corridor audit` writes them, byte for byte."""
    summary = {"checkpoint": checkpoint_json(checkpoint), **page_figures(tables),
               "datasets": dataset_sections(tables["stats"], dataset_sources(state))}
    return json.dumps(summary, ensure_ascii=False).encode()


def checkpoint_json(checkpoint: Checkpoint) -> dict:
    return {"origin": checkpoint.origin, "size": checkpoint.size, "root": root_text(checkpoint)}


def page_figures(tables: dict[str, list[dict]]) -> dict:
    return {"totals": totals(tables), "board": board(tables["waiting"]), "stages": stage_durations(tables["legs"])}


def totals(tables: dict[str, list[dict]]) -> dict:
    plans, legs = tables["plans"], tables["legs"]
    names = {plan["plan"]: plan["requester_name"] for plan in plans}
    return {
        "plans": len(plans), "vehicles": sum(p["vehicles"] for p in plans),
        "tonnes": round(sum(p["weight_kg"] for p in plans) / 1000),
        "by_status": dict(sorted(Counter(p["status"] for p in plans).items())),
        "tonnes_by_category": _tonnes((line["category"], line["weight_kg"]) for line in tables["lines"]),
        "tonnes_by_route": _tonnes((leg["route_name"], leg["weight_kg"]) for leg in legs),
        "tonnes_by_organisation": _tonnes((names[leg["plan"]], leg["weight_kg"]) for leg in legs),
        "by_month": _by_month(plans),
    }


def _tonnes(pairs) -> list[tuple[str, float]]:
    """(name, kg) summed per name, as tonnes to one decimal, heaviest first (ties by name); no empty ones."""
    kg: dict[str, int] = defaultdict(int)
    for name, weight in pairs:
        kg[name] += weight
    return sorted(((name, round(w / 1000, 1)) for name, w in kg.items() if w), key=lambda row: (-row[1], row[0]))


def _by_month(plans: list[dict]) -> list[dict]:
    """Passages requested, their vehicles and tonnes, by the month they were submitted."""
    months: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for plan in plans:
        month = months[plan["submitted_at"][:7]]
        month[0] += 1
        month[1] += plan["vehicles"]
        month[2] += plan["weight_kg"]
    return [{"month": m, "plans": n, "vehicles": v, "tonnes": round(kg / 1000, 1)}
            for m, (n, v, kg) in sorted(months.items())]


def board(waiting: list[dict]) -> list[dict]:
    """Per party: the plans it is (or was) waited on for, how many now, and the total and median waiting,
    open waits counted up to the log's clock. Longest total first (ties by party id)."""
    per_party: dict[str, list[dict]] = defaultdict(list)
    for row in waiting:
        per_party[row["party"]].append(row)
    rows = [
        {"party": party, "party_name": rows[0]["party_name"], "plans": len(rows),
         "plans_waiting_now": sum(r["waiting_now"] for r in rows),
         "total_seconds": sum(r["waited_seconds"] for r in rows),
         "median_seconds": float(statistics.median(r["waited_seconds"] for r in rows))}
        for party, rows in per_party.items()
    ]
    return sorted(rows, key=lambda row: (-row["total_seconds"], row["party"]))


def stage_durations(legs: list[dict]) -> list[dict]:
    """Median and 90th percentile hours of each stage, over legs that went through it."""
    out = []
    for label, start, end in STAGES:
        hours = sorted(_hours(leg[start], leg[end]) for leg in legs if leg[start] and leg[end])
        if hours:
            out.append({"stage": label, "legs": len(hours), "median_hours": round(statistics.median(hours), 1),
                        "p90_hours": round(hours[min(len(hours) - 1, int(len(hours) * 0.9))], 1)})
    return out


def _hours(start: str, end: str) -> float:
    return (_moment(end) - _moment(start)).total_seconds() / 3600


def _moment(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
