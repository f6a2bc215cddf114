"""Fixtures for the service: a clean in-process fold per test, parties with API clients, a frozen clock,
and the log written to a fresh tiles directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from corridor.service import clock
from corridor.service.config import Config
from corridor.service.demo import seed
from corridor.service.exports import published
from corridor.service.guard import guarded
from corridor.service.ledger import snapshots
from corridor.service.ledger.record import reset_for_tests

SCENARIO = Path(__file__).parents[2] / "scenarios" / "two-roads.yaml"


@pytest.fixture(autouse=True)
def fresh_fold(tmp_path, monkeypatch):
    """A fold and published figures of this test's own log (figures in a directory of its own)."""
    monkeypatch.setattr(Config, "figures_dir", property(lambda self: tmp_path / "figures"))
    monkeypatch.setattr(snapshots, "directory", lambda: tmp_path / "snapshots")  # fold snapshots too
    reset_for_tests()
    published.reset_for_tests()
    yield
    reset_for_tests()
    translation.activate("en")  # a page asked for in Arabic leaves Arabic active in this thread: not for the next test


@pytest.fixture
def tiles(tmp_path, monkeypatch) -> Path:
    """Where this test's log tiles go."""
    monkeypatch.setattr(Config, "tiles_dir", property(lambda self: tmp_path / "tiles"))
    return tmp_path / "tiles"


class PartyClient:
    """One party's API client (its own token), posting JSON and returning (status, body)."""

    def __init__(self, party: str, token: str) -> None:
        self.party, self.client = party, Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def post(self, path: str, body: object = None, raw: bytes | None = None):
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        response = self.client.post("/api/v1" + path, data=data, content_type="application/json")
        return response.status_code, response.json()

    def get(self, path: str, **params):
        response = self.client.get("/api/v1" + path, params)
        return response.status_code, response.json()


@pytest.fixture
def parties(db) -> dict[str, PartyClient]:
    """The two-roads parties, registered on the log, each with an officer's API client."""
    with clock.frozen_at(1694390400), guarded():  # 2023-09-11T00:00:00Z, before the example starts
        accounts = seed(SCENARIO)
    return {party: PartyClient(party, token) for _, party, _, token in accounts}


@pytest.fixture
def public() -> Client:
    return Client()
