"""The offline checkpoint app: an installable page (web app manifest + service worker) for the officers of a
party that inspects at checkpoints. While online it fetches `data.json` — the permit keys, the revocation
list, the user's checkpoints and the legs expected there today and tomorrow with their permits — and keeps
it; offline it verifies permits in the browser with what it kept (static/checkpoint-app/permit.js).

Who sees what: only users with a party that inspects at a checkpoint open the app (others get the styled
403 page); plates, windows and goods only of the passages their parties take part in, as on the checkpoint
screen. data.json is read in a bounded number of queries whatever the size of the log, and reads from the
fold only the plans it answers with."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from ...engine.rules.movement import seals_on
from ...engine.state import CLOSED_STATUSES, PlanState, State
from ...engine.times import format_time
from ...ledger.crypto import public_bytes
from ...permits import cose, document
from ...permits.trust import key_id
from .. import clock
from ..config import CONFIG
from ..ledger.record import current_fold
from ..ledger.trust import OPERATOR
from ..parties.authz import parties_for
from ..parties.models import Party, Passkey
from ..parties.passkeys import status_of
from ..passages.models import Plan, Position
from ..passages.projection import at
from ..passages.selection import each
from ..permits.keys import permit_key
from ..permits.models import IssuedPermit, PermitCheckpoint
from ..permits.revocation import listed

DAY = 86400
TEMPLATES = Path(__file__).parent / "templates" / "checkpoint_app"
# what the service worker keeps for offline use, besides the page and data.json (static paths)
SHELL_STATIC = (
    "web/corridor.css", "web/corridor.js", "web/favicon.svg", "vendor/htmx.min.js",  # the pages' own (base.html)
    "checkpoint-app/app.css", "checkpoint-app/app.js", "checkpoint-app/permit.js", "checkpoint-app/store.js",
    "checkpoint-app/icon-192.png", "checkpoint-app/icon-512.png",
    "vendor/jsQR.js", "vendor/cbor-web.js", "vendor/pako/pako_inflate.min.js",
    "vendor/base45/index.js",
    # recording offline (checkpoint_app/record.html): the form, the queue, canonical JSON, IndexedDB
    "checkpoint-app/record.js", "checkpoint-app/queue.js", "checkpoint-app/record.css", "web/checkpoint.css",
    "vendor/canonicalize.js", "vendor/idb.js",
)


def inspecting_parties(user, state: State) -> list[str]:
    """The user's parties (whose private data they read) that inspect at some checkpoint."""
    inspectors = {p for route in state.routes.values() for c in route.checkpoints for p in c.inspected_by}
    return sorted(set(parties_for(user, "view_private")) & inspectors)


def _require_inspector(request) -> tuple[State, list[str]]:
    state = current_fold().state
    parties = inspecting_parties(request.user, state)
    if not parties:
        raise PermissionDenied("no party of this account inspects at a checkpoint")
    return state, parties


@login_required
def app(request):
    try:
        _require_inspector(request)
    except PermissionDenied:
        return render(request, "checkpoint_app/forbidden.html", {"path": request.path}, status=403)
    return render(request, "checkpoint_app/app.html", {
        "strings": _strings(), "data_url": reverse("checkpoint-app-data"),
        "sw_url": reverse("checkpoint-app-sw"), "scope": reverse("checkpoint-app"),
    })


