"""Links that page one list of a page and keep where the reader is in the others: the plan page pages its
timeline (`?before=`) and its documents (`?documents_before=`) apart, and going back through one should not
send the other back to its latest."""

from __future__ import annotations

from django.urls import reverse


def paged(request, plan_id: str, name: str, value: int | None) -> str:
    """The plan page's address with `name` set to `value` (left out for None: that list's latest) and every
    other parameter as the reader has it. Never relative: the page is also answered at the address of a form
    sent back (/plans/<id>/act/leg.deliver, POST only), where "?before=N" would lead."""
    query = request.GET.copy()
    if value is None:
        query.pop(name, None)
    else:
        query[name] = str(value)  # in place: the parameters keep their order
    text, page = query.urlencode(), reverse("plan", args=[plan_id])
    return f"{page}?{text}" if text else page
