"""The actions a party may take on a plan, for the plan page, and turning a submitted form into the
statement's payload. The engine stays the judge: a form only offers what is plausible now, and whatever
the rules refuse is shown with its code and message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from ...engine.lifecycle import UNCOMMITTED_PHASES
from ...engine.state import BEFORE_CLEARANCE, BEFORE_MOVEMENT, PlanState
from ...engine.times import format_time, parse_time
from .. import clock
from ..ledger.record import Refused
from ..passages.models import SlotWindow
from ..passages.private import current_window, reveal_due
from . import zones
from .inspection_form import inspection_payload
from .receipt_form import receipt_payload
from .templatetags.corridor import ago, local_time, until

# The actions whose meaning depends on the plan as the page showed it: their forms carry the version the page
# was rendered with (hidden field "version"), and `check_rendered` refuses any other before anything is signed,
# so a party never signs a version it did not see. tests/service/web/test_rendered_version.py holds every form
# in the templates to carrying it. Answering, cancelling, notes and slot proposals are the requester's own
# (it made the amendment); arrival and departure are facts about vehicles.
NEEDS_RENDERED_VERSION = frozenset({
    "plan.consent", "plan.refuse", "plan.withdraw", "plan.request_info", "slot.confirm", "slot.decline",
    "leg.inspect", "plan.go", "leg.deliver",
})
REASONS = ["security", "documentation", "manifest", "dual_use", "route_unavailable", "timing", "conditions_unmet",
           "incident", "other"]
DECISIONS = ["cleared", "cleared_with_offload", "held", "turned_back"]
DISCREPANCIES = ["missing", "excess", "undeclared", "damaged", "seal_broken"]
LABELS = {
    "plan.consent": _("Consent"), "plan.refuse": _("Refuse"), "plan.withdraw": _("Withdraw consent"),
    "plan.request_info": _("Request information"), "plan.answer": _("Answer"), "plan.cancel": _("Cancel plan"),
    "slot.propose": _("Propose a slot"), "slot.confirm": _("Confirm slot"), "slot.decline": _("Decline slot"),
    "leg.arrive": _("Arrived at checkpoint"), "leg.inspect": _("Record inspection"), "plan.go": _("Go"),
    "leg.depart": _("Depart"), "leg.deliver": _("Delivery receipt"), "plan.note": _("Record a note"),
    "plan.reveal": _("Reveal the window and plates on the public log"),
}


@dataclass(frozen=True)
class Action:
    kind: str
    leg: str | None = None
    checkpoint: str | None = None
    waiting: str = ""  # why it cannot be taken yet, in words: shown instead of a button the rules would refuse
    note: str = ""  # said beside the button (a go after the agreed window has closed)

    @property
    def label(self) -> str:
        return str(LABELS[self.kind])


def available(plan: PlanState, party: str, routes: dict, now: int | None = None) -> list[Action]:
    """What `party` can plausibly do on `plan` at `now` (the service's clock unless told)."""
    now = clock.now() if now is None else now
    if plan.closed:  # what is left: revealing what the log carried as commitments
        return [Action("plan.reveal")] if party == plan.requester and reveal_due(plan) else []
    actions = _as_requester(plan) if party == plan.requester else []
    if party in plan.required:
        actions += _as_required(plan, party)
    # notes (documents) are recorded from the plan page's documents section (web/documents.py), by upload
    return actions + _movement(plan, party, routes, now) + _at_checkpoints(plan, party, routes)


def _as_requester(plan: PlanState) -> list[Action]:
    """Cancelling is offered only while no vehicle has been released (the engine refuses it after)."""
    actions = [Action("plan.answer")] if plan.open_requests() else []
    if plan.status in ("cleared", "scheduled"):
        actions.append(Action("slot.propose"))
    uncommitted = all(leg.phase in UNCOMMITTED_PHASES for leg in plan.legs.values())
    return [*actions, Action("plan.cancel")] if uncommitted else actions


def can_amend(plan: PlanState, party: str) -> bool:
    """The requester amends an open plan until a leg moves (the engine's rule), from the amend page."""
    return party == plan.requester and not plan.closed and all(leg.phase == "planned" for leg in plan.legs.values())


def _movement(plan: PlanState, party: str, routes: dict, now: int) -> list[Action]:
    """Arrival at the gate (the requester or a party with a role on the route), go and departure (the
    requester or an escort)."""
    if plan.status not in ("scheduled", "in_progress"):
        return []
    mover = party == plan.requester or "escort" in plan.required.get(party, ())
    actions = []
    for leg in plan.content.legs:
        live, route = plan.legs[leg.id], routes[leg.route]
        if live.phase == "planned" and (party == plan.requester or route.capacities_of(party)):
            actions.append(Action("leg.arrive", leg.id, route.ordered_checkpoints(leg.direction)[0].id))
        if live.phase == "released" and mover:
            actions.append(Action("leg.depart", leg.id))
    if mover and any(leg.phase == "cleared" for leg in plan.legs.values()):
        actions.append(go_action(plan, now))
    return actions


@dataclass(frozen=True)
class GoWindow:
    """The agreed slot's window as a go meets it. The engine's rule: a go is taken from the window's start less
    the plan's tolerance (`opens`); one after the window's end is taken too, but comes after the agreed time."""

    opens: int
    end: int


def go_window(plan: PlanState) -> GoWindow | None:
    """The current slot's window: as revealed on the log, else the service's private copy (the plan's parties
    only ever reach this: only they may give go). None when no window is known here."""
    slot = plan.slot
    if slot is None or slot.declined:
        return None
    if slot.start is not None and slot.end is not None:
        start, end = slot.start, slot.end
    else:
        row = current_window(plan)
        if row is None:
            return None
        start, end = parse_time(row.start), parse_time(row.end)
    return GoWindow(start - plan.content.tolerance_seconds, end)


def go_action(plan: PlanState, now: int) -> Action:
    """Go, as the window allows it at `now`: before it opens, words saying when instead of a button that would
    be refused; after it has closed, the button with a word that the agreed window is over."""
    window = go_window(plan)
    if window is None:
        return Action("plan.go")
    zone = zones.plan_zone(plan.id)
    if now < window.opens:
        return Action("plan.go", waiting=_("Go opens at %(time)s (time at the crossing) — in %(in)s.") % {
            "time": local_time(window.opens, zone), "in": until(window.opens)})
    if now >= window.end:
        return Action("plan.go", note=_("The agreed window closed at %(time)s (time at the crossing), %(ago)s ago: "
                                        "a go now comes after it.") % {
            "time": local_time(window.end, zone), "ago": ago(window.end)})
    return Action("plan.go")


def _as_required(plan: PlanState, party: str) -> list[Action]:
    position = plan.positions.get(party)
    actions = []
    uncommitted = all(leg.phase in UNCOMMITTED_PHASES for leg in plan.legs.values())
    if plan.status in BEFORE_CLEARANCE and (position is None or position.stance != "consented"):
        actions += [Action("plan.consent"), Action("plan.refuse"), Action("plan.request_info")]
    elif plan.status in BEFORE_MOVEMENT and position is not None and position.stance == "consented" and uncommitted:
        actions.append(Action("plan.withdraw"))
    slot = plan.slot
    if slot is not None and not slot.declined and party not in slot.answers and plan.status == "cleared":
        actions += [Action("slot.confirm"), Action("slot.decline")]
    return actions


def _at_checkpoints(plan: PlanState, party: str, routes: dict) -> list[Action]:
    actions = []
    for leg in plan.content.legs:
        live = plan.legs[leg.id]
        route = routes[leg.route]
        for checkpoint in route.checkpoints:
            if live.checkpoint == checkpoint.id and live.phase in ("arrived", "held") \
                    and party in checkpoint.inspected_by:
                actions.append(Action("leg.inspect", leg.id, checkpoint.id))
        receivers = {req.party for req in route.policy if req.capacity == "receiving_security"}
        if live.phase == "in_transit" and party in (receivers or {plan.requester}):
            actions.append(Action("leg.deliver", leg.id))
    return actions


def check_rendered(kind: str, form, plan: PlanState) -> None:
    """Refuse (version.stale, with what changed) a form rendered with another version of the plan."""
    if kind in NEEDS_RENDERED_VERSION and form.get("version", "") != plan.version:
        from .staleness import explain

        raise Refused("version.stale", explain(plan, form.get("version", "")), 409)


def payload_from(kind: str, form, plan: PlanState) -> dict:
    """The statement payload from a submitted form (field names as in the templates)."""
    builders = {
        "plan.consent": lambda: _consent(form),
        "plan.refuse": lambda: _refusal(form, plan),
        "plan.withdraw": lambda: {"reason": form.get("reason", ""), "text": form.get("text", "")},
        "plan.request_info": lambda: {"request": f"q{len(plan.requests) + 1}", "question": form.get("text", "")},
        "plan.answer": lambda: {"request": form.get("request", ""), "answer": form.get("text", "")},
        "plan.cancel": lambda: {"text": form.get("text", "")},
        "plan.note": lambda: {"sha256": form.get("sha256", "").strip().lower(), "title": form.get("title", "")},
        "slot.propose": lambda: {"slot": f"s{_slot_number(plan)}", "start": _on_crossing_clock(form.get("start"), plan),
                                 "end": _on_crossing_clock(form.get("end"), plan)},
        "slot.confirm": lambda: {"slot": form.get("slot", "")},  # the slot the page showed, not the latest
        "slot.decline": lambda: {"slot": form.get("slot", ""), "text": form.get("text", "")},
        "leg.arrive": lambda: {"leg": form.get("leg", ""), "checkpoint": form.get("checkpoint", "")},
        "leg.inspect": lambda: inspection_payload(form, plan),  # web/inspection_form.py
        "plan.go": lambda: {},
        "leg.depart": lambda: {"leg": form.get("leg", "")},
        "leg.deliver": lambda: receipt_payload(form, plan),  # web/receipt_form.py
        "plan.reveal": lambda: reveal_due(plan),
    }
    if kind not in builders:
        raise Refused("action.unknown", f"there is no action {kind!r}", 404)
    return builders[kind]()


def _consent(form) -> dict:
    """Conditions typed one per line (blank lines dropped); none is no `conditions` field at all."""
    conditions = [line.strip() for line in form.get("conditions", "").splitlines() if line.strip()]
    return {"version": form.get("version", "")} | ({"conditions": conditions} if conditions else {})


def _refusal(form, plan: PlanState) -> dict:
    lines = [dict(zip(("leg", "line"), value.split("/", 1), strict=True)) for value in form.getlist("lines")
             if "/" in value]
    return {"version": form.get("version", ""), "reason": form.get("reason", ""), "text": form.get("text", ""),
            "lines": lines}


def _on_crossing_clock(text: str | None, plan: PlanState) -> str:
    """A datetime-local field, entered on the clock of the plan's crossing (as the form says, naming its zone:
    an officer reads 12:00 where the log says 08:00Z), as an RFC 3339 UTC time."""
    return on_clock(text, zones.plan_zone(plan.id))


def on_clock(text: str | None, zone_name: str) -> str:
    """A datetime-local field typed on the clock of the zone named, as an RFC 3339 UTC time."""
    try:
        moment = datetime.fromisoformat(str(text))
    except (TypeError, ValueError):
        raise Refused("time.invalid", "give the date and time as YYYY-MM-DD HH:MM", 422) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zones.zone(zone_name))
    return format_time(int(moment.timestamp()))


def _slot_number(plan: PlanState) -> int:
    return int(plan.slot.id[1:]) + 1 if plan.slot and plan.slot.id[1:].isdigit() else 1


def too_early_to_go(plan: PlanState) -> str | None:
    """Why a go was refused, when it came before the agreed window opens (the engine says so in English under
    `state.wrong`): the window's start on the crossing's clock and how long until then, in the reader's
    language. None when the go was refused for another reason, or the window is not known to this service."""
    window = SlotWindow.objects.filter(plan_id=plan.id, slot_id=plan.slot.id).first() if plan.slot else None
    if window is None or clock.now() >= parse_time(window.start) - plan.content.tolerance_seconds:
        return None  # the engine's rule: a go may come as early as the tolerance before the window
    return _("The agreed window opens on %(start)s, in %(in)s: give the go from then.") % {
        "start": local_time(window.start, zones.plan_zone(plan.id)), "in": until(window.start)}
