"""A party's confirmed slots as an iCalendar feed (RFC 5545, written by the `icalendar` library), at a private
address per user that a calendar application subscribes to.

The address carries a secret of its own, never the session: calendar applications fetch it without signing
in. Only its SHA-256 is kept (models.CalendarFeed), so the address is shown once, when made; making a new one
or revoking ends the old. Each fetch reads the slots of the parties the user may see private values for at
that moment (a member who leaves, or an observer, sees none): windows are private until a passage is over,
so they come from the service's private copy (passages/private.py), which only the plan's parties read."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from icalendar import Calendar, Event

from ..config import CONFIG
from ..parties.authz import parties_for
from ..passages.models import Leg, Plan, SlotWindow
from .labels import joined, label
from .models import CalendarFeed

CONFIRMED = ("scheduled", "in_progress", "completed")  # every required party confirmed the slot
FEED_LIMIT = 500  # the most recent passages' slots: a feed stays small however long the operation runs


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_url(token: str) -> str:
    return f"{CONFIG.public_url.rstrip('/')}/calendar/{token}.ics"


@require_POST
@login_required
def make_feed(request):
    """A new address (the old one, if any, stops working), shown once."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(user=request.user, defaults={
        "digest": digest_of(token), "language": translation.get_language() or "en",
        "created": datetime.now(UTC)})
    url = feed_url(token)
    return render(request, "web/calendar_link.html", {"url": url, "webcal": "webcal://" + url.split("://", 1)[1]})


@require_POST
@login_required
def revoke_feed(request):
    CalendarFeed.objects.filter(user=request.user).delete()
    return redirect("account")


@require_GET
def feed(request, token: str):
    """The calendar, to whoever holds the address; any other address answers 404."""
    subscription = CalendarFeed.objects.filter(digest=digest_of(token)).select_related("user").first()
    if subscription is None or not subscription.user.is_active:
        raise Http404("no such calendar")
    with translation.override(subscription.language):
        body = calendar_of(parties_for(subscription.user, "view_private")).to_ical()
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="corridor-slots.ics"'
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex"
    return response


def calendar_of(parties: list[str]) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Corridor//confirmed slots//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Corridor: confirmed slots"))
    for event in slot_events(parties):
        calendar.add_component(event)
    return calendar


def slot_events(parties: list[str]) -> list[Event]:
    """One event per passage of the parties whose current slot is confirmed: three queries, whatever the
    number of passages (plans, their windows, their legs with routes)."""
    if not parties:
        return []
    plans = list(Plan.objects.filter(Q(requester_id__in=parties) | Q(positions__party_id__in=parties),
                                     status__in=CONFIRMED).exclude(slot_commitment="")
                 .distinct().order_by("-submitted_at", "id")[:FEED_LIMIT])
    ids = [plan.id for plan in plans]
    windows = {(w.plan_id, w.commitment): w for w in SlotWindow.objects.filter(plan_id__in=ids)}
    legs: dict[str, list[Leg]] = {}
    for leg in Leg.objects.filter(plan_id__in=ids).select_related("route").order_by("plan_id", "leg_id"):
        legs.setdefault(leg.plan_id, []).append(leg)
    stamp = datetime.now(UTC)
    events = []
    for plan in plans:
        window = windows.get((plan.id, plan.slot_commitment))
        start, end = _window(plan, window)
        if start is not None:
            events.append(_event(plan, window.slot_id if window else "slot", start, end, legs.get(plan.id, []), stamp))
    return events


def _window(plan: Plan, window: SlotWindow | None) -> tuple[datetime | None, datetime | None]:
    """From the private copy; for a passage whose window the log revealed, from the log's."""
    if window is not None:
        return _instant(window.start), _instant(window.end)
    return plan.slot_start, plan.slot_end


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _event(plan: Plan, slot: str, start: datetime, end: datetime | None, legs: list[Leg], stamp: datetime) -> Event:
    routes = joined(dict.fromkeys(leg.route.name for leg in legs))
    places = joined(dict.fromkeys(name for leg in legs for name in _checkpoint_names(leg)))
    page = f"{CONFIG.public_url.rstrip('/')}/plans/{plan.id}"
    event = Event()
    event.add("uid", f"{plan.id}.{slot}@{_host()}")
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    if end is not None:
        event.add("dtend", end)
    event.add("summary", _("Passage %(plan)s: %(routes)s") % {"plan": plan.id, "routes": routes or "—"})
    if places:
        event.add("location", places)
    event.add("description", "\n".join([
        _("Status: %(status)s") % {"status": label(plan.status, "status")},
        _("Vehicles: %(vehicles)s") % {"vehicles": plan.vehicles}, page]))
    event.add("url", page)
    event.add("status", "CONFIRMED")
    return event


def _checkpoint_names(leg: Leg) -> list[str]:
    return [str(c.get("name") or c.get("id")) for c in (leg.route.definition or {}).get("checkpoints", [])
            if isinstance(c, dict)]


def _host() -> str:
    return CONFIG.public_url.split("://", 1)[-1].split("/", 1)[0] or "corridor"
