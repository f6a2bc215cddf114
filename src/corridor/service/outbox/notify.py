"""Queue notifications in the recording transaction: the parties a plan newly waits on, reminders (plan
expiry, slot opening, a response deadline the requester set) as rows due later, and to each party every
statement signed in its name or made by the operator about its keys (`signed`). The worker sends them after
commit; an email is written in the party's language when it is sent (outbox/emails.py), from the facts each
row carries: what is awaited, since when, the deadline, and the page's address (CORRIDOR_PUBLIC_URL)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection

from ...engine.state import PlanState
from ...engine.times import parse_time
from ...fold import Folded, LogFold
from .. import clock
from ..config import CONFIG
from ..ledger.projection import signer_columns
from ..ledger.record import (
    at_flush,
    defer_insert,
    defer_insert_ignoring_conflicts,
    plans_read_with_lock,
    recording,
    rows_read_with_lock,
    transaction_memo,
)
from ..ledger.signatures import about_party
from ..ledger.signing_words import how_signed
from ..parties.models import PartyContact
from ..passages.projection import at
from .models import Message, ResponseDeadline

EXPIRY_NOTICE = timedelta(hours=24)
SLOT_NOTICE = timedelta(hours=2)
DEADLINE_REMINDER_SHARE = 0.75  # a party still awaited is reminded when this share of its time has passed


@dataclass(frozen=True)
class Notice:
    plan: str
    party: str
    kind: str
    subject: str
    due: int
    about: int  # the moment the notice is about: one notice per plan, party, kind and moment
    details: dict = field(default_factory=dict, compare=False)  # the facts the email is written from

    def dedupe_key(self, channel: str) -> str:
        return f"{channel}:{self.plan}:{self.kind}:{self.party}:{self.about}"


def queue_notifications(folded: Folded, fold: LogFold, private: object) -> None:
    plans = [fold.state.plans[plan_id] for plan_id in folded.plans]
    if not plans or not _contacts_now():  # nobody to tell: not even the deadlines' query
        return
    deadlines = _deadlines_of([plan.id for plan in plans])
    for plan in plans:
        _queue(awaited(plan, fold.state.clock, deadlines.get(plan.id)) + reminders(plan, _slot_start(plan))
               + deadline_reminders(plan, deadlines.get(plan.id)))


def _deadlines_of(plan_ids: list[str]) -> dict[str, int]:
    """Hours per plan, for the plans that have a response deadline. Read once per plan per recording
    transaction (nothing in one changes a deadline: `do_set_response_deadline` records no statement): a batch
    of statements about one plan makes one query, not one each, while it holds the writer lock."""
    known: dict[str, int | None] = transaction_memo(DEADLINES, _deadlines_read_with_lock)
    unread = [plan_id for plan_id in plan_ids if plan_id not in known]
    if unread:
        with connection.cursor() as cursor:
            cursor.execute(_deadlines_sql(connection.alias, len(unread)), unread)
            found = dict(cursor.fetchall())
        known.update({plan_id: found.get(plan_id) for plan_id in unread})
    return {plan_id: known[plan_id] for plan_id in plan_ids if known[plan_id] is not None}


DEADLINES = "deadlines"


def deadlines_read_with_lock(plans: list[str]) -> tuple[str, list] | None:
    """The deadlines of the batch's plans, sent with the writer lock (record.read_with_writer_lock) when the
    last transaction found contacts to tell (without them no deadline is read)."""
    if not plans or not _contacts_found:
        return None
    return _deadlines_sql(connection.alias, len(plans)), plans


def _deadlines_read_with_lock() -> dict[str, int | None]:
    rows = rows_read_with_lock(DEADLINES)
    return {} if rows is None else dict.fromkeys(plans_read_with_lock()) | dict(rows)


@functools.cache
def _deadlines_sql(alias: str, count: int) -> str:
    """The deadlines' query for this many plans, built by the ORM once per process (building it cost ~0.3 ms,
    more than running it); its parameters are the plan ids, in order."""
    placeholders = [f"\0plan{n}" for n in range(count)]
    query = ResponseDeadline.objects.using(alias).filter(plan_id__in=placeholders).values_list("plan_id", "hours")
    sql, params = query.query.get_compiler(alias).as_sql()
    if list(params) != placeholders:
        raise RuntimeError(f"the deadlines' query takes {params!r}, not the plan ids alone")
    return sql


def _slot_start(plan: PlanState) -> int | None:
    """When the current slot opens: known to the fold once revealed, to the service from its private copy."""
    if plan.slot is None or plan.status != "scheduled":
        return None
    if plan.slot.start is not None:
        return plan.slot.start
    from ..passages.private import current_window

    window = current_window(plan)
    return None if window is None else parse_time(window.start, "start")


def awaited(plan: PlanState, now: int, deadline_hours: int | None = None) -> list[Notice]:
    """Parties the plan started waiting on with this change."""
    return [Notice(plan.id, party, "awaited", f"Plan {plan.id} is waiting on you ({plan.status})", since, since,
                   _facts(plan, party, since, deadline_hours))
            for party, since in plan.waiting_since.items() if since >= now - 1]


def reminders(plan: PlanState, slot_start: int | None = None) -> list[Notice]:
    notices = []
    if plan.expires_at is not None and not plan.closed:
        due = plan.expires_at - int(EXPIRY_NOTICE.total_seconds())
        notices += [Notice(plan.id, p, "expiry", f"Plan {plan.id} expires within 24 hours", due, plan.expires_at,
                           _facts(plan, p, since))
                    for p, since in plan.waiting_since.items()]
    if slot_start is not None and plan.status == "scheduled":
        due = slot_start - int(SLOT_NOTICE.total_seconds())
        notices += [Notice(plan.id, p, "slot", f"Plan {plan.id} moves at its slot in 2 hours", due, slot_start,
                           _facts(plan, p))
                    for p in sorted({plan.requester, *plan.required})]
    return notices


def deadline_reminders(plan: PlanState, hours: int | None) -> list[Notice]:
    """For each party awaited now: a reminder when three quarters of its time have passed and a notice when
    it is over, both tied to the moment it was awaited (the worker drops them if it has responded since)."""
    if not hours or plan.closed:
        return []
    notices = []
    for party, since in plan.waiting_since.items():
        deadline = since + hours * 3600
        facts = _facts(plan, party, since, hours)
        notices += [
            Notice(plan.id, party, "deadline", f"Plan {plan.id}: your response is due by the deadline",
                   since + int(hours * 3600 * DEADLINE_REMINDER_SHARE), since, facts),
            Notice(plan.id, party, "overdue", f"Plan {plan.id}: the response deadline has passed", deadline, since,
                   facts),
        ]
    return notices


def _facts(plan: PlanState, party: str, since: int | None = None, deadline_hours: int | None = None) -> dict:
    """What an email says, as data (a webhook receives the same): the step awaited, since when, the deadline,
    the plan's page."""
    facts = {"status": plan.status, "requester": plan.requester, "step": awaited_step(plan, party),
             "url": f"{CONFIG.public_url.rstrip('/')}/plans/{plan.id}"}
    if since is not None:
        facts["since"] = since
    if since is not None and deadline_hours:
        facts["deadline"] = since + deadline_hours * 3600
    return facts


