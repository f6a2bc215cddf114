"""Every operation of the API, swept with hostile input: each answer is `{"code", "message"}` JSON with a
4xx status — never an HTML page, never a traceback, never a 500. The operations come from the OpenAPI
document, so a new route is swept without anyone remembering to add it here."""

from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings

from corridor.service.api import reads

pytestmark = pytest.mark.django_db

HOSTILE_BODIES = [b"[" * 32000, b"{" * 32000, b'{"a":' * 5000, b"\xff\xfe\x00", b"[1, 2]", b"null", b"{not json"]
HOSTILE_CONTENT_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=",
                         "text/plain; charset=utf-16"]
HOSTILE_NUMBERS = ["99999999999999999999", "\u00b2", "-1", "0", "1e3", "1.5", "0x10", "\u0661", "NaN"]
HOSTILE_TEXT = ["\x00", "x" * 5000]
HOSTILE_IDS = ["%00", "x" * 3000, "%F0%9F%92%A9", "..%2F..%2Fetc"]


@pytest.fixture
def operations(public):
    spec = public.get("/api/v1/openapi.json").json()
    return [(path, method, operation) for path, methods in spec["paths"].items()
            for method, operation in methods.items()]


def assert_json_error(response, statuses: tuple[int, ...] = tuple(range(400, 500))) -> dict:
    where = f"{response.request['REQUEST_METHOD']} {response.request['PATH_INFO'][:80]}"
    assert response.status_code in statuses, f"{where}: {response.status_code} {response.content[:200]!r}"
    assert response["Content-Type"].startswith("application/json"), f"{where}: {response['Content-Type']}"
    body = json.loads(response.content)
    assert isinstance(body.get("code"), str) and body["code"], f"{where}: {body}"
    assert isinstance(body.get("message"), str) and body["message"], f"{where}: {body}"
    return body


def concrete(path: str, value: str = "p1") -> str:
    return path.replace("{plan}", value).replace("{incident}", value).replace("{party}", value) \
        .replace("{table}", value).replace("{fmt}", "csv")


def test_a_bad_token_is_refused_on_every_operation(operations):
    client = Client(HTTP_AUTHORIZATION="Bearer cor_not-a-token")
    for path, method, _ in operations:
        response = getattr(client, method)(concrete(path), content_type="application/json")
        assert assert_json_error(response, (401,))["code"] == "auth.invalid"


def test_hostile_bodies_are_refused_on_every_operation_that_takes_one(operations, parties):
    client = parties["org-a"].client
    for path, method, _ in operations:
        if method != "post":
            continue
        for body in HOSTILE_BODIES:
            assert_json_error(client.post(concrete(path), data=body, content_type="application/json"))
        for content_type in HOSTILE_CONTENT_TYPES:
            assert_json_error(client.post(concrete(path), data=b"a=1", content_type=content_type))


def test_bodies_over_the_limit_answer_413_on_every_operation_that_reads_json(operations, parties):
    client = parties["org-a"].client
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000):
        for path, _, operation in operations:
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                body = json.dumps({"text": "x" * 2000})
                response = client.post(concrete(path), data=body, content_type="application/json")
                assert assert_json_error(response, (413,))["code"] in ("upload.too_large", "entry.too_large")


def test_a_statement_over_the_entry_limit_answers_413_before_it_is_read(public):
    response = public.post("/api/v1/statements", data=b"[" * 70000, content_type="application/json")
    assert assert_json_error(response, (413,))["code"] == "entry.too_large"


def test_absurd_query_values_are_refused_on_every_operation_that_documents_them(operations, public):
    swept = 0
    for path, method, operation in operations:
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            kind = parameter["schema"].get("type") or parameter["schema"].get("anyOf", [{}])[0].get("type")
            hostile = HOSTILE_NUMBERS if kind == "integer" else HOSTILE_TEXT if kind == "string" else ["maybe"]
            for value in hostile:
                response = getattr(public, method)(concrete(path), {parameter["name"]: value})
                assert assert_json_error(response, (400,))["code"] == "query.invalid"
                swept += 1
    assert swept > 50


