"""Queue notifications in the recording transaction: the parties a plan newly waits on, and reminders
(plan expiry, slot opening) as rows due later. The worker sends them after commit."""

from __future__ import annotations

from datetime import timedelta

from ...engine.state import PlanState
from ...fold import Folded, LogFold
from ..parties.models import PartyContact
from ..passages.projection import at
from .models import Message

EXPIRY_NOTICE = timedelta(hours=24)
SLOT_NOTICE = timedelta(hours=2)


def queue_notifications(folded: Folded, fold: LogFold, private: object) -> None:
    for plan_id in folded.plans:
        plan = fold.state.plans[plan_id]
        rows = _awaited(plan, fold.state.clock) + _reminders(plan)
        _queue(rows)


def _awaited(plan: PlanState, now: int) -> list[tuple[str, str, str, int, str]]:
    return [(party, "awaited", f"Plan {plan.id} is waiting on you ({plan.status})", since, f"{since}")
            for party, since in plan.waiting_since.items() if since >= now - 1]


def _reminders(plan: PlanState) -> list[tuple[str, str, str, int, str]]:
    rows = []
    if plan.expires_at is not None and not plan.closed:
        due = plan.expires_at - int(EXPIRY_NOTICE.total_seconds())
        rows += [(p, "expiry", f"Plan {plan.id} expires within 24 hours", due, f"{plan.expires_at}")
                 for p in plan.waiting_since]
    if plan.slot is not None and plan.status == "scheduled":
        due = plan.slot.start - int(SLOT_NOTICE.total_seconds())
        rows += [(p, "slot", f"Plan {plan.id} moves at its slot in 2 hours", due, f"{plan.slot.start}")
                 for p in sorted({plan.requester, *plan.required})]
    return [(party, kind, subject, due, f"{plan.id}:{kind}:{party}:{stamp}") for party, kind, subject, due, stamp
            in rows]


def _queue(rows: list[tuple[str, str, str, int, str]]) -> None:
    if not rows:
        return
    contacts = {c.party_id: c for c in PartyContact.objects.filter(party_id__in={row[0] for row in rows})}
    messages = []
    for party, kind, subject, due, key in rows:
        contact = contacts.get(party)
        for channel, wanted in (("email", contact and contact.email), ("webhook", contact and contact.webhook_url)):
            if wanted:
                messages.append(Message(channel=channel, party=party, kind=kind, subject=subject, due_at=at(due),
                                        body={"plan": key.split(":")[0], "kind": kind, "subject": subject},
                                        dedupe_key=f"{channel}:{key}"))
    Message.objects.bulk_create(messages, ignore_conflicts=True)
