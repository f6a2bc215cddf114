"""The plan page's response deadline (outbox/deadlines.py): the requester asks every party the plan waits on
to respond within so many hours of being awaited; the parties of the plan see it. Include it in a plan's
page with `{% load deadlines %}{% response_deadline plan_id %}`; the form posts here."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..ledger.record import Refused
from ..outbox.deadlines import do_set_response_deadline
from ..parties.authz import parties_for
from ..passages.models import Plan
from . import refusals


@require_POST
@login_required
def set_deadline(request, plan_id: str):
    requester = Plan.objects.filter(pk=plan_id).values_list("requester_id", flat=True).first()
    if requester is None or requester not in parties_for(request.user, "sign"):
        raise Http404("no plan your party requested")  # to anyone else the plan's setting does not exist
    try:
        hours = int(request.POST.get("hours") or 0)
        do_set_response_deadline(plan_id, hours, party=requester, username=request.user.get_username())
    except ValueError:
        messages.error(request, _("Choose a response time from the list."))
    except Refused as error:
        refusals.show(request, error)
    else:
        messages.success(request, _("Response deadline saved: the parties awaited are reminded by email.")
                         if hours else _("Response deadline removed."))
    return redirect("plan", plan_id)
