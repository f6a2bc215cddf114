"""`make run`'s seed: the two-roads parties, routes and one user per party (officer role), from the
scenario file. Idempotent: run it again and it changes nothing on the log (passwords are reset)."""

from __future__ import annotations

from pathlib import Path

from ..scenario.loader import load_scenario
from .parties.models import Party, Route
from .parties.operations import do_create_user, do_define_route, do_issue_token, do_register_party

TWO_ROADS = Path(__file__).resolve().parents[3] / "scenarios" / "two-roads.yaml"


def seed(path: Path = TWO_ROADS) -> list[tuple[str, str, str, str]]:
    """Returns (username, party, password, token) per party."""
    scenario = load_scenario(path)
    for party in scenario.parties:
        if not Party.objects.filter(pk=party.id).exists():
            do_register_party(party.id, party.name, party.kind)
    for route in scenario.routes:
        if not Route.objects.filter(pk=route.id).exists():
            do_define_route(route)
    accounts = []
    for party in scenario.parties:
        role = "viewer" if party.kind == "observer" else "officer"
        user, password = do_create_user(party.id, party.id, role)
        accounts.append((user.username, party.id, password, do_issue_token(user, "demo")))
    return accounts
