"""Custodial actions of several parties at once, each by a token read before (`acting_party_at_commit`):
their statements are committed together in batches, each token read again in its batch's transaction, and
every statement is signed for the party its own token holds, never another's."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from corridor.service import clock
from corridor.service.api import auth
from corridor.service.ledger.models import StatementIndex

from ..plans import plan_body

pytestmark = pytest.mark.django_db(transaction=True)
PARTIES = ("org-a", "border", "customs", "recv")
NOTES = 8
T = 1694420000


def test_notes_posted_at_once_by_kept_tokens_are_each_signed_for_their_own_party(parties, monkeypatch):
    with clock.frozen_at(T):
        assert parties["org-a"].post("/plans", plan_body())[0] == 201
        for n, party in enumerate(PARTIES):  # the process reads each token once
            assert parties[party].post("/plans/p1/note", {"sha256": f"{1000 + n:064x}"})[0] == 201
    reads: list[int] = []
    holders = auth._holders_of  # whether read with the writer lock (PostgreSQL) or on their own
    monkeypatch.setattr(auth, "_holders_of", lambda db, rows: reads.append(len(rows)) or holders(db, rows))
    outcomes: dict[str, list] = {party: [] for party in PARTIES}
    start = threading.Barrier(len(PARTIES))

    def post(party: str) -> None:
        try:
            start.wait()
            for n in range(NOTES):
                with clock.frozen_at(T + 60):
                    status, body = parties[party].post("/plans/p1/note", {"sha256": f"{n + 1:064x}"})
                outcomes[party].append((status, body.get("party"), body.get("index")))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(party,)) for party in PARTIES]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for party, results in outcomes.items():
        assert [(status, signer) for status, signer, _ in results] == [(201, party)] * NOTES
        indexes = [index for _, _, index in results]
        assert dict(StatementIndex.objects.filter(idx__in=indexes).values_list("idx", "party")) == {
            index: party for index in indexes}
    assert 0 < len(reads) <= len(PARTIES) * NOTES  # read again in the transactions, at most once a note
