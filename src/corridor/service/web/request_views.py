"""Request passage (/plans/new): fill in, add legs, review the readiness checklist, submit (signs plan.submit).
Only a humanitarian organisation's officers request passage; to anyone else the page does not exist."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from ...engine.model import DEFAULT_TOLERANCE_SECONDS
from .. import clock
from ..ledger.record import Refused, custodial, record_built
from ..parties.authz import ROLE_ACTIONS, parties_for
from ..parties.models import Membership, Party, Route
from ..passages.models import Plan
from . import language_switch, refusals, signing
from .labels import joined
from .manifest_words import COLUMNS
from .request_form import MAX_LEGS, MAX_TOLERANCE_MINUTES, TYPED_COLUMNS, Draft, expiry_zone, leg_numbers, read_draft

SIGNING_ROLES = [role for role, actions in ROLE_ACTIONS.items() if "sign" in actions]
LEG_FIELDS = ("route", "direction", "lines", "vehicles", "seals", "crew")
PROPOSALS_AT_ONCE = 20  # plan ids tried per query when proposing one


def may_request_passage(user) -> bool:
    """Whether `user` signs for a humanitarian organisation (only they request passage): one query, kept on
    the user object for the rest of the request (the navigation asks on every page)."""
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_may_request_passage"):
        user._may_request_passage = Membership.objects.filter(
            user=user, role__in=SIGNING_ROLES, party__kind="humanitarian").exists()
    return user._may_request_passage


def requesting_parties(user) -> list[Party]:
    return list(Party.objects.filter(pk__in=parties_for(user, "sign"), kind="humanitarian").order_by("name"))


@login_required
def new_request(request):
    parties = requesting_parties(request.user)
    if not parties:
        raise Http404("only humanitarian organisations request passage")
    ids = [p.id for p in parties]
    party = request.POST.get("as") if request.POST.get("as") in ids else ids[0]
    now, draft, language = clock.now(), None, None
    if request.method != "POST":
        values = {"plan": proposed_plan_id(party, now), "linkage": "independent", "legs": "1",
                  "tolerance_minutes": str(DEFAULT_TOLERANCE_SECONDS // 60)}
    else:
        action, language = request.POST.get("action", "review"), language_switch.switched(request)
        values, draft = request.POST.dict(), read_draft(request.POST, request.FILES, now)
        values.update(_lines_as_text(draft))  # an uploaded manifest survives the next step as typed lines
        values["legs"] = str(max(leg_numbers(request.POST), default=0) or 1)
        if action == "add_leg":
            values["legs"], draft = str(min(int(values["legs"]) + 1, MAX_LEGS)), None
        elif action.startswith("remove_leg:"):
            values, draft = _without_leg(values, action.partition(":")[2]), None
        elif language:
            draft = None  # the form as it was typed, in the new language; reviewed when asked
        elif action == "submit" and draft.ready:
            answer = _submit(request, party, draft)
            if answer is not None:
                return answer
    return language_switch.remember(render(request, "web/new_request.html", {
        "parties": parties, "party": party, "values": values, "draft": draft, "legs": _legs(values, draft),
        "routes": _routes(), "max_legs": MAX_LEGS, "max_tolerance": MAX_TOLERANCE_MINUTES,
        "expiry_zone": expiry_zone(values),  # the clock the expiry is typed on
        "typed_columns": joined(str(COLUMNS[name]) for name in TYPED_COLUMNS),  # as the reader names them
        "language_action": language_switch.ACTION,
    }), language)


def _submit(request, party: str, draft: Draft):
    """Sign and record plan.submit (or hand it to the officer's passkey); None: refused, the form again."""
    if signing.wants_prepare(request):
        ask = signing.Ask(party, "plan.submit", draft.content(), draft.plan_id, crew=draft.crew or None)
        return signing.custodial_answer(request, party) or signing.prepare(
            request, ask, reverse("plan", args=[draft.plan_id]))
    try:
        signing.refuse_server_signing(request, party)
        record_built([custodial(party, "plan.submit", draft.content(), plan=draft.plan_id,
                                crew=draft.crew or None)])
    except Refused as error:
        refusals.show(request, error)
        return None
    return HttpResponseRedirect(reverse("plan", args=[draft.plan_id]))


def proposed_plan_id(party: str, now: int) -> str:
    """`org-a-20230911-1`: the party, the day (UTC) and the first number no plan has; read by primary key a
    few candidates at a time (a party submits a handful a day)."""
    prefix = f"{party}-{datetime.fromtimestamp(now, UTC):%Y%m%d}-"
    start = 1
    while True:
        candidates = [f"{prefix}{n}" for n in range(start, start + PROPOSALS_AT_ONCE)]
        taken = set(Plan.objects.filter(pk__in=candidates).values_list("id", flat=True))
        free = [c for c in candidates if c not in taken]
        if free:
            return free[0]
        start += PROPOSALS_AT_ONCE


def _legs(values: dict, draft: Draft | None) -> list[dict]:
    """Each leg's fields as the form shows them again, with its manifest's row errors."""
    count = max(1, min(int(values.get("legs", "1") or 1), MAX_LEGS))
    errors = draft.row_errors if draft is not None else {}
    return [{"n": n, **{name: values.get(f"leg{n}_{name}", "") for name in LEG_FIELDS},
             "row_errors": errors.get(f"leg-{n}", [])} for n in range(1, count + 1)]


def _without_leg(values: dict, which: str) -> dict:
    """The form's values with leg `which` taken out and the legs after it moved up one."""
    count = int(values.get("legs", "1"))
    if not which.isdigit() or not 1 <= int(which) <= count or count == 1:
        return values
    gone, kept = int(which), {k: v for k, v in values.items() if not k.startswith("leg") or k == "legs"}
    for n in range(1, count + 1):
        if n != gone:
            for name in LEG_FIELDS:
                kept[f"leg{n if n < gone else n - 1}_{name}"] = values.get(f"leg{n}_{name}", "")
    kept["legs"] = str(count - 1)
    return kept


def _lines_as_text(draft: Draft) -> dict[str, str]:
    """Each leg's lines read from an upload (or typed) as typed CSV lines, under the template's header in the
    reader's language (read back in any of the form's languages)."""
    header = ",".join(_cell(str(COLUMNS[column])) for column in TYPED_COLUMNS)
    texts = {}
    for leg in draft.legs:
        plates = {vehicle["id"]: vehicle["plate"] for vehicle in leg["vehicles"]}  # as the officer wrote them
        rows = [",".join(_cell(plates.get(line.get(column), line.get(column)) if column == "vehicle"
                               else line.get(column, "")) for column in TYPED_COLUMNS) for line in leg["lines"]]
        if rows:
            texts[f"leg{leg['id'].removeprefix('leg-')}_lines"] = "\n".join([header, *rows])
    return texts


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return f'"{text.replace(chr(34), chr(34) * 2)}"' if any(c in text for c in ',"\n') else text


def _routes() -> list[dict]:
    """The routes by name, each with its checkpoints in the order the route lists them (its forward way)."""
    return [{"id": r.id, "name": r.name,
             "checkpoints": [c.get("name", c.get("id", "")) for c in (r.definition or {}).get("checkpoints", [])]}
            for r in Route.objects.order_by("name")]
