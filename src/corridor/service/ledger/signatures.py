"""How each statement was signed, read from the statement index: one row shape for every timeline, the
log page and the API; what a party's admins watch (its own signatures, and the operator's statements about
its keys) newest first, a page at a time; and, per party, how much of what was signed in its name its own
people signed.

Four kinds (`ledger.keys.signing_kind`): "passkey" (a member of the party, on their own device; `member`
names them, e.g. "border/m3"), "party" (a key the party keeps itself: `corridor sign`, its own API client),
"custodial" (the server, with a key it keeps for the party) and "registrar" (the operator's registry).
A party's own people are "party" and "passkey"; what the server signed for it is "custodial". Each kind in
words: signing_words.py.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Count

from ...fold import LogFold
from ..exports.tables import iso
from .models import StatementIndex
from .projection import subject_of

PAGE = 50
OWN = ("party", "passkey")
# Statements the operator (registrar) makes about a party, not in its name: registering the party, registering
# a key for it (a new custodial key gives the server back the power to sign for it) and revoking one of its
# keys. The statement index's `subject` names the party (projection.subject_of).
ABOUT_KEYS = ("party.register", "key.register", "key.revoke")


def statement_row(s: StatementIndex) -> dict:
    """A statement as the timelines and the API show it."""
    return {"index": s.idx, "type": s.type, "party": s.party, "seq": s.seq, "time": iso(s.time), "plan": s.plan,
            "signed_by": s.signed_by, "member": s.member, "proof": f"/log/proof/{s.idx}"}


def signed_in_name_of(party: str, before: int | None = None, size: int = PAGE) -> tuple[list[dict], int | None]:
    """What `party`'s admins watch, newest first: the statements signed in its name, those its members signed
    offline (in the operator's relays: `offline` says by whom, when signed and received, applied or why not) and
    those others (the operator) made about it and its keys (`about_party` true), below log index `before`, and
    the `before` of the next page (None on the last). Three keyset reads on idx, through the (party, idx),
    (offline_party, idx) and (subject, idx) indexes, merged: any page of any log costs the same (and one read of
    the fold when the page shows a relay)."""
    own = StatementIndex.objects.filter(party=party)
    relayed = StatementIndex.objects.filter(offline_party=party).exclude(party=party)
    about = StatementIndex.objects.filter(subject=party, type__in=ABOUT_KEYS).exclude(party=party)
    rows = sorted({s.idx: s for query in (own, relayed, about) for s in _newest(query, before, size)}.values(),
                  key=lambda s: -s.idx)
    page, next_before = _page(rows, size, lambda s: statement_row(s) | {"about_party": s.party != party
                                                                       and s.offline_party != party})
    return _with_offline(page, rows[:size], party), next_before


def _with_offline(page: list[dict], rows: list[StatementIndex], party: str) -> list[dict]:
    """The relays among `rows` that carry a statement signed offline in `party`'s name, with `offline`: the
    outcome the rules gave it (passages/offline.py) and the member whose passkey signed it."""
    relays = {s.idx: s for s in rows if s.offline_party == party and s.party != party}
    if not relays:
        return page
    from ..passages.offline import outcome, relay_record
    from .record import current_fold

    state = current_fold().state
    for row in page:
        s = relays.get(row["index"])
        record = relay_record(s, state) if s is not None else None
        if record is not None:
            row["offline"] = outcome(s.subject, record) | {"signed_by": "passkey", "member": s.offline_member}
    return page


def about_party(statement: dict, fold: LogFold) -> str | None:
    """The party a statement someone else made is about (ABOUT_KEYS; the fold has applied it), or None."""
    if statement["type"] not in ABOUT_KEYS:
        return None
    subject = subject_of(statement, fold)
    return subject if subject != statement["party"] else None


def newest_first(query, before: int | None, size: int = PAGE) -> tuple[list[dict], int | None]:
    """A page of statements below log index `before` (all of them if None), newest first, and the next page's
    `before` (None on the last)."""
    return _page(_newest(query, before, size), size, statement_row)


def _newest(query, before: int | None, size: int) -> list[StatementIndex]:
    """At most size + 1 statements below `before`, newest first (one more than a page: is there another?)."""
    if before is not None:
        query = query.filter(idx__lt=before)
    return list(query.order_by("-idx")[:size + 1])


def _page(rows: list[StatementIndex], size: int, row: Callable[[StatementIndex], dict]) -> tuple[list, int | None]:
    """The first `size` rows shown, and the next page's `before` if there were more."""
    more = len(rows) > size
    rows = rows[:size]
    return [row(s) for s in rows], (rows[-1].idx if more else None)


def statement_at(index: int) -> dict | None:
    found = StatementIndex.objects.filter(idx=index).first()
    return None if found is None else statement_row(found)


def signing_counts(start: int = 0, end: int | None = None, counts: dict | None = None) -> dict[str, dict[str, int]]:
    """Statements per party and kind of signature among log indexes [start, end), added to `counts` (the
    public page keeps them and adds only what the log appended since: the whole index is read once). A
    statement a member signed offline counts for its party, as a passkey's, though the relay that carries it is
    also the operator's (as `corridor verify` counts them: every signature once)."""
    counts = {party: dict(kinds) for party, kinds in (counts or {}).items()}
    query = StatementIndex.objects.filter(idx__gte=start) if start else StatementIndex.objects.all()
    if end is not None:
        query = query.filter(idx__lt=end)
    for row in query.values("party", "signed_by").annotate(n=Count("idx")).order_by():
        _add(counts, row["party"], row["signed_by"], row["n"])
    relayed = query.filter(offline_party__isnull=False).values("offline_party").annotate(n=Count("idx")).order_by()
    for row in relayed:
        _add(counts, row["offline_party"], "passkey", row["n"])
    return counts


def _add(counts: dict[str, dict[str, int]], party: str, kind: str, n: int) -> None:
    kinds = counts.setdefault(party, {})
    kinds[kind] = kinds.get(kind, 0) + n


def signing_shares(counts: dict[str, dict[str, int]], parties: dict[str, str], custodial_now: set[str]) -> list[dict]:
    """Per party (`parties`: id -> name), its statements by how they were signed, the share its own people
    signed (percent, None before its first statement), and whether the server can sign for it now."""
    by_name = sorted(parties, key=lambda party: (parties[party].casefold(), party))  # as shown: by name
    return [_share(party, parties[party], counts.get(party, {}), party in custodial_now) for party in by_name]


def _share(party: str, name: str, by_kind: dict[str, int], custodial_now: bool) -> dict:
    own, custodial = sum(by_kind.get(kind, 0) for kind in OWN), by_kind.get("custodial", 0)
    total = own + custodial
    return {"party": party, "party_name": name, "statements": total, "passkey": by_kind.get("passkey", 0),
            "party_key": by_kind.get("party", 0), "custodial": custodial,
            "own_share": round(100 * own / total) if total else None, "custodial_now": custodial_now}