def awaited_step(plan: PlanState, party: str) -> str:
    """The step the plan waits on `party` for (engine/clock.py's rule, named for a person)."""
    status = plan.status
    if status in ("submitted", "awaiting_consent"):
        return "answer" if party == plan.requester and plan.open_requests() else "consent"
    if status in ("refused", "withdrawn"):
        return "amend_or_cancel"
    if status == "cleared":
        slot = plan.slot
        return "propose_slot" if slot is None or slot.declined else "confirm_slot"
    if status in ("scheduled", "in_progress"):
        return "move" if party == plan.requester else "inspect"
    return "none"


def _queue(notices: list[Notice], contacts: dict[str, PartyContact] | None = None) -> None:
    if not notices:
        return
    if contacts is None:  # every statement about a plan re-queues its reminders: read once a transaction
        contacts = _contacts_now()
    # in a recording transaction, the batch's notices go in one INSERT at its end (not one per statement under
    # the writer lock), each once: a statement about a plan re-queues the reminders the one before queued
    queued = _queued_in_transaction() if recording() else {}
    fresh = []
    for notice in notices:
        contact = contacts.get(notice.party)
        for channel, wanted in (("email", contact and contact.email), ("webhook", contact and contact.webhook_url)):
            key = notice.dedupe_key(channel)
            if wanted and key not in queued:
                queued[key] = Message(
                    channel=channel, party=notice.party, kind=notice.kind, subject=notice.subject,
                    due_at=at(notice.due), dedupe_key=key,
                    body={"plan": notice.plan, "kind": notice.kind, "subject": notice.subject,
                          "about": notice.about, **notice.details},
                )
                fresh.append(queued[key])
    if not recording():
        Message.objects.bulk_create(fresh, ignore_conflicts=True)


