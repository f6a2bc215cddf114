"""A statement in plain words, in the reader's language: what an officer is shown before their passkey
signs it ("you consent to plan two-roads, version 3f2a9c01…"). Built from the statement itself, never
from the form, so the words and the signed bytes cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils.translation import gettext as _

from ...engine.errors import RuleViolation
from ...engine.times import parse_time
from .bidi import isolate
from .labels import joined, label
from .leg_names import leg_names


@dataclass(frozen=True)
class Context:
    """What the words may name beyond the statement itself: who signs (member, device), the party's name, and
    for actions on a plan, the goods and routes it carries — read from the log's fold, never from the form."""

    member: str | None = None
    device: str = ""
    party_name: str = ""
    legs: tuple[str, ...] = ()  # "leg-1 on Aghdam–Khankendi: Wheat flour 10000 kg, …"
    revoked: str = ""  # for key.revoke of a passkey: "border/m1 (“office laptop”)"
    leg: str = ""  # the leg acted on, by name: "Lachin road", "Lachin road, leg 2"
    checkpoint: str = ""  # the checkpoint acted at, by name: "Lachin border and customs checkpoint"


def describe(statement: dict, context: Context | None = None) -> str:
    """A few sentences: what is signed, for which party, what it concerns, and by whom."""
    context = context or Context()
    payload = statement.get("payload") or {}
    party = statement.get("party", "")
    values = {"party": f"{context.party_name} ({party})" if context.party_name else party,
              "plan": statement.get("plan", ""), "revoked": context.revoked,
              **{key: _short(value) for key, value in payload.items() if isinstance(value, str | int)}}
    if context.leg:
        values["leg"] = context.leg
    if context.checkpoint:
        values["checkpoint"] = context.checkpoint
    for key, vocabulary in (("reason", "reason"), ("decision", "decision"), ("category", "incident")):
        if isinstance(payload.get(key), str):  # codes read as words in the reader's language
            values[key] = label(payload[key], vocabulary)
    kind = statement.get("type", "")
    if kind == "key.revoke" and payload.get("reason") == "custody.ended":
        kind = "custody.end"
    elif kind == "key.revoke" and context.revoked:
        kind = "passkey.revoke"
    elif kind == "key.bind" and payload.get("admin") is True:
        kind = "key.bind.admin"
    sentence = _SENTENCES.get(kind)
    values = {key: isolate(value) for key, value in values.items()}  # names, ids and texts keep their order in Arabic
    what = sentence() % _Defaults(values) if sentence else _("a %(type)s statement") % {"type": kind}
    goods = [_("The plan: %(legs)s.") % {"legs": "; ".join(context.legs)}] if context.legs else []
    return " ".join([what, *goods, _signer(statement, context, values["party"])])


def _signer(statement: dict, context: Context, party: str) -> str:
    values = {"member": isolate(context.member), "device": isolate(context.device), "party": party,
              "seq": statement.get("seq"), "time": isolate(_when(statement.get("time")))}
    if context.member and context.device:
        return _("Signed by %(member)s with the passkey “%(device)s”, for %(party)s; statement #%(seq)s of "
                 "%(party)s, dated %(time)s UTC.") % values
    if context.member:
        return _("Signed by %(member)s with their passkey, for %(party)s; statement #%(seq)s of %(party)s, "
                 "dated %(time)s UTC.") % values
    return _("Statement #%(seq)s of %(party)s, dated %(time)s UTC.") % values


def plan_legs(legs, routes: dict) -> tuple[str, ...]:
    """Each leg's route (by name) and lines, for the words shown before signing; `legs` are the engine's
    Leg records, or plain dicts (a plan.submit's payload)."""
    described = []
    names = leg_names(legs, routes)  # by route, never the leg's id
    for leg in legs:
        get = leg.get if isinstance(leg, dict) else lambda name, leg=leg: getattr(leg, name)
        lines = joined(f"{_field(line, 'item')} {_field(line, 'quantity')} {_field(line, 'unit')}"
                          for line in get("lines"))
        described.append(_("%(leg)s: %(lines)s") % {"leg": names.get(str(get("id")), get("id")), "lines": lines})
    return tuple(described)


