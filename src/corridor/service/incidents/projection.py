"""Read models of incident claims and their disputes, side by side."""

from __future__ import annotations

from ...engine.times import parse_time
from ...fold import Folded, LogFold
from ..passages.projection import at
from .models import Dispute, Incident


def project_incidents(folded: Folded, fold: LogFold, private: object) -> None:
    if folded.type == "incident.report":
        write_incident(fold, folded.statement.payload.incident)
    elif folded.type == "incident.dispute":
        add_dispute(fold, folded.statement.payload.incident)


def add_dispute(fold: LogFold, incident_id: str) -> None:
    """The dispute just applied (the incident's last: this runs right after its statement), as one more row.
    Any party but the reporter may dispute a claim as often as it likes: rewriting every dispute of the claim
    made each one cost, under the writer lock every write waits on, in proportion to those before it."""
    disputes = fold.state.incidents[incident_id].disputes
    dispute = disputes[-1]
    Dispute.objects.create(incident_id=incident_id, party_id=dispute.party, text=dispute.text, at=at(dispute.at))
    Incident.objects.filter(id=incident_id).update(dispute_count=len(disputes))


def write_incident(fold: LogFold, incident_id: str) -> None:
    """The claim and its disputes, as the fold holds them (on its report, and for each claim in a rebuild)."""
    record = fold.state.incidents[incident_id]
    claim = record.claim
    Incident.objects.update_or_create(id=incident_id, defaults=dict(
        reporter_id=record.reporter, category=claim.category, place=claim.place.name, lat=claim.place.lat,
        lon=claim.place.lon, occurred_from=at(parse_time(claim.occurred_from)),
        occurred_to=at(parse_time(claim.occurred_to) if claim.occurred_to else None), plan=record.plan,
        route=claim.route, text=claim.text, reported_at=at(record.reported_at), dispute_count=len(record.disputes),
    ))
    Dispute.objects.filter(incident_id=incident_id).delete()
    Dispute.objects.bulk_create([
        Dispute(incident_id=incident_id, party_id=d.party, text=d.text, at=at(d.at)) for d in record.disputes
    ])