def _queued_in_transaction() -> dict[str, Message]:
    """The notices this recording transaction queued, by their dedupe key, inserted when it ends; one queued
    before (by an earlier transaction: the same plan, kind, party and moment) is not queued again."""
    queued = transaction_memo("queued-notices", dict)
    at_flush("queued-notices", lambda: defer_insert_ignoring_conflicts(Message, list(queued.values())))
    return queued


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
    if folded.relayed is not None:  # a statement signed offline in a party's name, relayed by the operator
        _queue_signed(folded.relayed.party, False, folded.index, statement,
                      {"signed_by": "passkey", "member": folded.relayed.member}, offline=True)


def _queue_signed(party: str, about: bool, index: int, statement: dict, signer: dict, offline: bool = False) -> None:
    contact = _contacts_now().get(party)
    if contact is None:
        return
    how = how_signed(signer["signed_by"], signer["member"])
    heading = "By the operator, about your party's keys" if about else \
        "Signed offline in your name, received" if offline else "Signed in your name"
    kind = statement["payload"]["statement"]["type"] if offline else statement["type"]
    subject = f"{heading}: {kind} (entry {index}, {how})"
    body = {"kind": "signed", "subject": subject, "index": index, "type": statement["type"], "seq": statement["seq"],
            "time": statement["time"], "plan": statement.get("plan"), "key": statement["key"], **signer,
            "about_party": about, **_links(party, index)}
    dedupe = f":{party}" if about or offline else ""  # one per party and channel (the keys are unique)
    defer_insert(*(Message(channel=channel, party=party, kind="signed", subject=subject, body=body,
                           due_at=at(clock.now()), dedupe_key=f"{channel}:signed:{index}{dedupe}")
                   for channel, wanted in (("email", contact.email), ("webhook", contact.webhook_url)) if wanted))


def _links(party: str, index: int) -> dict[str, str]:
    """Where the entry, its inclusion proof and the party's list of its signatures are (CORRIDOR_PUBLIC_URL)."""
    site = CONFIG.public_url.rstrip("/")
    return {"entry": f"{site}/log/entry/{index}", "proof": f"{site}/log/proof/{index}",
            "signatures": f"{site}/parties/{party}/signatures"}


def _contacts_now() -> dict[str, PartyContact]:
    return transaction_memo(CONTACTS, _read_contacts)


CONTACTS = "contacts"
_contacts_found = False  # whether the last recording transaction found any (then deadlines are read too)


def contacts_read_with_lock(plans: list[str]) -> tuple[str, list]:
    """`_read_contacts`'s query, sent with the writer lock (record.read_with_writer_lock)."""
    sql, params = _contacts_sql(connection.alias)
    return sql, list(params)


def _read_contacts() -> dict[str, PartyContact]:
    """Every party's contact, read in the recording transaction (on PostgreSQL with the writer lock). The
    query is built by the ORM once per process and database, then run as SQL: building it cost more than
    running it, on every write."""
    global _contacts_found
    rows = rows_read_with_lock(CONTACTS)
    if rows is None:
        with connection.cursor() as cursor:
            cursor.execute(*_contacts_sql(connection.alias))
            rows = cursor.fetchall()
    fields = [field.attname for field in PartyContact._meta.concrete_fields]
    contacts = (PartyContact.from_db(connection.alias, fields, row) for row in rows)
    found = {contact.party_id: contact for contact in contacts}
    _contacts_found = bool(found)
    return found


@functools.cache
def _contacts_sql(alias: str) -> tuple[str, tuple]:
    return PartyContact.objects.using(alias).all().query.get_compiler(alias).as_sql()