def _field(line, name: str):
    return line.get(name) if isinstance(line, dict) else getattr(line, name)


class _Defaults(dict):
    """A missing field reads as a dash rather than failing the description."""

    def __missing__(self, key: str) -> str:
        return "—"


def _short(value: str | int) -> str:
    text = str(value)
    return text[:12] if len(text) == 64 and all(c in "0123456789abcdef" for c in text) else text


def _when(value: object) -> str:
    try:
        return datetime.fromtimestamp(parse_time(str(value)), tz=UTC).strftime("%Y-%m-%d %H:%M")
    except RuleViolation:  # a description never fails on an odd time; the engine judges it
        return str(value)


_SENTENCES = {
    "plan.submit": lambda: _("You request passage under plan %(plan)s for %(party)s, as listed below."),
    "plan.amend": lambda: _("You amend plan %(plan)s for %(party)s; every party must consent again."),
    "plan.consent": lambda: _("You consent, for %(party)s, to plan %(plan)s as it stands at version %(version)s."),
    "plan.refuse": lambda: _("You refuse, for %(party)s, plan %(plan)s at version %(version)s. Reason: "
                             "%(reason)s. “%(text)s”"),
    "plan.withdraw": lambda: _("You withdraw %(party)s's consent to plan %(plan)s. Reason: %(reason)s. “%(text)s”"),
    "plan.request_info": lambda: _("You ask, for %(party)s, about plan %(plan)s: “%(question)s”"),
    "plan.answer": lambda: _("You answer question %(request)s on plan %(plan)s: “%(answer)s”"),
    "plan.cancel": lambda: _("You cancel plan %(plan)s. “%(text)s”"),
    "plan.note": lambda: _("You record the document “%(title)s” (SHA-256 %(sha256)s) on plan %(plan)s."),
    "plan.reveal": lambda: _("You reveal on the public log the window and plates of plan %(plan)s."),
    "slot.propose": lambda: _("You propose slot %(slot)s for plan %(plan)s (the window stays off the public log "
                              "until the passage is over)."),
    "slot.confirm": lambda: _("You confirm, for %(party)s, slot %(slot)s of plan %(plan)s."),
    "slot.decline": lambda: _("You decline, for %(party)s, slot %(slot)s of plan %(plan)s. “%(text)s”"),
    "leg.arrive": lambda: _("You state that plan %(plan)s arrived on %(leg)s at checkpoint %(checkpoint)s."),
    "leg.inspect": lambda: _("You record, for %(party)s, the inspection of plan %(plan)s on %(leg)s at "
                             "%(checkpoint)s: decision %(decision)s. “%(text)s”"),
    "plan.go": lambda: _("You release every cleared leg of plan %(plan)s: go."),
    "leg.depart": lambda: _("You state that plan %(plan)s departed on %(leg)s."),
    "leg.deliver": lambda: _("You receipt, for %(party)s, the delivery of plan %(plan)s on %(leg)s."),
    "incident.report": lambda: _("You report, for %(party)s, incident %(incident)s (%(category)s): “%(text)s”"),
    "incident.dispute": lambda: _("You dispute, for %(party)s, incident %(incident)s: “%(text)s”"),
    "key.bind": lambda: _("You bind the passkey of member %(member)s to %(party)s: from now on it signs in "
                          "%(party)s's name."),
    "key.bind.admin": lambda: _("You bind the passkey of member %(member)s to %(party)s as an administrator's: "
                                "from now on it signs in %(party)s's name, and it may bind and revoke other "
                                "members' passkeys."),
    "passkey.revoke": lambda: _("You revoke the passkey of member %(revoked)s for %(party)s (reason: %(reason)s): "
                                "nothing it signs from now on is accepted."),
    "custody.end": lambda: _("You end custodial signing for %(party)s: the server's key %(key)s is revoked on the "
                             "log and the server erases its copy; from now on only your own people sign in "
                             "%(party)s's name."),
    "key.revoke": lambda: _("You revoke key %(key)s of %(party)s (reason: %(reason)s): nothing it signs from now "
                            "on is accepted."),
}
