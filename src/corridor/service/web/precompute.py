"""Keeping the public page's other aggregates precomputed (see models.PublicSummary): who signs for each
party, the map's routes and incidents. Its totals, waiting-on board and stage times are the figures
published at a checkpoint (exports/published.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db.models import Max

from ..ledger.models import LogEntry
from ..ledger.signatures import signing_counts
from . import summaries
from .models import PublicSummary

REFRESH_SECONDS = 30  # the public figures may lag the log by this much; the log itself never lags


def public_summary() -> dict:
    """The aggregates for the public page: the stored ones, or computed now if there are none."""
    row = PublicSummary.objects.filter(pk=1).first()
    return row.data if row is not None else refresh(force=True)


def refresh(force: bool = False) -> dict | None:
    """Recompute if the log grew and the last computation is older than REFRESH_SECONDS."""
    size = (LogEntry.objects.aggregate(top=Max("idx"))["top"] or -1) + 1
    row = PublicSummary.objects.filter(pk=1).first()
    now = datetime.now(UTC)
    if not force and row is not None and (row.log_size == size or
                                          (now - row.computed_at).total_seconds() < REFRESH_SECONDS):
        return None
    counts = _signing_counts(row, size)
    signing = summaries.signing(counts)
    incidents, more_incidents = summaries.mapped_incidents()
    data = {**with_names(incidents, summaries.mapped_routes()), "incidents_more": more_incidents,
            "map_claims": summaries.MAP_CLAIMS, "log_size": size,
            "signing": signing, "signing_counts": counts, "counts_offline": True,
            "custodial_parties": [share["party_name"] for share in signing if share["custodial_now"]]}
    PublicSummary.objects.update_or_create(pk=1, defaults={"log_size": size, "computed_at": now, "data": data})
    return data


def _signing_counts(row: PublicSummary | None, size: int) -> dict:
    """Statements per party and kind of signature up to `size`: the last computation's counts plus the
    entries appended since (entries never change), or the whole index the first time (and once after counts
    kept before a statement signed offline counted for its party too: `counts_offline`)."""
    kept = row.data.get("signing_counts") if row is not None else None
    if kept is None or row.log_size > size or not row.data.get("counts_offline"):
        return signing_counts(0, size)
    return signing_counts(row.log_size, size, kept)


def with_names(incidents: list[dict], routes: list[dict]) -> dict:
    """The map shows parties by name: the reporter of each claim, the parties inspecting at each checkpoint
    (one query for every name)."""
    from ..parties.models import Party

    names = dict(Party.objects.values_list("id", "name"))
    for incident in incidents:
        incident["reporter_name"] = names.get(incident["reporter"], incident["reporter"])
    for route in routes:
        for checkpoint in route["checkpoints"]:
            checkpoint["inspected_by_names"] = [names.get(p, p) for p in checkpoint.get("inspected_by", [])]
    return {"incidents": incidents, "routes": routes}
