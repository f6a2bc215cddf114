"""A response deadline the requester of a plan sets (models.ResponseDeadline): every party the plan waits on
is asked to respond within so many hours of being awaited; the worker reminds it at three quarters of the
time and tells it when the time is over (notify.deadline_reminders), and drops both once it has responded.

Setting, changing or removing the deadline replaces the reminders not yet sent, in one transaction, and
queues those of the parties awaited now (later steps queue theirs as they are recorded). The transaction
reads the fold, so it takes the fold first (`recording_transaction`, ledger/fold_access.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from ..ledger.record import Refused, current_fold, recording_transaction
from ..parties.models import PartyContact
from .models import Message, ResponseDeadline
from .notify import _queue, deadline_reminders

HOURS_OFFERED = (12, 24, 48, 72, 168)  # what the plan page offers; the API of this module takes any of these
REMINDER_KINDS = ("deadline", "overdue")


def deadline_of(plan_id: str) -> int | None:
    return ResponseDeadline.objects.filter(plan_id=plan_id).values_list("hours", flat=True).first()


@recording_transaction()
def do_set_response_deadline(plan_id: str, hours: int | None, *, party: str, username: str) -> None:
    """`hours` None or 0 removes the deadline. Only the plan's requester sets it (checked by the caller's
    authorisation; here against the log's fold), and not on a closed plan."""
    plan = current_fold().state.plans.get(plan_id)
    if plan is None or plan.requester != party:
        raise Refused("plan.not_found", f"there is no plan {plan_id!r} your party requested", 404)
    if plan.closed:
        raise Refused("deadline.closed", f"plan {plan_id} is closed: nobody is awaited any more", 409)
    if hours and hours not in HOURS_OFFERED:
        raise Refused("deadline.invalid", f"a response deadline is one of {HOURS_OFFERED} hours", 422)
    Message.objects.filter(body__plan=plan_id, kind__in=REMINDER_KINDS, sent_at__isnull=True).delete()
    if not hours:
        ResponseDeadline.objects.filter(plan_id=plan_id).delete()
        return
    ResponseDeadline.objects.update_or_create(plan_id=plan_id, defaults={
        "hours": hours, "set_by": party, "set_by_user": username, "set_at": datetime.now(UTC)})
    _queue(deadline_reminders(plan, hours), {c.party_id: c for c in PartyContact.objects.all()})
