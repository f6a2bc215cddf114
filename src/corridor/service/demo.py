"""`make run`'s seed: the two-roads parties, routes and one user per party, from the scenario file. Each user
is its party's admin (an observer's, a viewer), so one person can try everything a party does: register a
passkey, bind it to the party, end custodial signing. Idempotent: run it again and it changes nothing on the
log, and — given where to remember them (`corridor demo` keeps them in the data directory, 0600) — nothing
in the accounts either: each user's password and token are printed again. A user whose remembered
credentials no longer hold gets a new password and a new token, and its old demo tokens are revoked with the
old password.

`seed_history` then records the worked example's statements as its parties signed them (custodial keys, at
the scenario's times), and one request of today still awaiting consent, so that a first visit finds the
public page's figures, the waiting-on board, a completed plan and work waiting on a party's home page.
It records nothing on a log that already holds a plan (an install in use, or one seeded before)."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

from django.contrib.auth import get_user_model

from ..engine.times import format_time, parse_time
from ..scenario.loader import ScenarioStatement, load_scenario
from . import clock
from .ledger.record import current_fold, custodial, record_built, recording_transaction
from .parties.models import ApiToken, Membership, Party, Route
from .parties.operations import do_create_user, do_define_route, do_issue_token, do_register_party

TWO_ROADS = Path(__file__).resolve().parents[3] / "scenarios" / "two-roads.yaml"
LABEL = "demo"
Account = tuple[str, str, str, str]  # username, party, password, token


def seed(path: Path = TWO_ROADS, remembered: Path | None = None) -> list[Account]:
    """Returns (username, party, password, token) per party."""
    scenario = load_scenario(path)
    for party in scenario.parties:
        if not Party.objects.filter(pk=party.id).exists():
            do_register_party(party.id, party.name, party.kind)
    for route in scenario.routes:
        if not Route.objects.filter(pk=route.id).exists():
            do_define_route(route)
    known = _read(remembered)
    accounts = [_account(party.id, "viewer" if party.kind == "observer" else "admin", known.get(party.id))
                for party in scenario.parties]
    if remembered is not None:
        _write(remembered, {account[1]: {"password": account[2], "token": account[3]} for account in accounts})
    return accounts


def _account(party: str, role: str, known: dict | None) -> Account:
    user = get_user_model().objects.filter(username=party).first()
    if known and user and _still_valid(user, known):
        with recording_transaction():  # a demoted admin's passkeys are revoked on the log (passkeys.py)
            Membership.objects.update_or_create(user=user, party_id=party, defaults={"role": role})
        return party, party, known["password"], known["token"]
    user, password = do_create_user(party, party, role)
    ApiToken.objects.filter(user=user, label=LABEL).delete()  # a new password: the old demo tokens go with it
    return user.username, party, password, do_issue_token(user, LABEL)


def _still_valid(user, known: dict) -> bool:
    digest = ApiToken.digest_of(str(known.get("token", "")))
    return user.check_password(str(known.get("password", ""))) and user.api_tokens.filter(digest=digest).exists()


def _read(path: Path | None) -> dict:
    try:
        return json.loads(path.read_text()) if path is not None else {}
    except (FileNotFoundError, ValueError):
        return {}


def _write(path: Path, credentials: dict) -> None:
    """Owner-only, whatever the umask: these are passwords."""
    temp = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(credentials, handle, indent=2)
    os.replace(temp, path)


def registry_time(path: Path = TWO_ROADS) -> int:
    """When a new install registers the example's parties: midnight (UTC) of the example's first day, so that
    its history can follow them on the log in the order it happened."""
    first = parse_time(load_scenario(path).statements[0].at)
    return first - first % 86400


def seed_history(path: Path = TWO_ROADS, now: int | None = None) -> int:
    """Record the scenario's statements, then today's open request; returns how many were recorded (0 on a log
    in use: one that holds a plan, an incident or an attestation already). `now`: "today" for the open request."""
    statements = load_scenario(path).statements
    state = current_fold().state
    if state.plans or state.incidents or state.attestations or state.clock > parse_time(statements[0].at):
        return 0
    recorded = 0
    for item in statements + open_request(now if now is not None else clock.now()):
        if item.do == "plan.reveal" and not item.payload:
            continue  # the service reveals a completed plan's window and plates itself, as it closes
        with clock.frozen_at(parse_time(item.at)):
            record_built([_builder(item)])
        recorded += 1
    return recorded


def _builder(item: ScenarioStatement):
    """What the API would record for the statement: crew written inline in the legs goes in the private part,
    `version: current` is the plan's version at that moment, an incident's plan stays beside it."""
    payload = copy.deepcopy(item.payload)
    crew = None
    if item.do in ("plan.submit", "plan.amend"):
        crew = {leg["id"]: leg.pop("crew") for leg in payload.get("legs", []) if leg.get("crew")} or None
    if payload.get("version") == "current":
        payload["version"] = current_fold().state.plans[item.plan].version
    return custodial(item.by, item.do, payload, plan=item.plan, crew=crew)


def open_request(now: int) -> list[ScenarioStatement]:
    """A second truck of organisation B on road B, requested three days ago: the escort consented the next
    day; the border service and the receiving authority are still awaited (the waiting-on board's "now")."""
    def at(days_before: float) -> str:
        return format_time(int(now - days_before * 86400))

    leg = {"id": "leg-1", "route": "road-b", "vehicles": [{"id": "truck-1", "plate": "HB-78", "type": "15 t truck"}],
           "lines": [{"id": "flour", "item": "Wheat flour", "category": "food", "quantity": 12000, "unit": "kg",
                      "weight_kg": 12000},
                     {"id": "blankets", "item": "Blankets", "category": "shelter", "quantity": 800, "unit": "piece",
                      "weight_kg": 1600}],
           "crew": [{"name": "Driver B2", "document": "P-0000204"}], "seals": ["R-2"]}
    return [ScenarioStatement(at=at(3), by="org-b", do="plan.submit", plan="truck-b2", seq=None, line=0,
                              payload={"legs": [leg]}),
            ScenarioStatement(at=at(2), by="escort", do="plan.consent", plan="truck-b2", seq=None, line=0,
                              payload={"version": "current"})]
