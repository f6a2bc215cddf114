"""`{% response_deadline plan_id %}`: the plan's response deadline, shown to the plan's parties, with the form
that sets it for its requester (web/deadline.py). Two small queries; nothing for the public."""

from __future__ import annotations

from django import template

from ...outbox.deadlines import HOURS_OFFERED, deadline_of
from ...parties.authz import parties_for
from ...passages.models import Plan, Position

register = template.Library()


@register.inclusion_tag("web/_deadline.html", takes_context=True)
def response_deadline(context, plan_id: str) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    mine = set(parties_for(user, "view_private"))
    plan = Plan.objects.filter(pk=plan_id).values("requester_id", "closed_at").first()
    if plan is None or not mine:
        return {"shown": False}
    involved = plan["requester_id"] in mine or Position.objects.filter(plan_id=plan_id, party_id__in=mine).exists()
    return {"shown": involved, "plan_id": plan_id, "hours": deadline_of(plan_id), "choices": HOURS_OFFERED,
            "can_set": plan["closed_at"] is None and plan["requester_id"] in parties_for(user, "sign"),
            "csrf_token": context.get("csrf_token")}
