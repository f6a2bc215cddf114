"""How statements were signed, on the pages.

A party watches its own signatures: every statement signed in its name, and the operator's about its keys
(a key registered for it gives the server back the power to sign for it), newest first, by whom and how,
for the party's admins only (to anyone else the page does not exist). A statement the party did not make
shows up here, and in the notice the outbox sends for each one (outbox/notify.py). A statement one of its
members signed offline is the party's too, though the log holds it inside the operator's offline.relay: it is
listed with the member's passkey, when it was signed and received, and why it took no effect if it took none.
The log page lists the published statements the same way, for everyone."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from ..ledger.models import StatementIndex
from ..ledger.signatures import PAGE, newest_first, signed_in_name_of, statement_at
from ..parties.authz import is_admin
from ..parties.models import Party
from .offline_submit import late_message
from .templatetags.corridor import local_time


@login_required
def party_signatures(request, party: str):
    if not is_admin(request.user, party):
        raise Http404("no such party among those you administer")
    before = _log_index(request.GET.get("before", ""))
    rows, next_before = signed_in_name_of(party, before, PAGE)
    return render(request, "web/signatures.html", {
        "party": Party.objects.filter(pk=party).first(), "party_id": party, "rows": [_signed_offline(r) for r in rows],
        "next_before": next_before, "first_page": before is None,
    })


def _signed_offline(row: dict) -> dict:
    """A row carrying a statement signed offline (its `offline`): when it was signed and received and, if the rules
    gave it no effect, why, in the reader's language (the words of the plan page's timeline)."""
    offline = row.get("offline")
    if not offline:
        return row
    words = [_("signed offline at %(signed)s, received at %(received)s") % {
        "signed": local_time(offline["signed"]), "received": local_time(offline["received"])}]
    if not offline["applied"]:
        words.append(_("not applied: %(reason)s") % {"reason": late_message(offline["code"])})
    return row | {"offline_words": words}


def log_statements(query: dict, published: int, index: int | None) -> dict:
    """For the log page: the looked-up statement and a page of the published log's statements, newest
    first (`?before=` an entry number), each with how it was signed."""
    before = _log_index(query.get("before", ""))
    rows, next_before = newest_first(StatementIndex.objects.all(), min(published, before or published), PAGE)
    looked_up = statement_at(index) if index is not None and index < published else None
    return {"statements": rows, "next_before": next_before, "first_page": before is None, "statement": looked_up}


def _log_index(text: str) -> int | None:
    """A log index from the query string, or None (the newest page)."""
    return int(text) if re.fullmatch(r"[0-9]{1,18}", text) else None
