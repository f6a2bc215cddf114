"""The REST API under /api/v1 (django-ninja; OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs).

Views only parse, authorise and call `record()`; every refusal is {"code", "message"} with a 4xx status.
"""

from __future__ import annotations

from ninja import Field, Schema

from ..ledger.record import Refused, record
from ..passages.openings import open_commitments
from ..permits import api as permits_api
from . import actions, errors, reads
from .auth import acting_party, token_checked_at_commit, token_or_public
from .openapi import CREW, MEMBER, OPENINGS_BODY, SIGNED_BY, CorridorAPI

api = CorridorAPI(title="Corridor API", version="1", description=__doc__, urls_namespace="api", auth=token_or_public)
errors.install(api)


class Recorded(Schema):
    """A statement recorded on the log: its index, the entry as signed, and where its proof is."""

    index: int
    type: str
    party: str
    seq: int
    time: str
    plan: str | None
    key: str
    signed_by: str = Field(description=SIGNED_BY)
    member: str | None = Field(description=MEMBER)
    entry: str
    proof: str


RECORDED = {201: Recorded}


def _created(request, recorded):
    return api.create_response(request, actions.recorded_response(recorded), status=201)


@api.post("/statements", summary="Record a statement the party signed itself", tags=["statements"], response=RECORDED,
          openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
              "type": "object", "required": ["signature", "statement"],
              "description": "A log entry: RFC 8785 canonical JSON of {signature, statement}; see docs/log.md"}}}}})
def post_statement(request):
    if int(request.META.get("CONTENT_LENGTH") or 0) > 0xFFFF or len(request.body) > 0xFFFF:
        raise Refused("entry.too_large", "an entry is at most 65,535 bytes", 413)
    # `corridor sign` prints the entry with a line ending, which files and `curl --data-binary @file` keep;
    # an entry is canonical JSON ending in "}", so dropping a final line ending never changes what was signed
    return _created(request, record(request.body.rstrip(b"\r\n")))


@api.post("/plans", summary="Request passage: submit a plan", tags=["actions"], response=RECORDED,
          auth=token_checked_at_commit,
          openapi_extra=actions.request_body("plan.submit", {"plan": {"type": "string"}, "crew": CREW}))
def submit(request):
    return _created(request, actions.submit_plan(request))


def _plan_action(kind: str):
    def handler(request, plan: str):
        return _created(request, actions.act_on_plan(request, plan, kind))

    handler.__name__ = kind.replace(".", "_")
    return handler


for _path, _kind, _summary in actions.PLAN_ACTIONS:
    api.post(f"/plans/{{plan}}/{_path}", summary=_summary, tags=["actions"], operation_id=_kind.replace(".", "_"),
             response=RECORDED, auth=token_checked_at_commit,
             openapi_extra=actions.request_body(_kind, {"crew": CREW} if _kind == "plan.amend" else None),
             )(_plan_action(_kind))


class OpenedPlate(Schema):
    leg: str
    vehicle: str
    plate: str


class OpenedWindow(Schema):
    slot: str
    start: str
    end: str


class IssuedOut(Schema):
    permit: str
    leg: str
    vehicle: str
    index: int = Field(description="the permit.issue statement's log index")
    proof: str


class OpeningsOut(Schema):
    """What the service now keeps in clear for the plan, and the permits it issued on the strength of it."""

    plan: str
    plates: list[OpenedPlate]
    window: OpenedWindow | None
    permits: list[IssuedOut] = Field(description="permits issued by this request (none if they were already issued)")


@api.post("/plans/{plan}/openings", summary="Hand the service the clear plates and window behind your own "
          "commitments (a requester that signs its own statements), so it can issue the passage's permits",
          tags=["actions"], response={200: OpeningsOut}, openapi_extra=OPENINGS_BODY)
def openings(request, plan: str):
    party = acting_party(request, "sign")
    private, recorded = open_commitments(party, plan, actions.read_json(request))
    return {"plan": plan,
            "plates": [{key: row[key] for key in ("leg", "vehicle", "plate")} for row in private.plates],
            "window": {key: private.window[key] for key in ("slot", "start", "end")} if private.window else None,
            "permits": [_issued(r) for r in recorded]}


def _issued(recorded) -> dict:
    payload = recorded.folded.statement.payload
    return {"permit": payload.permit, "leg": payload.leg, "vehicle": payload.vehicle, "index": recorded.index,
            "proof": f"/log/proof/{recorded.index}"}


@api.post("/incidents", summary="Report an incident (a signed claim)", tags=["actions"], response=RECORDED,
          openapi_extra=actions.request_body("incident.report", {"plan": {"type": "string"}}))
def report(request):
    return _created(request, actions.report_incident(request))


@api.post("/incidents/{incident}/dispute", summary="Dispute another party's claim", tags=["actions"], response=RECORDED,
          openapi_extra=actions.request_body("incident.dispute"))
def dispute(request, incident: str):
    return _created(request, actions.dispute_incident(request, incident))


@api.post("/parties/{party}/keys/rotate", summary="Rotate the party's custodial key (party admins)",
          tags=["parties"], response=RECORDED)
def rotate_key(request, party: str):
    from ..parties.operations import do_rotate_key

    if party != acting_party(request, "manage"):
        raise Refused("auth.forbidden", f"you may not manage {party}", 403)
    return _created(request, do_rotate_key(party))


reads.register(api)
permits_api.register(api)


def _register_documents() -> None:
    from ..documents import api as documents

    documents.register(api, RECORDED, _created)


_register_documents()
