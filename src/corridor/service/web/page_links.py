"""Links that page one list of a page and keep where the reader is in the others: the plan page pages its
timeline (`?before=`) and its documents (`?documents_before=`) apart, and going back through one should not
send the other back to its latest."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

WINDOWS = ("before", "documents_before")  # the plan page's lists, by the parameter that pages each


def paged(request, plan_id: str, name: str, value: int | None) -> str:
    """The plan page's address with `name` set to `value` (left out for None: that list's latest) and the other
    lists' windows as the reader has them (nothing else of the query). Never relative: the page is also answered
    at the address of a form sent back (/plans/<id>/act/leg.deliver, POST only), where "?before=N" would lead."""
    kept = {key: request.GET.get(key, "") for key in WINDOWS} | {name: "" if value is None else str(value)}
    text, page = urlencode({key: given for key, given in kept.items() if given}), reverse("plan", args=[plan_id])
    return f"{page}?{text}" if text else page
