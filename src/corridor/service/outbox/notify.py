"""Queue notifications in the recording transaction: the parties a plan newly waits on, reminders (plan
expiry, slot opening) as rows due later, and to each party every statement signed in its name or made by the
operator about its keys (`signed`). The worker sends them after commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from ...engine.state import PlanState
from ...engine.times import parse_time
from ...fold import Folded, LogFold
from .. import clock
from ..config import CONFIG
from ..ledger.projection import signer_columns
from ..ledger.record import defer_insert, transaction_memo
from ..ledger.signatures import about_party, how_signed
from ..parties.models import PartyContact
from ..passages.projection import at
from .models import Message

EXPIRY_NOTICE = timedelta(hours=24)
SLOT_NOTICE = timedelta(hours=2)


@dataclass(frozen=True)
class Notice:
    plan: str
    party: str
    kind: str
    subject: str
    due: int
    about: int  # the moment the notice is about: one notice per plan, party, kind and moment

    def dedupe_key(self, channel: str) -> str:
        return f"{channel}:{self.plan}:{self.kind}:{self.party}:{self.about}"


def queue_notifications(folded: Folded, fold: LogFold, private: object) -> None:
    for plan_id in folded.plans:
        plan = fold.state.plans[plan_id]
        _queue(awaited(plan, fold.state.clock) + reminders(plan, _slot_start(plan)))


def _slot_start(plan: PlanState) -> int | None:
    """When the current slot opens: known to the fold once revealed, to the service from its private copy."""
    if plan.slot is None or plan.status != "scheduled":
        return None
    if plan.slot.start is not None:
        return plan.slot.start
    from ..passages.private import current_window

    window = current_window(plan)
    return None if window is None else parse_time(window.start, "start")


def awaited(plan: PlanState, now: int) -> list[Notice]:
    """Parties the plan started waiting on with this change."""
    return [Notice(plan.id, party, "awaited", f"Plan {plan.id} is waiting on you ({plan.status})", since, since)
            for party, since in plan.waiting_since.items() if since >= now - 1]


def reminders(plan: PlanState, slot_start: int | None = None) -> list[Notice]:
    notices = []
    if plan.expires_at is not None and not plan.closed:
        due = plan.expires_at - int(EXPIRY_NOTICE.total_seconds())
        notices += [Notice(plan.id, p, "expiry", f"Plan {plan.id} expires within 24 hours", due, plan.expires_at)
                    for p in plan.waiting_since]
    if slot_start is not None and plan.status == "scheduled":
        due = slot_start - int(SLOT_NOTICE.total_seconds())
        notices += [Notice(plan.id, p, "slot", f"Plan {plan.id} moves at its slot in 2 hours", due, slot_start)
                    for p in sorted({plan.requester, *plan.required})]
    return notices


def _queue(notices: list[Notice]) -> None:
    if not notices:
        return
    contacts = _contacts_now()  # every statement about a plan re-queues its reminders: read once a transaction
    messages = []
    for notice in notices:
        contact = contacts.get(notice.party)
        for channel, wanted in (("email", contact and contact.email), ("webhook", contact and contact.webhook_url)):
            if wanted:
                messages.append(Message(
                    channel=channel, party=notice.party, kind=notice.kind, subject=notice.subject,
                    due_at=at(notice.due), dedupe_key=notice.dedupe_key(channel),
                    body={"plan": notice.plan, "kind": notice.kind, "subject": notice.subject},
                ))
    Message.objects.bulk_create(messages, ignore_conflicts=True)


def queue_signed(folded: Folded, fold: LogFold, private: object) -> None:
    """One notice per statement, to the party in whose name it was signed and, for the operator's statements
    about a party and its keys (a key registered for it, one of its keys revoked), to that party too (on each
    channel its contact has; none without a contact): so a statement the party did not make, or a key that
    lets the server sign for it again, is noticed the day it appears. The contacts are read once per
    recording transaction (an import records hundreds of statements in one)."""
    statement = folded.envelope.statement
    signer = signer_columns(folded, fold)
    _queue_signed(statement["party"], False, folded.index, statement, signer)
    about = about_party(statement, fold)
    if about is not None:
        _queue_signed(about, True, folded.index, statement, signer)


def _queue_signed(party: str, about: bool, index: int, statement: dict, signer: dict) -> None:
    contact = _contacts_now().get(party)
    if contact is None:
        return
    how = how_signed(signer["signed_by"], signer["member"])
    heading = "By the operator, about your party's keys" if about else "Signed in your name"
    subject = f"{heading}: {statement['type']} (entry {index}, {how})"
    body = {"kind": "signed", "subject": subject, "index": index, "type": statement["type"], "seq": statement["seq"],
            "time": statement["time"], "plan": statement.get("plan"), "key": statement["key"], **signer,
            "about_party": about, **_links(party, index)}
    dedupe = f":{party}" if about else ""  # one per party and channel (the keys are unique)
    defer_insert(*(Message(channel=channel, party=party, kind="signed", subject=subject, body=body,
                           due_at=at(clock.now()), dedupe_key=f"{channel}:signed:{index}{dedupe}")
                   for channel, wanted in (("email", contact.email), ("webhook", contact.webhook_url)) if wanted))


def _links(party: str, index: int) -> dict[str, str]:
    """Where the entry, its inclusion proof and the party's list of its signatures are (CORRIDOR_PUBLIC_URL)."""
    site = CONFIG.public_url.rstrip("/")
    return {"entry": f"{site}/log/entry/{index}", "proof": f"{site}/log/proof/{index}",
            "signatures": f"{site}/parties/{party}/signatures"}


def _contacts_now() -> dict[str, PartyContact]:
    return transaction_memo("contacts", lambda: {c.party_id: c for c in PartyContact.objects.all()})
