"""The OpenAPI document is generated from typed schemas, valid, every `$ref` in it resolves, every operation
documents its errors; and its docs page is served."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from corridor.service.api.actions import PLAN_ACTIONS
from corridor.service.api.openapi import ERROR_STATUSES

pytestmark = pytest.mark.django_db


@pytest.fixture
def spec(public) -> dict:
    return public.get("/api/v1/openapi.json").json()


def refs(node: object) -> set[str]:
    if isinstance(node, dict):
        own = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return own.union(*(refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(refs(value) for value in node))
    return set()


def resolve(spec: dict, ref: str) -> dict:
    assert ref.startswith("#/"), f"{ref} does not point into the document"
    node = spec
    for part in ref[2:].split("/"):
        assert part in node, f"{ref} does not resolve"
        node = node[part]
    return node


def operations(spec: dict):
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_the_document_is_valid_openapi_and_every_ref_resolves(spec):
    validate(spec)
    found = refs(spec)
    assert found, "the request bodies refer to named schemas"
    for ref in found:
        resolve(spec, ref)


def test_every_operation_documents_its_errors_with_the_error_schema(spec):
    for path, method, operation in operations(spec):
        expected = set(ERROR_STATUSES[method]) | ({404} if "{" in path else set())
        for status in expected:
            response = operation["responses"].get(str(status))
            assert response, f"{method.upper()} {path} does not document {status}"
            schema = response["content"]["application/json"]["schema"]
            assert resolve(spec, schema["$ref"])["required"] == ["code", "message"]
        assert any(code.startswith("2") for code in operation["responses"]), f"{method.upper()} {path}"


def test_every_action_is_described_with_its_payload_schema(spec):
    paths = spec["paths"]
    for verb, kind, _ in PLAN_ACTIONS:
        operation = paths[f"/api/v1/plans/{{plan}}/{verb}"]["post"]
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        assert refs(schema), kind
        assert operation["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/Recorded")
    consent = paths["/api/v1/plans/{plan}/consent"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert resolve(spec, consent["$ref"])["required"] == ["version"]
    for path in ("/api/v1/plans", "/api/v1/statements", "/api/v1/incidents", "/api/v1/waiting", "/api/v1/stats",
                 "/api/v1/export/{table}.{fmt}", "/api/v1/manifest/parse"):
        assert path in paths


def test_docs_page(public):
    assert public.get("/api/v1/docs").status_code == 200


def test_query_parameters_are_documented(spec):
    parameters = {p["name"]: p for p in spec["paths"]["/api/v1/plans"]["get"]["parameters"]}
    assert parameters["page_size"]["schema"]["maximum"] == 500
    assert {"page", "status", "requester", "party", "route", "linkage"} <= set(parameters)


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


def test_the_bodies_that_carry_more_than_the_payload_document_it(spec):
    from jsonschema import Draft202012Validator

    from ..plans import plan_body

    body = spec["paths"]["/api/v1/plans"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    # the body's schema as a document of its own, beside the components its references point into
    Draft202012Validator({**body, "components": spec["components"]}).validate(plan_body())


def test_the_document_has_no_key_twice(public):
    """A JSON object with a key twice parses in Python (the last wins) but Swagger UI refuses the whole
    document ("duplicated mapping key"), so /api/v1/docs showed nothing."""

    def refuse_twice(pairs):
        keys = [key for key, _ in pairs]
        assert len(keys) == len(set(keys)), sorted({k for k in keys if keys.count(k) > 1})
        return dict(pairs)

    import json

    json.loads(public.get("/api/v1/openapi.json").content, object_pairs_hook=refuse_twice)
