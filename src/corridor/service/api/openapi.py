"""The OpenAPI document: django-ninja's, completed with what it cannot know by itself.

- Request bodies are the engine's payload types (msgspec's JSON Schema). Their named parts are published
  once under `components/schemas`, so every `$ref` in the document resolves from its root.
- The plan detail's timeline rows are `Statement`s (with how each was signed); its other parts are free-form.
- Every operation documents the error answers it can give (`ERROR_STATUSES`), each with the `Error`
  schema of `errors.py`, and the optional bearer token.
"""

from __future__ import annotations

import functools

import msgspec
from ninja import Field, NinjaAPI, Schema

from ...engine.model import LABEL_MAX_LENGTH
from ...engine.statements import PAYLOADS
from .errors import Error

COMPONENTS = "#/components/schemas/"
TOKEN_SCHEME = {"type": "http", "scheme": "bearer", "description": "an API token (`corridor createuser`)"}
ERROR_MEANINGS = {
    400: "The request, a parameter or the body could not be read",
    401: "The token is missing, unknown or revoked",
    403: "The token's party or role may not do this",
    404: "No such path or object that you may see",
    409: "The log moved on: a replay, a stale version, a state that no longer allows this",
    413: "The body or file is over the limit",
    422: "The statement or file breaks a rule or is malformed",
}
# which refusals each kind of operation can give; a read with an id in its path may also answer 404
ERROR_STATUSES = {"get": (400, 401), "post": (400, 401, 403, 404, 409, 413, 422)}
# Where the log carries salted commitments, the API takes clear values and the server commits them
# (docs/rules.md, "What the public log shows and when"): a slot's window, vehicle plates, crew.
CLEAR_SCHEMAS = {"SlotInClear": {
    "type": "object", "required": ["slot", "start", "end"], "properties": {
        "slot": {"type": "string"}, "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"}}}}
CLEAR_BODIES = {"slot.propose": "SlotInClear"}
CLEAR_PLATE = {"type": "string", "maxLength": 100, "description": "in clear: the server signs a salted commitment"}
SIGNED_BY = ("how the entry was signed, from the log's key history: \"passkey\" (a member's passkey, on their "
             "own device), \"party\" (a key the party keeps itself), \"custodial\" (the server, with a key it "
             "keeps for the party) or \"registrar\" (the operator's registry)")
MEMBER = "for a passkey: the member's pseudonymous id on the log, e.g. \"border/m3\"; otherwise null"


class Statement(Schema):
    """A statement on the log: what, by which party, when, and how it was signed."""

    index: int = Field(description="its log index (entry number)")
    type: str
    party: str
    seq: int
    time: str
    plan: str | None
    signed_by: str = Field(description=SIGNED_BY)
    member: str | None = Field(description=MEMBER)
    proof: str = Field(description="where its inclusion proof is")
    offline: dict | None = Field(default=None, description=(
        "an offline.relay's only: the statement signed offline it carries — offline (its id), type, party, plan, "
        "signed (the device's time), received (the relay's), applied; when not applied also code (late.*), "
        "description, rule (the engine's code) and reason (docs/offline.md); in a party's signatures also signed_by "
        "(\"passkey\") and member (whose passkey signed it)"))


PLAN_DETAIL = {"responses": {"200": {"description": "The plan, its legs, lines, positions, waiting clocks and the "
                                                    "timeline of its statements", "content": {"application/json": {
    "schema": {"type": "object", "properties": {
        "timeline": {"type": "array", "items": {"$ref": COMPONENTS + "Statement"},
                     "description": "the plan's latest statements (at most 100), in log order"},
        "timeline_before": {"type": ["integer", "null"], "description": "null when the timeline holds all the "
                            "plan's statements; else GET /plans/{plan}/timeline?before= this, for the earlier"}}}}}}}}
CREW = {"type": "object", "description": "{leg id: [{\"name\", \"document\", \"vehicle\"}]} (vehicle: optional, "
                                         "the id of the leg's vehicle the member travels in); kept private, only "
                                         "salted commitments are signed (a seated member as {\"commitment\", "
                                         "\"vehicle\"})"}

_TEXT = {"type": "string", "minLength": 1}
OPENINGS_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "additionalProperties": False, "minProperties": 1,
    "description": "the clear values and salts behind the commitments the requester signed itself "
                   "(`corridor commit plate`, `corridor commit window`); each must open its commitment on the log",
    "properties": {
        "plates": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["leg", "vehicle", "plate", "salt"],
            "properties": {"leg": _TEXT, "vehicle": _TEXT, "plate": {**_TEXT, "maxLength": LABEL_MAX_LENGTH},
                           "salt": {**_TEXT, "maxLength": 64}}}},
        "window": {"type": "object", "additionalProperties": False, "required": ["start", "end", "salt"],
                   "properties": {"slot": _TEXT, "start": {"type": "string", "format": "date-time"},
                                  "end": {"type": "string", "format": "date-time"},
                                  "salt": {**_TEXT, "maxLength": 64}}}}}}}}}

@functools.cache
def payload_schemas() -> tuple[dict[str, dict], dict[str, dict]]:
    """(statement type -> its body schema, the named schemas they refer to), built once for all types."""
    kinds = list(PAYLOADS)
    schemas, components = msgspec.json.schema_components([PAYLOADS[k] for k in kinds],
                                                         ref_template=COMPONENTS + "{name}")
    bodies = dict(zip(kinds, schemas, strict=True))
    bodies.update({kind: {"$ref": COMPONENTS + name} for kind, name in CLEAR_BODIES.items()})
    components = {**components, **CLEAR_SCHEMAS}
    if "Vehicle" in components:
        components["Vehicle"]["properties"]["plate"] = CLEAR_PLATE
    return bodies, components


def request_body(kind: str, extra: dict | None = None) -> dict:
    """An operation's `openapi_extra`: its JSON body is the payload of the statement type `kind`, with
    `extra` properties the API reads besides it (e.g. the new plan's id)."""
    body = payload_schemas()[0][kind]
    if extra:  # the payload's own object, widened: it refuses unknown fields, so `allOf` could not add any
        named = payload_schemas()[1][body["$ref"].removeprefix(COMPONENTS)]
        body = {**named, "properties": {**named.get("properties", {}), **extra}}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": body}}}}


class CorridorAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        document = super().get_openapi_schema(**kwargs)
        components = document.setdefault("components", {})
        components.setdefault("schemas", {}).update({**payload_schemas()[1], "Error": Error.model_json_schema(),
                                                     "Statement": Statement.model_json_schema()})
        components.setdefault("securitySchemes", {})["token"] = TOKEN_SCHEME
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                _document_errors(path, method, operation)
                operation["security"] = [{"token": []}, {}]
        return document


def _one_key_per_status(operation: dict) -> None:
    """django-ninja keys its own responses by int, `openapi_extra` by str: merge them under one str key,
    or the JSON document carries the same key twice (which Swagger UI refuses to render)."""
    merged: dict[str, dict] = {}
    for status, response in operation.get("responses", {}).items():
        merged.setdefault(str(status), {}).update(response)
    operation["responses"] = merged


def _document_errors(path: str, method: str, operation: dict) -> None:
    _one_key_per_status(operation)
    statuses = set(ERROR_STATUSES[method])
    if "{" in path:
        statuses.add(404)
    responses = operation.setdefault("responses", {})
    for status in sorted(statuses):
        responses.setdefault(str(status), {
            "description": ERROR_MEANINGS[status],
            "content": {"application/json": {"schema": {"$ref": COMPONENTS + "Error"}}},
        })
