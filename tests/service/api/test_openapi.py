"""The OpenAPI document is generated from typed schemas, and its docs page is served."""

from __future__ import annotations

import pytest

from corridor.service.api.actions import PLAN_ACTIONS

pytestmark = pytest.mark.django_db


def test_every_action_is_described_with_its_payload_schema(public):
    spec = public.get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    for verb, kind, _ in PLAN_ACTIONS:
        operation = paths[f"/api/v1/plans/{{plan}}/{verb}"]["post"]
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        assert "$defs" in schema or "allOf" in schema, kind
    consent = paths["/api/v1/plans/{plan}/consent"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert consent["$defs"]["Consent"]["required"] == ["version"]
    for path in ("/api/v1/plans", "/api/v1/statements", "/api/v1/incidents", "/api/v1/waiting", "/api/v1/stats",
                 "/api/v1/export/{table}.{fmt}", "/api/v1/manifest/parse"):
        assert path in paths


def test_docs_page(public):
    assert public.get("/api/v1/docs").status_code == 200


def test_lists_paginate_and_filter(parties, public):
    page = public.get("/api/v1/waiting", {"page": 1, "page_size": 2}).json()
    assert page["page_size"] == 2 and page["count"] == 0
    bad = public.get("/api/v1/plans", {"page": "zero"})
    assert (bad.status_code, bad.json()["code"]) == (400, "query.invalid")


def test_plan_list_filters(parties, public):
    from corridor.service import clock

    from ..api_driver import drive
    from ..conftest import SCENARIO

    drive(SCENARIO, parties)
    with clock.frozen_at(1695081600):
        ids = lambda **q: sorted(p["plan"] for p in public.get("/api/v1/plans", q).json()["results"])  # noqa: E731
        assert ids() == ["truck-b", "two-roads"]
        assert ids(requester="org-b") == ["truck-b"]
        assert ids(party="customs") == ["two-roads"]
        assert ids(route="road-a") == ["two-roads"]
        assert ids(linkage="simultaneous", status="completed") == ["two-roads"]
        assert public.get("/api/v1/plans", {"page": 2, "page_size": 1}).json()["results"][0]["plan"] == "two-roads"
        legs = public.get("/api/v1/legs", {"route": "road-b"}).json()
        assert legs["count"] == 2
