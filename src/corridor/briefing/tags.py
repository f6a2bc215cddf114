"""Template tags of briefings ({% load briefing %}): a figure as a machine-readable <data> element, and the
links to the entries a figure rests on and their inclusion proofs (absolute URLs, from the briefing's base)."""

from __future__ import annotations

import json
import unicodedata

from django import template

from ..figures.briefing import Figure, parse_ranges, ranges
from .words import shown

register = template.Library()
# beyond these, the links say how many more entries there are (a party waited on for hundreds of plans);
# data-entries, and the JSON download, always list every entry
SHOWN_RANGES = 24


@register.inclusion_tag("briefing/figure.html")
def figure(f: Figure | None) -> dict:
    """<data data-figure=ID value=JSON data-entries=RANGES>shown</data>: the auditor reads these. What is
    shown is the figure in the reader's words (words.py): a capacity's code in the value, its name as text.
    Each reads in the direction of its own text (direction())."""
    if f is None:
        return {"f": None}
    text = shown(f)
    return {"f": f, "value": json.dumps(f.value, ensure_ascii=False), "entries": ranges(f.entries),
            "shown": text, "dir": direction(text)}


def direction(text: str) -> str:
    """HTML's dir="auto" worked out here, by the text's first strong character: "ltr" for "2023-09-12 15:10
    UTC" or "two-roads", "rtl" for "مراقبة الحدود", "auto" for a number. Written out, because the PDF
    typesetter does not resolve "auto": a time or a plan id in an Arabic table would be reordered."""
    for character in text:
        kind = unicodedata.bidirectional(character)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return "auto"


@register.inclusion_tag("briefing/entries.html", takes_context=True)
def entries(context, indexes) -> dict:
    """Links to the entries (each range's first and last) and their inclusion proofs."""
    base, written = context.get("base", ""), ranges(indexes or ())
    parts = written.split(",") if written else []
    spans = []
    for part in parts[:SHOWN_RANGES]:
        first, _, last = part.partition("-")
        spans.append({"first": _link(base, int(first)), "last": _link(base, int(last)) if last else None})
    return {"spans": spans, "more": len(parse_ranges(",".join(parts[SHOWN_RANGES:]))), "all": written}


def _link(base: str, index: int) -> dict:
    return {"index": index, "entry": f"{base}/log/entry/{index}", "proof": f"{base}/log/proof/{index}"}


@register.filter
def cell(row, name: str) -> Figure | None:
    return row.cells.get(name)


@register.filter
def own_entries(f: Figure | None, row) -> bool:
    """A cell that rests on other entries than its row (requested vs delivered tonnes) links its own."""
    return f is not None and f.entries != row.entries
