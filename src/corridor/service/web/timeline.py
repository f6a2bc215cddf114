"""The plan page's timeline: each signed statement with what it says, in the reader's language — questions
and answers, consent conditions, refusal and withdrawal reasons and texts, documents (title, kind, hash), slot
proposals (the window only to the plan's parties), arrivals, inspections (those signed offline as the officer's,
with when they were signed and received, and why one took no effect), receipts. Codes become words through
web/labels.py; a party's text stays text (the template escapes it)."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ...engine.quantity import canonical, total
from ...engine.state import State
from ..ledger.record import known_fold
from ..ledger.signatures import statement_row
from ..passages.history import Signed, checkpoint_name
from ..passages.offline import RELAY, outcome, relay_record
from . import zones
from .documents import kind_label
from .labels import groups_separator, joined, label
from .leg_names import leg_names
from .offline_submit import late_message
from .plan_diff import VERSIONS
from .templatetags.corridor import local_time


def timeline(statements: list[Signed], state: State, windows: dict[str, tuple[str, str]],
             versions: list[Signed] = ()) -> list[dict]:
    """Rows for the template; `windows` maps a slot's window commitment to its (start, end) for readers
    who may see it (empty for anyone else). A relay shows as the statement signed offline it carries.
    `versions`: the plan's submission and amendments, when `statements` are a window of a longer timeline (the
    version in force where it starts, and its number)."""
    rows, version, number = [], None, 0
    if statements:
        earlier = [v for v in versions if v.row.type in VERSIONS and v.row.idx < statements[0].row.idx]
        version, number = (earlier[-1].payload, len(earlier)) if earlier else (None, 0)
    for s in statements:
        if s.row.type in VERSIONS:  # the content every statement after it is about, until the next amendment
            version, number = s.payload, number + 1
        rows.append(_relayed(s, state, windows) if s.row.type == RELAY else statement_row(s.row) | {
            "party_name": _party_name(state, s.row.party), "says": says(s, state, windows, version, number)})
    return rows


def _relayed(signed: Signed, state: State, windows: dict[str, tuple[str, str]]) -> dict:
    """An offline.relay: the officer's statement (by its party, signed with its passkey), what it says, when it was
    signed and received, and, if the rules gave it no effect, why (the relay itself is the operator's)."""
    inner = signed.payload.get("statement") or {}
    record = relay_record(signed.row, state)
    carried = Signed(signed.row, inner)
    kind, party = str(inner.get("type", RELAY)), str(inner.get("party", signed.row.party))
    describe = _SAYS.get(kind)
    sentences = [s for s in describe(carried.payload, state, carried, windows) if s] if describe else []
    if record is not None:
        sentences.append(_("signed offline at %(signed)s, received at %(received)s") % {
            "signed": _local(carried, record.signed), "received": _local(carried, record.received)})
        if record.code is not None:
            sentences.append(_("not applied: %(reason)s") % {"reason": late_message(record.code)})
    key = known_fold().key_of(str(inner.get("key", "")))
    return statement_row(signed.row) | {
        "type": kind, "party": party, "party_name": _party_name(state, party), "signed_by": "passkey",
        "member": key.member if key is not None else None, "says": sentences,
        "offline": outcome(signed.row.subject, record) if record is not None else None}


def says(signed: Signed, state: State, windows: dict[str, tuple[str, str]], version: dict | None = None,
         number: int = 0) -> list[str]:
    """A few short sentences: what the statement says; `version`: the plan's content it was about (a refusal
    names lines that a later amendment may have taken away), `number`: that version's place in the plan's
    history (a consent is to "version 2", not to a hash)."""
    if signed.row.type == "plan.refuse":
        return [sentence for sentence in _refuse(signed.payload, state, signed, windows, version) if sentence]
    if signed.row.type == "plan.consent":
        return [sentence for sentence in _consent(signed.payload, state, signed, windows, number) if sentence]
    describe = _SAYS.get(signed.row.type)
    return [sentence for sentence in describe(signed.payload, state, signed, windows) if sentence] if describe else []


def _submit(payload: dict, state: State, signed: Signed, windows) -> list[str]:
    legs = [leg for leg in payload.get("legs") or () if isinstance(leg, dict)]
    names = leg_names(legs, state.routes)  # the legs as this version lists them, by route
    sentences = []
    for leg in legs:
        lines = [line for line in leg.get("lines") or () if isinstance(line, dict)]
        count = len(leg.get("vehicles") or ())
        sentences.append(ngettext("%(leg)s: %(lines)s; %(n)s vehicle", "%(leg)s: %(lines)s; %(n)s vehicles",
                                  count) % {
            "leg": names.get(str(leg.get("id")), leg.get("id")), "lines": joined(_totals(lines)), "n": count})
    if payload.get("linkage"):
        sentences.append(label(payload["linkage"], "linkage"))
    if payload.get("expires_at"):
        sentences.append(_("expires %(time)s") % {"time": _local(signed, payload["expires_at"])})
    return sentences


def _totals(lines: list[dict]) -> list[str]:
    """"Wheat flour 100 t": each item and unit once, its quantities added exactly (a truck's line each is too
    many words to read); in the order the manifest first lists them."""
    sums: dict[tuple[str, str], list] = {}
    for line in lines:
        sums.setdefault((str(line.get("item")), str(line.get("unit"))), []).append(line.get("quantity"))
    words = []
    for (item, unit), quantities in sums.items():
        try:
            summed = number_format(canonical(total(*quantities)), force_grouping=True)
        except (TypeError, ValueError, ArithmeticError):  # not a quantity the engine would accept: as written
            summed = " + ".join(str(q) for q in quantities)
        words.append(f"{item} {summed} {unit}")
    return words


def _consent(payload: dict, state: State, signed: Signed, windows, number: int = 0) -> list[str]:
    sentences = [_("to version %(n)s") % {"n": number} if number else
                 _("to version %(version)s") % {"version": str(payload.get("version", ""))[:12]}]
    if payload.get("capacity"):
        sentences.append(_("as %(capacity)s") % {"capacity": label(payload["capacity"], "capacity")})
    sentences += [_("condition: %(text)s") % {"text": text} for text in payload.get("conditions") or ()]
    return sentences


def _refuse(payload: dict, state: State, signed: Signed, windows, version: dict | None = None) -> list[str]:
    sentences = [_("reason: %(reason)s") % {"reason": label(payload.get("reason"), "reason")}, payload.get("text")]
    lines = [_refused_item(state, signed, version, ref.get("leg"), ref.get("line"))
             for ref in payload.get("lines") or () if isinstance(ref, dict)]
    if lines:
        sentences.append(_("only these lines: %(lines)s") % {"lines": joined(lines)})
    return sentences


def _withdraw(payload: dict, state: State, signed: Signed, windows) -> list[str]:
    return [_("reason: %(reason)s") % {"reason": label(payload.get("reason"), "reason")}, payload.get("text")]


def _question(payload: dict, state: State, signed: Signed, windows) -> list[str]:
    return [_("“%(text)s”") % {"text": payload.get("question")}]  # the question's id (q1) is no one's word for it


def _answer(payload: dict, state: State, signed: Signed, windows) -> list[str]:
    """The answer after the question it answers, quoted (the request's id is the log's, not the reader's)."""
    plan = state.plans.get(signed.row.plan or "")
    asked = plan.requests.get(str(payload.get("request"))) if plan else None
    if asked is None:
        return [_("“%(text)s”") % {"text": payload.get("answer")}]
    return [_("to “%(question)s”: “%(text)s”") % {"question": asked.question, "text": payload.get("answer")}]


def _text_only(payload: dict, state: State, signed: Signed, windows) -> list[str]:
    return [payload.get("text")]


def _note(payload: dict, state: State, signed: Signed, windows) -> list[str]:
    return [_("“%(title)s” (%(kind)s), SHA-256 %(sha256)s") % {
        "title": payload.get("title") or _("untitled"), "kind": kind_label(str(payload.get("kind") or "note_verbale")),
        "sha256": payload.get("sha256", "")}]


def _propose(payload: dict, state: State, signed: Signed, windows) -> list[str]:
    window = windows.get(str(payload.get("window", "")))
    if window is None:  # the slot's id (s1) is the log's, not the reader's: the window names it
        return [_("a window, kept off the public log until the passage is over")]
    return [_("window: %(start)s – %(end)s") % {"start": _local(signed, window[0]), "end": _local(signed, window[1])}]


def _slot_answer(payload: dict, state: State, signed: Signed, windows) -> list[str]:
    return [payload.get("text")]  # confirming or declining the window proposed (its type says which); no id


def _arrive(payload: dict, state: State, signed: Signed, windows) -> list[str]:
    return [_("%(leg)s at %(checkpoint)s") % {
        "leg": _leg(state, signed, payload.get("leg")),
        "checkpoint": checkpoint_name(state, None, payload.get("checkpoint"))}]


def _inspect(payload: dict, state: State, signed: Signed, windows) -> list[str]:
    return [_("%(leg)s at %(checkpoint)s: %(decision)s") % {
                "leg": _leg(state, signed, payload.get("leg")),
                "checkpoint": checkpoint_name(state, None, payload.get("checkpoint")),
                "decision": label(payload.get("decision"), "decision")},
            _discrepancies(payload, state, signed), _undeclared(payload),
            _("offloaded: %(lines)s") % {"lines": joined(_item(state, signed, payload.get("leg"), line)
                                                         for line in payload["offload"])}
            if payload.get("offload") else "",
            payload.get("text")]


def _discrepancies(payload: dict, state: State, signed: Signed) -> str:
    """Each line found with a discrepancy, by item and vehicle, with what was found wrong ("Wheat flour
    (Vehicle 2): missing, damaged") — not how many lines, which says nothing of which truck to look at."""
    flagged = [_("%(line)s: %(codes)s") % {
        "line": _item(state, signed, payload.get("leg"), f.get("line")),
        "codes": joined(label(code, "discrepancy") for code in f["codes"])}
        for f in payload.get("findings") or () if isinstance(f, dict) and f.get("codes")]
    return _("discrepancies: %(lines)s") % {"lines": groups_separator().join(flagged)} if flagged else ""


def _undeclared(payload: dict) -> str:
    """Goods found that no line declares (the statement names no vehicle for them): item, quantity, unit."""
    goods = [f"{u.get('item')} {u.get('quantity')} {u.get('unit')}"
             for u in payload.get("undeclared") or () if isinstance(u, dict)]
    return _("undeclared goods found: %(goods)s") % {"goods": joined(goods)} if goods else ""


def _go(payload: dict, state: State, signed: Signed, windows) -> list[str]:
    legs = payload.get("legs") or ()
    if not legs:
        return [_("every cleared leg released")]
    return [_("legs released: %(legs)s") % {"legs": joined(_leg(state, signed, leg) for leg in legs)}]


def _depart(payload: dict, state: State, signed: Signed, windows) -> list[str]:
    return [_leg(state, signed, payload.get("leg"))]


def _deliver(payload: dict, state: State, signed: Signed, windows) -> list[str]:
    return [_leg(state, signed, payload.get("leg"))] + [
        _("%(line)s: %(good)s good, %(damaged)s damaged, %(lost)s lost") % {
            "line": _item(state, signed, payload.get("leg"), r.get("line")), "good": r.get("good"),
            "damaged": r.get("damaged", 0), "lost": r.get("lost", 0)}
        for r in payload.get("receipts") or () if isinstance(r, dict)]


def _reveal(payload: dict, state: State, signed: Signed, windows) -> list[str]:
    window = payload.get("window") if isinstance(payload.get("window"), dict) else None
    sentences = [_("window %(start)s – %(end)s") % {"start": _local(signed, window.get("start")),
                                                    "end": _local(signed, window.get("end"))}] \
        if window else []
    plates = payload.get("plates") or ()
    if plates:
        sentences.append(ngettext("%(n)s plate revealed", "%(n)s plates revealed", len(plates))
                         % {"n": len(plates)})
    return sentences


def _permit(payload: dict, state: State, signed: Signed, windows) -> list[str]:
    """The vehicle a permit is for, by its place in its leg ("Vehicle 3"; with the leg's name when the plan has
    several): a convoy's twenty permits read as twenty vehicles, not as twenty identical rows."""
    plan = state.plans.get(signed.row.plan or "")
    record = plan.permits.get(str(payload.get("permit", ""))) if plan is not None else None
    leg_id, vehicle_id = (record.leg, record.vehicle) if record is not None else (payload.get("leg"),
                                                                                  payload.get("vehicle"))
    leg = plan.content.leg(str(leg_id)) if plan is not None else None
    number = next((n for n, v in enumerate(leg.vehicles, start=1) if v.id == vehicle_id), None) if leg else None
    if number is None:
        return [_("a vehicle since removed")]
    vehicle = _("Vehicle %(n)s") % {"n": number}
    several = len(plan.content.legs) > 1
    sentences = [_("%(leg)s: %(vehicle)s") % {"leg": _leg(state, signed, leg_id), "vehicle": vehicle}
                 if several else vehicle]
    if signed.row.type == "permit.revoke":
        sentences.append(label(payload.get("reason"), "revocation"))
    return sentences


_SAYS = {
    "plan.submit": _submit, "plan.amend": _submit, "plan.consent": _consent, "plan.refuse": _refuse,
    "plan.withdraw": _withdraw, "plan.request_info": _question, "plan.answer": _answer, "plan.cancel": _text_only,
    "plan.note": _note, "slot.propose": _propose, "slot.confirm": _slot_answer, "slot.decline": _slot_answer,
    "leg.arrive": _arrive, "leg.inspect": _inspect, "plan.go": _go, "leg.depart": _depart, "leg.deliver": _deliver,
    "plan.reveal": _reveal, "permit.issue": _permit, "permit.revoke": _permit,
}


def _leg(state: State, signed: Signed, leg_id: object) -> str:
    """A leg by its name (route, and its place when two legs share the route), as the plan now lists it."""
    plan = state.plans.get(signed.row.plan or "")
    names = leg_names(plan.content.legs, state.routes) if plan is not None else {}
    return names.get(str(leg_id), str(leg_id or ""))


def _item(state: State, signed: Signed, leg_id: object, line_id: object) -> str:
    """A line by its item's name (as the plan now lists it), with the vehicle carrying it by its place in the leg
    when the leg has more than one ("Wheat flour (Vehicle 2)"); a line the plan no longer lists, as such (its id
    is no reader's word for it)."""
    plan = state.plans.get(signed.row.plan or "")
    leg = plan.content.leg(str(leg_id)) if plan is not None else None
    line = leg.line(str(line_id)) if leg is not None else None
    if line is None:
        return _("a line since removed")
    numbers = {v.id: number for number, v in enumerate(leg.vehicles, start=1)}
    if len(numbers) < 2 or line.vehicle not in numbers:
        return line.item
    return f"{line.item} ({_('Vehicle %(n)s') % {'n': numbers[line.vehicle]}})"


def _refused_item(state: State, signed: Signed, version: dict | None, leg_id: object, line_id: object) -> str:
    """A refused line as the plan lists it now (with its vehicle), else as the refused version named it."""
    plan = state.plans.get(signed.row.plan or "")
    leg = plan.content.leg(str(leg_id)) if plan is not None else None
    if leg is not None and leg.line(str(line_id)) is not None:
        return _item(state, signed, leg_id, line_id)
    return _versioned_item(version, leg_id, line_id) or _("a line since removed")


def _versioned_item(version: dict | None, leg_id: object, line_id: object) -> str | None:
    """A line's item name as the version named it (the payload of its plan.submit or plan.amend), if it does."""
    for leg in (version or {}).get("legs") or ():
        if isinstance(leg, dict) and leg.get("id") == leg_id:
            for line in leg.get("lines") or ():
                if isinstance(line, dict) and line.get("id") == line_id and line.get("item"):
                    return str(line["item"])
    return None


def _party_name(state: State, party: str) -> str:
    record = state.parties.get(party)
    return record.name if record is not None else party


def _local(signed: Signed, moment: object) -> str:
    """A time the statement names, on the clock of the plan's crossing (with its offset)."""
    return local_time(moment, zones.plan_zone(signed.row.plan or ""))