def test_a_huge_page_size_is_refused_not_served(public):
    response = public.get("/api/v1/plans", {"page_size": str(10**30)})
    assert assert_json_error(response, (400,))["code"] == "query.invalid"


def test_hostile_ids_in_paths_answer_json(operations, parties):
    client = parties["org-a"].client
    for path, method, _ in operations:
        if "{" not in path:
            continue
        for value in HOSTILE_IDS:
            assert_json_error(getattr(client, method)(concrete(path, value), content_type="application/json"))


def test_unknown_paths_and_methods_answer_json(operations, public):
    for path in ("/api/v1/nothing", "/api/v1/plans/p1/nothing", "/api/v1/", "/api/v1/plans/"):
        assert assert_json_error(public.get(path), (404,))["code"] == "path.unknown"
    for path, method, _ in operations:
        for other in ("put", "patch", "delete", "post" if method == "get" else "get"):
            response = getattr(public, other)(concrete(path))
            if response.status_code != 405:  # another operation on the same path takes that method
                continue
            assert assert_json_error(response, (405,))["code"] == "method.not_allowed"
            assert response["Allow"]


def test_an_unexpected_failure_is_a_json_500_and_is_logged(public, monkeypatch, caplog):
    def broken(*args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(reads.published, "read", broken)
    response = public.get("/api/v1/stats")
    assert assert_json_error(response, (500,)) == {"code": "server.error",
                                                   "message": "the service failed to answer; the failure was logged"}
    assert "a bug" in caplog.text


def test_text_with_a_nul_character_is_refused_before_any_database_sees_it(parties):
    from corridor.service import clock

    from ..plans import plan_body

    body = plan_body()
    body["legs"][0]["lines"][0]["item"] = "flour\u0000"
    with clock.frozen_at(1694420000):
        status, answer = parties["org-a"].post("/plans", body)
        assert (status, answer["code"]) == (422, "value.nul")
        status, answer = parties["org-a"].post("/incidents/%00/dispute", {"text": "no"})
        assert (status, answer["code"]) == (422, "value.nul")


@pytest.mark.parametrize("legs", [[{"id": {}, "route": "road-a"}], 5, "legs", [["leg-a"]], [{"id": None}]])
def test_a_plan_whose_legs_are_malformed_is_refused_whatever_the_crew(parties, legs):
    from corridor.service import clock

    with clock.frozen_at(1694420000):
        status, answer = parties["org-a"].post("/plans", {"plan": "p9", "legs": legs, "crew": {}})
        assert 400 <= status < 500 and answer["code"], answer
        status, answer = parties["org-a"].post("/plans", {"plan": "p9", "legs": legs, "crew": {"leg-a": []}})
        assert 400 <= status < 500 and answer["code"], answer


def test_a_chunked_body_is_refused_plainly_not_read_as_empty():
    """Under WSGI a chunked body reaches Django with no length and reads as b"" (a consent then failed as
    "the request body must be a JSON object")."""
    from django.test import RequestFactory

    from corridor.service.api.errors import ApiErrorsMiddleware

    request = RequestFactory().post("/api/v1/plans/p1/consent", data=b'{"version": "x"}',
                                    content_type="application/json", HTTP_TRANSFER_ENCODING="chunked")
    del request.META["CONTENT_LENGTH"]
    response = ApiErrorsMiddleware(lambda _: pytest.fail("the request went on"))(request)
    assert response.status_code == 411 and json.loads(response.content)["code"] == "length.required"


@pytest.mark.parametrize("plan", [{}, [], 7, None, "p1\u0000", "nowhere"])
def test_a_plan_named_in_a_body_as_any_json_value_is_refused_or_recorded_never_a_500(parties, plan):
    """A statement's plan from its body reaches the writer's reads only as an id the fold knows (the reads sent
    with the writer lock once failed on `{}`: schemathesis found it)."""
    from corridor.service import clock

    from ..plans import plan_body

    with clock.frozen_at(1694420000):
        assert parties["org-a"].post("/plans", plan_body())[0] == 201
        status, answer = parties["border"].post("/incidents", {"category": "delay", "text": "held", "plan": plan})
    assert status in (201, 404, 422), (status, answer)
