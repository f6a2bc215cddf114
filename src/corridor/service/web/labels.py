"""Every code the log speaks in (statuses, phases, stances, statement types, capacities, reasons, decisions,
discrepancies, incident categories), as words in the reader's language. The log and the API keep the codes;
only the pages translate them, through `{{ code|label:"status" }}`. An unknown code is shown as itself, so a
newer log never breaks an older page — and the walking test (tests/service/web) fails on any code shown raw."""

from __future__ import annotations

from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .line_choices import CATEGORIES, VEHICLE_TYPES

STATUS = {
    "submitted": _("submitted"), "awaiting_consent": _("awaiting consent"), "refused": _("refused"),
    "withdrawn": _("withdrawn"), "cleared": _("cleared"), "scheduled": _("scheduled"),
    "in_progress": _("in progress"), "completed": _("completed"), "cancelled": _("cancelled"),
    "expired": _("expired"), "aborted": _("aborted"),
}
# A leg's "cleared" (inspected and let through) is not a plan's "cleared" (every party consented): French and
# Russian use other words for the two, so the leg's phase and the inspection's decision carry a context.
PHASE = {
    "planned": _("planned"), "arrived": _("arrived"), "held": _("held"),
    "cleared": pgettext_lazy("inspection decision", "cleared"),
    "released": _("released"), "in_transit": _("in transit"), "delivered": _("delivered"),
    "turned_back": _("turned back"),
}
STANCE = {"pending": _("pending"), "consented": _("consented"), "refused": _("refused"), "withdrawn": _("withdrawn")}
CAPACITY = {
    "border_control": _("border control"), "customs": _("customs"), "transit": _("transit"),
    "receiving_security": _("receiving authority (security)"), "escort": _("escort"),
}
REASON = {
    "security": _("security"), "documentation": _("documentation"), "manifest": _("manifest"),
    "dual_use": _("dual-use goods"), "route_unavailable": _("route unavailable"), "timing": _("timing"),
    "conditions_unmet": _("conditions not met"), "incident": _("incident"), "other": _("other"),
}
DECISION = {
    "cleared": pgettext_lazy("inspection decision", "cleared"), "cleared_with_offload": _("cleared with offload"),
    "held": _("held"),
    "turned_back": _("turned back"),
}
DISCREPANCY = {
    "missing": _("missing"), "excess": _("excess"), "undeclared": _("undeclared"), "damaged": _("damaged"),
    "seal_broken": _("seal broken"),
}
INCIDENT_CATEGORY = {
    "denial_of_needs": _("denial of needs"), "restricted_population_access": _("restricted access of the population"),
    "restricted_entry": _("restricted entry"), "restricted_movement": _("restricted movement"),
    "interference": _("interference"), "violence": _("violence"), "hostilities": _("hostilities"),
    "mines_uxo": _("mines and unexploded ordnance"), "physical_environment": _("physical environment"),
}
STATEMENT = {
    "plan.submit": _("request for passage"), "plan.amend": _("amendment"), "plan.consent": _("consent"),
    "plan.refuse": _("refusal"), "plan.request_info": _("question"), "plan.answer": _("answer"),
    "plan.withdraw": _("withdrawal of consent"), "plan.cancel": _("cancellation"), "plan.note": _("document"),
    "plan.reveal": _("reveal of window and plates"), "slot.propose": _("slot proposed"),
    "slot.confirm": _("slot confirmed"), "slot.decline": _("slot declined"), "leg.arrive": _("arrival"),
    "leg.inspect": _("inspection"), "plan.go": _("go"), "leg.depart": _("departure"),
    "leg.deliver": _("delivery receipt"), "incident.report": _("incident report"),
    "incident.dispute": _("incident disputed"), "party.register": _("party registered"),
    "route.define": _("route defined"), "passage.attest": _("passage attested"),
    "permit.issue": _("permit issued"), "permit.revoke": _("permit revoked"),
    "key.register": _("key registered"), "key.bind": _("passkey bound"), "key.rotate": _("key replaced"),
    "key.revoke": _("key revoked"),
    "offline.relay": _("statement signed offline, received"),
}
PARTY_KIND = {
    "humanitarian": _("humanitarian organisation"), "authority": _("authority"), "escort": _("escort"),
    "observer": _("observer"), "operator": _("operator"), "source": _("data source"),
}
# The ends of the stages the public page times (figures/summary.py: "submitted → cleared", ...).
STAGE = {"submitted": _("submitted"), "cleared": _("cleared"), "departed": _("departed"), "delivered": _("delivered")}
LINKAGE = {"independent": _("independent legs"), "simultaneous": _("simultaneous legs")}
DIRECTION = {"forward": _("forward"), "reverse": _("reverse")}

PERMIT_REVOCATION = {
    "amendment": _("the plan was amended"), "rescheduled": _("the slot changed"),
    "withdrawal": _("a consent was withdrawn"), "cancellation": _("the plan was cancelled"),
    "refusal": _("the plan was refused"), "other": _("other"),
}

VOCABULARIES = {
    "status": STATUS, "phase": PHASE, "stance": STANCE, "capacity": CAPACITY, "reason": REASON,
    "decision": DECISION, "discrepancy": DISCREPANCY, "incident": INCIDENT_CATEGORY, "statement": STATEMENT,
    "party_kind": PARTY_KIND, "linkage": LINKAGE, "direction": DIRECTION,
    "revocation": PERMIT_REVOCATION,
    "stage": STAGE,
    "vehicle": VEHICLE_TYPES, "category": CATEGORIES,  # a party may write its own: shown as written
}


def label(code: object, vocabulary: str) -> str:
    """The words for a code in the active language; the code itself when the vocabulary does not know it."""
    if code in (None, ""):
        return ""
    return str(VOCABULARIES[vocabulary].get(str(code), code))


def stages(stage: object) -> str:
    """"submitted → cleared" (figures/summary.py, figures/briefing.py) with both ends in words, the arrow
    pointing the way the language reads (Arabic: "مقدَّمة ← أُجيزت")."""
    ends = [label(end.strip(), "stage") for end in str(stage or "").split("→")]
    if len(ends) != 2:
        return " → ".join(ends)
    # Translators: a stage from one step to the next; point the arrow the way your language reads
    return gettext("%(begin)s → %(end)s") % {"begin": ends[0], "end": ends[1]}


def duration(seconds: object) -> str:
    """12345 -> '3h 25m' in English, '3 ч 25 мин' in Russian: compact, for tables of waits (the engine's
    report writes '6d 6h 55m'; the units here are the reader's)."""
    if seconds in (None, ""):
        return ""
    days, rest = divmod(max(int(seconds), 0), 86400)
    hours, minutes = rest // 3600, rest % 3600 // 60
    # Translators: compact duration units, as in a table cell: "6d 6h 55m"
    parts = [gettext("%(days)sd") % {"days": days}] if days else []
    if days or hours:
        parts.append(gettext("%(hours)sh") % {"hours": hours})
    parts.append(gettext("%(minutes)sm") % {"minutes": minutes})
    return " ".join(parts)


def separator() -> str:
    """What joins the items of a list in the reader's language: ", ", the Arabic comma "، " in Arabic."""
    return pgettext("list separator", ", ")


def joined(items) -> str:
    """The items (text) joined as a list in the reader's language."""
    return separator().join(str(item) for item in items)


def groups_separator() -> str:
    """What joins items that are lists themselves ("Wheat flour: missing, damaged; Rice: excess"): "; ",
    the Arabic semicolon "؛ " in Arabic, " ; " in French."""
    return pgettext("list of lists separator", "; ")
