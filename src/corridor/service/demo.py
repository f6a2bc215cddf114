"""`make run`'s seed: the two-roads parties, routes and one user per party, from the scenario file. Each user
is its party's admin (an observer's, a viewer), so one person can try everything a party does: register a
passkey, bind it to the party, end custodial signing. Idempotent: run it again and it changes nothing on the
log, and — given where to remember them (`corridor demo` keeps them in the data directory, 0600) — nothing
in the accounts either: each user's password and token are printed again. A user whose remembered
credentials no longer hold gets a new password and a new token, and its old demo tokens are revoked with the
old password."""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.contrib.auth import get_user_model

from ..scenario.loader import load_scenario
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
