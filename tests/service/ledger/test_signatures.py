"""A party's signatures a page at a time (keyset on the log index), per-party counts by kind of signature
(added up as the log grows, equal to counting afresh), and how each kind reads in words."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corridor.service import clock
from corridor.service.ledger.models import StatementIndex
from corridor.service.ledger.signatures import how_signed, signed_in_name_of, signing_counts, signing_shares

from ..plans import plan_body
from ..signing import own_key, self_signed

pytestmark = pytest.mark.django_db
T = 1694420000


@pytest.fixture
def notes(parties):
    """org-a: a plan and 7 notes (the server signs); 2 more notes org-a signs with its own key."""
    org = parties["org-a"]
    with clock.frozen_at(T):
        assert org.post("/plans", plan_body())[0] == 201
    for n in range(7):
        with clock.frozen_at(T + 10 + n):
            assert org.post("/plans/p1/note", {"sha256": f"{n:064x}"})[0] == 201
    key = own_key("org-a", T + 30)
    for n in range(2):
        assert self_signed(org, key, "plan.note", {"sha256": f"{n + 9:064x}"}, T + 40 + n, plan="p1")[0] == 201
    return parties


def test_pages_go_newest_first_without_gaps_or_repeats(notes):
    everything = list(StatementIndex.objects.filter(party="org-a").order_by("-idx").values_list("idx", flat=True))
    assert len(everything) == 10
    seen, before = [], None
    while True:
        rows, before = signed_in_name_of("org-a", before, size=3)
        seen += [row["index"] for row in rows]
        assert all(row["party"] == "org-a" for row in rows)
        if before is None:
            break
    assert seen == everything
    first, _ = signed_in_name_of("org-a", size=2)
    assert [(r["type"], r["signed_by"], r["member"]) for r in first] == [("plan.note", "party", None)] * 2
    assert first[0]["proof"] == f"/log/proof/{first[0]['index']}"


def test_a_page_reads_one_index_range(notes):
    with CaptureQueriesContext(connection) as queries:
        signed_in_name_of("org-a", before=10_000, size=5)
    [sql] = [q["sql"] for q in queries.captured_queries]
    assert "LIMIT 6" in sql and '"idx" < 10000' in sql and "COUNT" not in sql.upper()


def test_counts_added_as_the_log_grows_equal_counting_afresh(notes):
    size = StatementIndex.objects.count()
    earlier = signing_counts(0, size - 4)
    assert signing_counts(size - 4, size, earlier) == signing_counts(0, size) == signing_counts()
    assert signing_counts()["org-a"] == {"custodial": 8, "party": 2}
    assert earlier["org-a"] == {"custodial": 7}  # a copy: adding to it later did not change it


def test_shares_per_party(notes):
    shares = {row["party"]: row for row in signing_shares(signing_counts(), {"org-a": "Org A", "recv": "Recv"},
                                                          {"org-a"})}
    assert shares["org-a"] == {"party": "org-a", "party_name": "Org A", "statements": 10, "passkey": 0,
                               "party_key": 2, "custodial": 8, "own_share": 20, "custodial_now": True}
    assert shares["recv"]["own_share"] is None and shares["recv"]["custodial_now"] is False


def test_how_each_kind_reads():
    assert how_signed("passkey", "border/m3") == "passkey of border/m3"
    assert how_signed("party", None) == "party's own key"
    assert how_signed("custodial", None) == "server (custodial)"
    assert how_signed("registrar", None) == "registrar"
    assert how_signed("", None) == "—"  # a row from before the column, until `corridor rebuild`
