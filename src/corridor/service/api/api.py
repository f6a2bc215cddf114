"""The REST API under /api/v1 (django-ninja; OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs).

Views only parse, authorise and call `record()`; every refusal is {"code", "message"} with a 4xx status.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI

from ..ledger.record import Refused, record
from . import actions, reads
from .auth import acting_party

api = NinjaAPI(title="Corridor API", version="1", description=__doc__, urls_namespace="api")


@api.exception_handler(Refused)
def refused(request: HttpRequest, error: Refused):
    body = {"code": error.code, "message": error.message}
    if error.details:
        body["errors"] = error.details
    return api.create_response(request, body, status=error.status)


def _created(request, recorded):
    return api.create_response(request, actions.recorded_response(recorded), status=201)


@api.post("/statements", summary="Record a statement the party signed itself", tags=["statements"],
          openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
              "type": "object", "required": ["signature", "statement"],
              "description": "A log entry: RFC 8785 canonical JSON of {signature, statement}; see docs/log.md"}}}}})
def post_statement(request):
    if len(request.body) > 0xFFFF:
        raise Refused("entry.too_large", "an entry is at most 65,535 bytes", 413)
    return _created(request, record(request.body))


@api.post("/plans", summary="Request passage: submit a plan", tags=["actions"],
          openapi_extra=actions.request_body("plan.submit", {"plan": {"type": "string"}, "crew": actions.CREW}))
def submit(request):
    return _created(request, actions.submit_plan(request))


def _plan_action(kind: str):
    def handler(request, plan: str):
        return _created(request, actions.act_on_plan(request, plan, kind))

    handler.__name__ = kind.replace(".", "_")
    return handler


for _path, _kind, _summary in actions.PLAN_ACTIONS:
    api.post(f"/plans/{{plan}}/{_path}", summary=_summary, tags=["actions"], operation_id=_kind.replace(".", "_"),
             openapi_extra=actions.request_body(_kind, {"crew": actions.CREW} if _kind == "plan.amend" else None)
             )(_plan_action(_kind))


@api.post("/incidents", summary="Report an incident (a signed claim)", tags=["actions"],
          openapi_extra=actions.request_body("incident.report", {"plan": {"type": "string"}}))
def report(request):
    return _created(request, actions.report_incident(request))


@api.post("/incidents/{incident}/dispute", summary="Dispute another party's claim", tags=["actions"],
          openapi_extra=actions.request_body("incident.dispute"))
def dispute(request, incident: str):
    return _created(request, actions.dispute_incident(request, incident))


@api.post("/parties/{party}/keys/rotate", summary="Rotate the party's custodial key (party admins)",
          tags=["parties"])
def rotate_key(request, party: str):
    from ..parties.operations import do_rotate_key

    if party != acting_party(request, "manage"):
        raise Refused("auth.forbidden", f"you may not manage {party}", 403)
    return _created(request, do_rotate_key(party))


reads.register(api)
