"""The public revocation list: what an officer's device fetches while online, to refuse revoked permits
offline (`corridor permit verify --revoked`). Digests and ids only: both are on the public log already. Only
the permits a device could still accept are listed (revocation.py): the list does not grow with the log."""

from __future__ import annotations

from django.http import HttpResponse

from .. import clock
from .revocation import listed

TEXT = "text/plain; charset=utf-8"


def revoked(request) -> HttpResponse:
    rows = listed(clock.now()).values_list("digest", "plan_id", "permit_id", "reason", "revoked_index")
    lines = ["# Corridor: permits revoked on the log whose validity has not ended (or ended within a day),"
             " one digest a line (docs/permits.md)"]
    lines += [f"{digest}  # {plan} {permit} {reason} (log entry {index})"
              for digest, plan, permit, reason, index in rows.iterator()]
    response = HttpResponse("\n".join(lines) + "\n", content_type=TEXT)
    response["Cache-Control"] = "no-cache"  # a device must not keep an old list without asking
    return response