def service_worker(request):
    """The service worker, from the app's own path so its scope is the app (no Service-Worker-Allowed).
    Public (it holds no data): its list of files to keep is the shell's, versioned by their content."""
    shell = [reverse("checkpoint-app"), reverse("checkpoint-app-manifest")] + [static(p) for p in SHELL_STATIC]
    config = (f"const SHELL = {json.dumps(shell)};\nconst DATA_URL = {json.dumps(reverse('checkpoint-app-data'))};\n"
              f"const VERSION = {json.dumps(_shell_version())};\n")
    response = HttpResponse(config + _read_static("checkpoint-app/sw.js").decode("utf-8"),
                            content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"  # the browser asks again on each start, and updates the worker
    return response


def manifest(request):
    body = {
        "name": _("Corridor checkpoint"), "short_name": _("Checkpoint"),
        "description": _("Verify passage permits at a checkpoint, also without a network."),
        "start_url": reverse("checkpoint-app"), "scope": reverse("checkpoint-app"), "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#1d3557",
        "icons": [{"src": static(f"checkpoint-app/icon-{size}.png"), "sizes": f"{size}x{size}",
                   "type": "image/png", "purpose": "any"} for size in (192, 512)],
    }
    response = HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response


@never_cache
@login_required
def data(request):
    """What the device keeps for offline verification (docs/permits.md, "The offline checkpoint app")."""
    state, parties = _require_inspector(request)
    mine = set(parties)
    checkpoints = {c.id: c for route in state.routes.values() for c in route.checkpoints if mine & set(c.inspected_by)}
    signers = set(parties_for(request.user, "sign"))
    names = dict(Party.objects.filter(pk__in=parties).values_list("id", "name"))
    raw = public_bytes(permit_key())
    revoked = list(listed(clock.now()).values_list("digest", flat=True))  # as revoked.txt: those still valid
    return JsonResponse({
        "generated": format_time(clock.now()), "user": request.user.username, "rpId": CONFIG.webauthn_rp_id,
        "trust": [{"kid": _b64(key_id(raw)), "public": _b64(raw), "party": OPERATOR}],
        "revoked": revoked,
        "parties": [{"id": p, "name": names.get(p, p), "sign": p in signers} for p in parties],
        "passkeys": _passkeys(request.user, signers),
        "checkpoints": [{"id": c.id, "name": c.name, "tz": c.tz} for c in checkpoints.values()],
        "legs": _legs(state, mine, set(checkpoints)),
    }, json_dumps_params={"ensure_ascii": False})


def _legs(state: State, parties: set[str], checkpoints: set[str]) -> list[dict]:
    """The legs through the user's checkpoints whose permit window (give or take the tolerance) overlaps today
    or tomorrow (UTC, by the service's clock), of the passages the user's parties take part in; read from
    the permits the service issued (plate, window and goods as signed). Read by index, whatever the size of
    the log: the permits due at these checkpoints in those two days, then which of their plans are open and
    the user's; only those plans are read from the fold (a snapshot's plans are decoded as they are read)."""
    rows = _due_permits(checkpoints, clock.now() // DAY * DAY)
    open_plans = _open_plans_of(parties, {row.plan_id for row in rows})
    legs: dict[tuple[str, str], dict] = {}
    for row in rows:
        # .get: the tables may hold a plan the fold this request holds has not caught up with yet
        plan = state.plans.get(row.plan_id) if row.plan_id in open_plans else None
        if plan is None or not _live_and_theirs(plan, row.permit_id, parties):
            continue
        permit = document.decode(cose.decode_sign1(bytes(row.signed)).payload)
        route = state.routes.get(permit.route)
        leg = legs.setdefault((permit.plan, permit.leg), {
            "plan": permit.plan, "leg": permit.leg, "route": permit.route,
            "route_name": route.name if route else permit.route, "version": permit.version,
            "checkpoints": list(permit.checkpoints), "start": permit.start, "end": permit.end,
            "tolerance": permit.tolerance, "status": plan.legs[permit.leg].phase if permit.leg in plan.legs
            else plan.status, "vehicles": []} | _recording(plan, permit.leg))
        leg["vehicles"].append({
            "vehicle": permit.vehicle, "plate": permit.plate, "type": permit.vehicle_type, "permit": permit.id,
            "digest": row.digest, "lines": [{"line": str(n), "item": line.item, "quantity": str(line.quantity),
                                             "unit": line.unit} for n, line in enumerate(permit.lines, 1)]})
    return sorted(legs.values(), key=lambda leg: (leg["start"], leg["plan"], leg["leg"]))


def _due_permits(checkpoints: set[str], today: int) -> list[IssuedPermit]:
    """The unrevoked permits that name one of `checkpoints` and may be shown (window ± tolerance) at some
    moment of today or tomorrow, by plan, leg and vehicle. Found off PermitCheckpoint's (checkpoint,
    valid_until) index, then read by key: two reads with no other way for a planner to go (joined, PostgreSQL
    may start from every unrevoked permit instead), so what is read grows with the permits not yet over at
    these checkpoints, never with every permit issued."""
    due = set(PermitCheckpoint.objects.filter(checkpoint__in=checkpoints, valid_until__gte=at(today),
                                              valid_from__lt=at(today + 2 * DAY)).values_list("permit_id", flat=True))
    if not due:
        return []
    return list(IssuedPermit.objects.filter(pk__in=due, revoked_index__isnull=True)
                .order_by("plan_id", "leg_id", "vehicle_id").only("plan_id", "permit_id", "digest", "signed"))


def _open_plans_of(parties: set[str], plan_ids: set[str]) -> set[str]:
    """Of `plan_ids`, the plans not closed that one of `parties` requested or is required on (by its
    position), each checked by its own key."""
    if not plan_ids:
        return set()
    mine = Q(requester_id__in=parties) | each(Position.objects.filter(party_id__in=parties))
    return set(Plan.objects.filter(mine, pk__in=plan_ids).exclude(status__in=CLOSED_STATUSES)
               .values_list("pk", flat=True))


def _live_and_theirs(plan: PlanState, permit_id: str, parties: set[str]) -> bool:
    """As the fold has it (the tables chose the plan, and a replica may trail the fold): the permit live, the
    plan open and one the parties take part in."""
    record = plan.permits.get(permit_id)
    return (record is not None and record.revoked_at is None and not plan.closed
            and bool(parties & ({plan.requester} | set(plan.required))))


def _recording(plan: PlanState, leg_id: str) -> dict:
    """What the app's recording form asks about (static/checkpoint-app/record.js): the lines the leg carries
    now, by the plan's own line ids (an inspection's findings name them), each with the quantity it should
    carry after any earlier inspection, and the seals on it now (declared, and applied on the way)."""
    leg = plan.content.leg(leg_id)
    if leg is None or leg_id not in plan.legs:
        return {"lines": [], "seals": []}
    live = plan.legs[leg_id]
    sole = leg.vehicles[0].id if len(leg.vehicles) == 1 else None
    lines = [{"line": line.id, "item": line.item, "quantity": live.carried.get(line.id, line.quantity),
              "unit": line.unit, "vehicle": line.vehicle or sole} for line in leg.lines]
    return {"lines": [line for line in lines if line["quantity"]], "seals": seals_on(leg, live)}


def _passkeys(user, signers: set[str]) -> list[dict]:
    """The user's passkeys bound on the log for a party they sign for: what the device signs offline with."""
    registered = [p for p in Passkey.objects.filter(user=user, party_id__in=signers).order_by("key_id")]
    if not registered:
        return []
    fold = current_fold()
    return [{"party": p.party_id, "credential": _b64url(bytes(p.credential_id)), "key": p.key_id}
            for p in registered if status_of(p, fold).state == "bound"]


def _read_static(path: str) -> bytes:
    found = finders.find(path)
    if not found:
        raise FileNotFoundError(path)
    return Path(found).read_bytes()


def _shell_version() -> str:
    """Changes when a file of the shell changes (the worker's own too), so the worker replaces what it kept."""
    digest = hashlib.sha256(_read_static("checkpoint-app/sw.js"))
    for path in SHELL_STATIC:
        digest.update(_read_static(path))
    for template in ("app.html", "record.html"):
        digest.update((TEMPLATES / template).read_bytes())
    return digest.hexdigest()[:16]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _strings() -> dict[str, str]:
    """The words the page's script shows, in the user's language (a JSON data block, never inline script)."""
    return {
        "valid": _("VALID"), "rejected": _("REJECTED"),
        "permit.unreadable": _("Not a Corridor permit: the code, its compression or its contents cannot be read."),
        "permit.key_unknown": _("Signed with a key this device does not trust: treat it as forged."),
        "permit.forged": _("Forged: the signature does not match the permit's contents."),
        "permit.revoked": _("Revoked on the log: its plan was amended, rescheduled, refused, withdrawn, cancelled, "
                            "aborted or expired."),
        "permit.not_yet_valid": _("Outside its window: the passage window has not opened."),
        "permit.expired": _("Outside its window: the passage window has closed."),
        "permit.wrong_checkpoint": _("Not for this checkpoint: its route does not pass here."),
        "plate": _("Plate"), "vehicle_type": _("Vehicle type"), "plan": _("Plan"), "leg": _("Leg"),
        "route": _("Route"), "window": _("Window"), "goods": _("Goods"), "permit": _("Permit"),
        "tolerance": _("give or take %(minutes)s min"),
        "refreshed": _("Data refreshed %(time)s (log time %(generated)s)."),
        "never": _("No data on this device yet: open the app once while online."),
        "offline": _("Offline: verifying with the data kept on this device."),
        "refresh_failed": _("Could not refresh: the data kept on this device is used."),
        "no_camera": _("The camera cannot be used here: choose an image or type the code."),
        "no_code": _("No QR code found in this image."),
        "scanning": _("Point the camera at the QR code."),
        "no_legs": _("No passage expected here today or tomorrow."),
        "choose_checkpoint": _("Choose your checkpoint first."),
        "no_crypto": _("This browser cannot verify Ed25519 signatures: use a current Chromium or Firefox."),
    }
