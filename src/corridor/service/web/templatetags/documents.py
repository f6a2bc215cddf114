"""`{% plan_documents %}`: the documents section of a plan page (web/_documents.html includes it), so the
page that includes it needs nothing in its view: the section reads the plan from the log's fold."""

from django import template

from ...ledger.record import current_fold
from .. import documents

register = template.Library()


@register.inclusion_tag("web/_documents_section.html", takes_context=True)
def plan_documents(context, plan_id: str) -> dict:
    request = context["request"]
    plan = current_fold().state.plans.get(plan_id)
    if plan is None:
        return {"documents": None}
    return {**documents.section(request, plan), "request": request, "csrf_token": context.get("csrf_token"),
            "passkey_parties": context.get("passkey_parties", ())}
