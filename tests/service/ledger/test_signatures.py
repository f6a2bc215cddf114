"""A party's signatures, and the operator's statements about its keys, a page at a time (keyset on the log
index, through an index on each side), per-party counts by kind of signature (added up as the log grows,
equal to counting afresh), and how each kind reads in words."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q

from corridor.ledger.crypto import public_bytes
from corridor.ledger.envelope import key_id
from corridor.service import clock
from corridor.service.ledger.models import StatementIndex
from corridor.service.ledger.rebuild import rebuild
from corridor.service.ledger.signatures import ABOUT_KEYS, signed_in_name_of, signing_counts, signing_shares
from corridor.service.ledger.signing_words import how_signed

from ..plans import plan_body
from ..signing import custody_regained, own_key, revoked_by_operator, self_signed

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


def watched(party: str) -> list[int]:
    """Every statement signed in the party's name or made about its keys, newest first, read at once."""
    about = Q(subject=party, type__in=ABOUT_KEYS)
    return list(StatementIndex.objects.filter(Q(party=party) | about).order_by("-idx").values_list("idx", flat=True))


def test_pages_go_newest_first_without_gaps_or_repeats(notes):
    everything = watched("org-a")
    assert len(everything) == 13  # 10 signed in its name; registered, its key registered, the key it keeps
    seen, before = [], None
    while True:
        rows, before = signed_in_name_of("org-a", before, size=3)
        seen += [row["index"] for row in rows]
        assert all(row["party"] == "org-a" or row["about_party"] for row in rows)
        if before is None:
            break
    assert seen == everything
    first, _ = signed_in_name_of("org-a", size=2)
    assert [(r["type"], r["signed_by"], r["member"]) for r in first] == [("plan.note", "party", None)] * 2
    assert first[0]["proof"] == f"/log/proof/{first[0]['index']}" and first[0]["about_party"] is False


def test_the_operators_statements_about_a_partys_keys_are_watched_by_that_party_alone(parties):
    """border ends custody; the operator registers a new custodial key for it (the server can sign for it
    again), then a key border keeps itself, and revokes that one: border watches them all, org-a none."""
    entries = custody_regained("border", T)
    kept = key_id(public_bytes(own_key("border", T + 30)))
    revoked = revoked_by_operator(kept, T + 40)
    rows, _ = signed_in_name_of("border", size=4)
    assert [(r["type"], r["party"], r["signed_by"], r["about_party"]) for r in rows] == [
        ("key.revoke", "operator", "registrar", True), ("key.register", "operator", "registrar", True),
        ("key.register", "operator", "registrar", True), ("key.revoke", "border", "custodial", False)]
    assert [rows[0]["index"], rows[2]["index"], rows[3]["index"]] == [revoked, entries["registered"],
                                                                      entries["ended"]]
    everything, _ = signed_in_name_of("border", size=100)
    assert everything[-1]["type"] == "party.register" and everything[-1]["about_party"]  # registered at the start
    assert not {r["index"] for r in rows} & set(watched("org-a"))


def test_rebuild_gives_the_same_subjects(parties):
    custody_regained("border", T)
    revoked_by_operator(key_id(public_bytes(own_key("border", T + 30))), T + 40)
    before = list(StatementIndex.objects.order_by("idx").values_list("idx", "type", "party", "subject"))
    assert ("key.revoke", "operator", "border") in {row[1:] for row in before}
    rebuild()
    assert list(StatementIndex.objects.order_by("idx").values_list("idx", "type", "party", "subject")) == before


def test_a_page_reads_one_index_range_on_each_side(notes):
    queries = []

    def capture(execute, sql, params, many, context):
        queries.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        signed_in_name_of("org-a", before=10_000, size=5)
    assert len(queries) == 3  # no relay on the page: the fold is not read
    assert all("LIMIT 6" in sql and '"idx" < %s' in sql and "COUNT" not in sql.upper() for sql, _ in queries)
    if connection.vendor == "sqlite":
        own, relayed, about = (" / ".join(row[-1] for row in explain(sql, params)) for sql, params in queries)
        assert "USING INDEX log_statement_party_idx (party=? AND idx<?)" in own
        assert "USING INDEX log_statement_offline_idx (offline_party=? AND idx<?)" in relayed
        assert "USING INDEX log_statement_subject_idx (subject=? AND idx<?)" in about
        assert "TEMP B-TREE" not in own + relayed + about  # no sort: each index gives the order


def explain(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return cursor.fetchall()


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
