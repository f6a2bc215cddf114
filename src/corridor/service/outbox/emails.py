"""Notification emails a person can read, in the party's language (PartyContact.language).

A row of the outbox carries facts (notify.py): the plan, the step awaited, since when, the deadline, the
page's address. The email is written from them when it is sent: a subject that says what is wanted, and a
plain-text body that names the parties and routes (never their ids alone), gives times in UTC with how
long ago, and ends with the link to act. Before a reminder about a response is sent, the worker asks
`still_awaited` whether the party is still awaited since the same moment: a party that has responded is not
reminded."""

from __future__ import annotations

from datetime import UTC, datetime

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from .. import clock
from ..ledger.signing_words import how_signed
from ..parties.models import Party, PartyContact
from ..passages.models import Clock, Leg, Plan
from ..passages.projection import at
from .models import Message

RESPONSE_REMINDERS = frozenset({"deadline", "overdue"})
TEMPLATES = {"awaited": "outbox/email/awaited.txt", "expiry": "outbox/email/expiry.txt",
             "slot": "outbox/email/slot.txt", "deadline": "outbox/email/deadline.txt",
             "overdue": "outbox/email/overdue.txt", "signed": "outbox/email/signed.txt"}


def render(message: Message, contact: PartyContact) -> tuple[str, str]:
    """(subject, body) of the email, in the party's language."""
    with translation.override(contact.language or "en"):
        context = _context(message)
        subject = _subject(message.kind, context)
        body = render_to_string(TEMPLATES.get(message.kind, "outbox/email/generic.txt"), context)
    return subject, body.strip() + "\n"


def still_awaited(message: Message) -> bool:
    """A response reminder is due only while the party is awaited since the moment it is about."""
    if message.kind not in RESPONSE_REMINDERS:
        return True
    since = message.body.get("about")
    return since is not None and Clock.objects.filter(
        plan_id=message.body.get("plan"), party_id=message.party, waiting_since=at(int(since))).exists()


def _subject(kind: str, context: dict) -> str:
    subjects = {
        "awaited": _("Plan %(plan)s is waiting on %(party)s: %(step)s"),
        "expiry": _("Plan %(plan)s expires within 24 hours"),
        "slot": _("Plan %(plan)s moves at its slot in 2 hours"),
        "deadline": _("Reminder: plan %(plan)s awaits %(party)s's response by %(deadline)s"),
        "overdue": _("Plan %(plan)s: the response deadline for %(party)s has passed"),
        "signed": _("Signed in the name of %(party)s: %(what)s (entry %(index)s, %(how)s)"),
    }
    template = subjects.get(kind, _("Corridor: %(plan)s"))
    return "[Corridor] " + template % context


def _context(message: Message) -> dict:
    body = message.body
    now = clock.now()
    names = _party_names([message.party, body.get("requester") or ""])
    plan = body.get("plan")
    context = {"plan": plan or "—", "party": names.get(message.party, message.party),
               "requester": names.get(body.get("requester") or "", body.get("requester") or ""),
               "status": _label(_status_now(plan) or body.get("status"), "status"),
               "step": step_text(body.get("step") or "none"), "url": body.get("url") or "", "routes": _routes(plan),
               "what": _label(body.get("type"), "statement"),
               "body": body}
    for key in ("since", "deadline", "about", "expires_at"):
        if isinstance(body.get(key), int):
            context[key] = _when(body[key])
            context[f"{key}_ago"] = _relative(body[key], now)
    context.setdefault("deadline", "")
    context.update(index=body.get("index", ""), how=how_signed(body.get("signed_by", ""), body.get("member"), _))
    return context


def step_text(step: str) -> str:
    return {
        "consent": _("your consent to the plan's current version, or your refusal with its reason"),
        "answer": _("an answer to a question asked about the plan"),
        "amend_or_cancel": _("an amendment or a cancellation of the plan, after a refusal or a withdrawal"),
        "propose_slot": _("a proposed movement slot"),
        "confirm_slot": _("your confirmation (or decline) of the proposed slot"),
        "inspect": _("the inspection of the vehicles at your checkpoint"),
        "move": _("the movement's next step (arrival at the gate, go, departure)"),
    }.get(step, _("your next step on the plan"))


def _when(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _relative(seconds: int, now: int) -> str:
    moment, current = datetime.fromtimestamp(seconds, UTC), datetime.fromtimestamp(now, UTC)
    if moment <= current:
        return _("%(time)s ago") % {"time": timesince(moment, current)}
    return _("in %(time)s") % {"time": timesince(current, moment)}


def _party_names(ids: list[str]) -> dict[str, str]:
    return dict(Party.objects.filter(pk__in=[i for i in ids if i]).values_list("id", "name"))


def _status_now(plan: str | None) -> str | None:
    """The plan's status when the email is sent (a reminder is sent long after it was queued)."""
    return Plan.objects.filter(pk=plan).values_list("status", flat=True).first() if plan else None


def _routes(plan: str | None) -> str:
    if not plan:
        return ""
    names = Leg.objects.filter(plan_id=plan).order_by("leg_id").values_list("route__name", flat=True)
    return ", ".join(dict.fromkeys(names))


def _label(code: object, vocabulary: str) -> str:
    from ..web.labels import label

    return label(code, vocabulary) if code else ""
