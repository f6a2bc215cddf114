"""The plans list (/plans): every plan the reader may see, newest first, searched and filtered by status,
route, party, requester, submission dates and who is waited on now.

A party's officer sees its own plans by default, with what only the plan's parties may see (the slot's
window before it is revealed, the party's own stance); anyone sees every plan with public fields only.

Fast at any size: a page is read off the (submitted_at, id) indexes by keyset (`after`/`before` cursors,
never an OFFSET that grows with the page's depth), each filter is a per-plan lookup (EXISTS on the plan's
legs, positions or clocks) rather than a join over every row, and the page's rows are completed by a fixed
number of queries by primary key, whatever the page size or the table's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Q
from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from ...engine.state import CLOSED_STATUSES
from ...engine.times import parse_time
from .. import clock
from ..api.paging import COUNT_LIMIT
from ..parties.authz import parties_for
from ..parties.models import Party, Route
from ..passages import selection
from ..passages.models import Clock, Leg, Plan, Position, SlotWindow
from . import zones
from .labels import LINKAGE, STANCE, STATUS, duration

PAGE_SIZE = 50
# what a row shows: the plan's other columns (its revealed salts, digests) are not read
ROW_FIELDS = ("id", "requester__name", "status", "linkage", "submitted_at", "weight_kg", "vehicles", "slot_start",
              "slot_end", "slot_commitment")
SEARCH_MAX = 128  # a plan id's longest
FEW_ROWS = selection.FEW_ROWS  # plans a party is asked about, or waited on for, read as a set of ids up to this
# parties that take part in no passage: no use as a filter
NOT_IN_PASSAGES = ("operator", "source")
# each filter's name as the form shows it: said back when its value is not understood
FILTER_LABELS = {
    "status": _("Status"), "route": _("Route"), "party": _("Party taking part"), "requester": _("Requested by"),
    "waiting_on": _("Waiting on"), "submitted_from": _("Submitted from"), "submitted_to": _("Submitted until"),
}


@dataclass
class Filters:
    """What the reader asked for, checked: unknown values are dropped (and said so), never an error page."""

    scope: str = "all"  # "mine": plans the reader's parties take part in; "all": every plan
    q: str = ""
    status: str = ""
    route: str = ""
    party: str = ""
    requester: str = ""
    waiting_on: str = ""
    submitted_from: date | None = None
    submitted_to: date | None = None
    ignored: list[str] = field(default_factory=list)  # the filters not understood (their labels)

    def query_string(self, **cursor: str) -> str:
        """The filters as a URL query (for the next and previous pages' links), plus `cursor`."""
        params = QueryDict(mutable=True)
        for name in ("scope", "q", "status", "route", "party", "requester", "waiting_on"):
            if getattr(self, name):
                params[name] = getattr(self, name)
        for name in ("submitted_from", "submitted_to"):
            if getattr(self, name):
                params[name] = getattr(self, name).isoformat()
        params.update(cursor)
        return params.urlencode()

    @property
    def narrowed(self) -> bool:
        return any((self.q, self.status, self.route, self.party, self.requester, self.waiting_on,
                    self.submitted_from, self.submitted_to))


def plans(request):
    mine = parties_for(request.user, "view_private")
    known_parties = {p.id: p for p in Party.objects.exclude(kind__in=NOT_IN_PASSAGES).order_by("name")}
    routes = {r.id: r.name for r in Route.objects.order_by("name").only("id", "name")}
    filters = read_filters(request.GET, mine, known_parties, routes)
    query = filtered(filters, mine)
    page, cursors = keyset_page(query, request.GET)
    return render(request, "web/plans.html", {
        "filters": filters, "rows": rows_of(page, mine, known_parties, routes), "links": page_links(filters, cursors),
        "count": count_of(query, filters, page, cursors),
        "count_limit": COUNT_LIMIT, "mine": mine, "options": options(filters, known_parties, routes),
    })


def options(filters: Filters, parties: dict, routes: dict) -> dict[str, list[tuple[str, str, bool]]]:
    """Each select's (value, name, selected), built here: the template only writes them out (the project
    never marks text safe in Python, so the options stay a template loop, with autoescape)."""
    everyone = [(p.id, p.name) for p in parties.values()]
    choices = {"status": [(code, str(name)) for code, name in STATUS.items()], "route": list(routes.items()),
               "party": everyone, "requester": [(p.id, p.name) for p in parties.values() if p.kind == "humanitarian"],
               "waiting_on": everyone}
    return {name: [(value, text, value == getattr(filters, name)) for value, text in values]
            for name, values in choices.items()}


def read_filters(get: QueryDict, mine: list[str], parties: dict, routes: dict) -> Filters:
    filters = Filters(scope="mine" if mine and get.get("scope", "mine") == "mine" else "all")
    filters.q = get.get("q", "").strip()[:SEARCH_MAX]
    for name, allowed in (("status", STATUS), ("route", routes), ("party", parties), ("requester", parties),
                          ("waiting_on", parties)):
        value = get.get(name, "").strip()
        if value in allowed:
            setattr(filters, name, value)
        elif value:
            filters.ignored.append(FILTER_LABELS[name])
    for name in ("submitted_from", "submitted_to"):
        value = get.get(name, "").strip()
        try:
            setattr(filters, name, date.fromisoformat(value) if value else None)
        except ValueError:
            filters.ignored.append(FILTER_LABELS[name])
    return filters


def filtered(filters: Filters, mine: list[str]):
    """The plans matching `filters`, as a query not yet ordered or sliced."""
    q = Q()
    if filters.scope == "mine":
        q &= taking_part(mine)
    if filters.q:
        q &= id_prefix(filters.q)
    if filters.status:
        q &= Q(status=filters.status)
    if filters.requester:
        q &= Q(requester_id=filters.requester)
    if filters.route:  # a route few plans took: their ids, not every plan read to find them
        q &= few_or_each(Leg.objects.filter(route_id=filters.route))
    if filters.party:
        q &= taking_part([filters.party])
    if filters.waiting_on:
        q &= waiting_on(filters.waiting_on)
    if filters.submitted_from:
        q &= Q(submitted_at__gte=_midnight(filters.submitted_from))
    if filters.submitted_to:
        q &= Q(submitted_at__lt=_midnight(filters.submitted_to + timedelta(days=1)))
    return Plan.objects.filter(q)


def taking_part(parties: list[str]) -> Q:
    """Plans that one of `parties` requested or whose consent it is asked for."""
    return Q(requester_id__in=parties) | few_or_each(Position.objects.filter(party_id__in=parties))


def waiting_on(party: str) -> Q:
    """Plans waiting on `party` now: the open ones among its plans, a set that does not grow with history."""
    return few_or_each(Clock.objects.filter(party_id=party, waiting_since__isnull=False))


def few_or_each(rows) -> Q:
    """Plans that have one of `rows`: a set of ids when they are few (up to FEW_ROWS), else plan by plan
    (`selection.few_or_each`)."""
    return selection.few_or_each(rows, FEW_ROWS)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


# -- one page, by keyset --------------------------------------------------------------------------------

@dataclass
class Cursors:
    next: str | None = None
    previous: str | None = None
    first: bool = True


def keyset_page(query, get: QueryDict) -> tuple[list[Plan], Cursors]:
    """Newest first (submitted_at descending, then id): the page after the cursor `after`, or the one before
    `before`, each a plan's (submitted_at, id). Reads PAGE_SIZE + 1 plans off the index, never more."""
    query = query.select_related("requester").only(*ROW_FIELDS)
    after, before = _cursor(get.get("after", "")), _cursor(get.get("before", ""))
    if before is not None:
        moment, plan_id = before
        older_first = query.filter(submitted_at__gte=moment).filter(Q(submitted_at__gt=moment) | Q(id__lt=plan_id))
        page = list(older_first.order_by("submitted_at", "-id")[:PAGE_SIZE + 1])
        more_before = len(page) > PAGE_SIZE
        page = page[:PAGE_SIZE][::-1]
        return page, Cursors(next=_cursor_of(page[-1]) if page else None,
                             previous=_cursor_of(page[0]) if more_before else None, first=not more_before)
    if after is not None:
        moment, plan_id = after
        query = query.filter(submitted_at__lte=moment).filter(Q(submitted_at__lt=moment) | Q(id__gt=plan_id))
    page = list(query.order_by("-submitted_at", "id")[:PAGE_SIZE + 1])
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    return page, Cursors(next=_cursor_of(page[-1]) if more else None,
                         previous=_cursor_of(page[0]) if after is not None and page else None, first=after is None)


def page_links(filters: Filters, cursors: Cursors) -> dict[str, str | None]:
    """The newest, newer and older pages' URLs, with the same filters."""
    path = reverse("plans") + "?"
    return {"newest": None if cursors.first else path + filters.query_string(),
            "newer": cursors.previous and path + filters.query_string(before=cursors.previous),
            "older": cursors.next and path + filters.query_string(after=cursors.next)}


def _cursor_of(plan: Plan) -> str:
    return f"{plan.submitted_at.isoformat()}~{plan.id}"


def _cursor(text: str) -> tuple[datetime, str] | None:
    """A cursor from the URL; a malformed one is no cursor (the first page), not an error."""
    moment, _, plan_id = text.partition("~")
    try:
        parsed = datetime.fromisoformat(moment)
        # in UTC, as the cursors given are: an offset PostgreSQL does not take (beyond ±15:59, or in fractions
        # of a second) is gone, and a time outside years 1 to 9999 once in UTC is an OverflowError (were 500s)
        parsed = parsed.astimezone(UTC) if parsed.tzinfo is not None else parsed
    except (ValueError, OverflowError):
        return None
    if not plan_id or "\x00" in plan_id or parsed.tzinfo is None:
        return None
    return parsed, plan_id


def id_prefix(text: str) -> Q:
    """Plans whose id begins with `text`. SQLite's LIKE ignores case, so it cannot use the primary key's
    index: there the prefix is also a range of ids, which can (PostgreSQL reads LIKE 'x%' off the key's
    varchar_pattern_ops index; a range there would follow the database's collation, so it gets none)."""
    if "\x00" in text:  # no id holds one, and PostgreSQL's text cannot be compared with one
        return Q(pk__in=[])
    prefix = Q(id__startswith=text)
    if connection.vendor == "sqlite":
        prefix &= Q(id__gte=text, id__lt=text + "\U0010ffff")
    return prefix


def count_of(query, filters: Filters, page: list[Plan], cursors: Cursors) -> int | None:
    """How many plans match, when that costs little: exactly when they fit on one page, and for "waiting on"
    (the plans waiting on a party now: a set read off its index) up to COUNT_LIMIT + 1. Otherwise
    none: counting a rare match among 100,000 plans would read them all, and the pages say enough."""
    if cursors.first and cursors.next is None:
        return len(page)
    if filters.waiting_on:
        return query.order_by().values("pk")[:COUNT_LIMIT + 1].count()
    return None


# -- the page's rows --------------------------------------------------------------------------------------

def rows_of(page: list[Plan], mine: list[str], parties: dict, routes: dict) -> list[dict]:
    """Each plan's row: public fields for everyone; for the plan's own parties, the slot's window in clear
    and their stance. Three queries by the page's ids (legs, positions, open clocks), one for windows. Its
    text is made here rather than in the template (faster by half for a page of 50). A plan's link is the
    list's URL and its id: ids are URL-safe (the engine's ID_PATTERN)."""
    ids = [plan.id for plan in page]
    legs = defaultdict(list)
    for plan_id, route_id in Leg.objects.filter(plan_id__in=ids).order_by("plan_id", "leg_id") \
            .values_list("plan_id", "route_id"):
        legs[plan_id].append(route_id)
    positions = defaultdict(dict)
    for plan_id, party, stance in Position.objects.filter(plan_id__in=ids).values_list("plan_id", "party_id",
                                                                                       "stance"):
        positions[plan_id][party] = stance
    waiting = defaultdict(list)
    for plan_id, party, since in Clock.objects.filter(plan_id__in=ids, waiting_since__isnull=False) \
            .order_by("waiting_since").values_list("plan_id", "party_id", "waiting_since"):
        waiting[plan_id].append((party, since))
    private = {plan.id for plan in page if plan.requester_id in mine or set(positions[plan.id]) & set(mine)}
    windows = _private_windows([plan for plan in page if plan.id in private])
    now, plans_url = clock.now(), reverse("plans")
    return [_row(plan, legs[plan.id], positions[plan.id], waiting[plan.id], plan.id in private,
                 windows.get(plan.id), mine, parties, routes, now) | {"href": f"{plans_url}/{plan.id}"}
            for plan in page]


def _row(plan: Plan, route_ids, positions, waiting, private: bool, window, mine, parties, routes, now) -> dict:
    closed = plan.status in CLOSED_STATUSES
    if window is None and (closed or private) and plan.slot_start:  # revealed on the log (public then)
        window = (_seconds(plan.slot_start), _seconds(plan.slot_end))
    return {
        "id": plan.id, "requester": plan.requester.name,
        "status": plan.status, "status_label": str(STATUS.get(plan.status, plan.status)),
        "linkage": str(LINKAGE.get(plan.linkage, plan.linkage)) if len(route_ids) > 1 else "",
        "routes": [routes.get(route_id, route_id) for route_id in dict.fromkeys(route_ids)],
        "vehicles": plan.vehicles, "tonnes": _tonnes(plan.weight_kg),
        "submitted": _seconds(plan.submitted_at),  # seconds: the template's time filter writes them
        "waiting": [(_name(parties, party), _waited(now - _seconds(since))) for party, since in waiting],
        "private": private, "window": window,
        "zone": zones.route_zone(route_ids[0]) if route_ids else None,  # its times on its gate's clock
        "stances": [(_name(parties, party), positions[party], str(STANCE.get(positions[party], positions[party])))
                    for party in mine if party in positions] if private else [],
        "requested_by_me": private and plan.requester_id in mine,
    }


def _waited(seconds: int) -> str:
    return _("for %(waited)s") % {"waited": duration(max(0, seconds))}  # in the reader's units


def _tonnes(kilograms: int) -> str:
    """20000 -> "20", 2500 -> "2.5" ("2,5" in Arabic or French): exact, from whole kilograms (no float rounding
    shown), in the reader's separators like every other figure."""
    return number_format(Decimal(kilograms) / 1000, force_grouping=True)


def _private_windows(plans: list[Plan]) -> dict[str, tuple[int, int]]:
    """The current slot's window in clear for the plan's own parties, revealed on the log or not."""
    commitments = {plan.id: plan.slot_commitment for plan in plans if plan.slot_commitment}
    if not commitments:
        return {}
    found = SlotWindow.objects.filter(plan_id__in=list(commitments), commitment__in=list(commitments.values()))
    return {w.plan_id: (parse_time(w.start), parse_time(w.end)) for w in found
            if commitments.get(w.plan_id) == w.commitment}


def _seconds(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


def _name(parties: dict, party_id: str) -> str:
    party = parties.get(party_id)
    return party.name if party is not None else party_id
