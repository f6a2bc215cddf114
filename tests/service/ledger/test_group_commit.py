"""Many threads of one process record at once (as a gthread worker's requests do): their statements are
committed together in batches, every acknowledged one is on the log and in the read models, every refused
one is nowhere, each party's numbers follow the log's order, and the read models agree with a rebuild.
A batch that fails for another reason than a refusal sinks none of the other callers' statements."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from corridor.service.ledger import record as recording
from corridor.service.ledger.models import LogEntry, StatementIndex
from corridor.service.ledger.rebuild import rebuild
from corridor.service.ledger.record import Recorded, Refused, on_apply, record_as

from ..plans import plan_body
from .test_rebuild import dump

pytestmark = pytest.mark.django_db(transaction=True)
PARTIES = ("org-a", "border", "customs", "recv")
NOTES = 30


def note(party: str, n: int, plan: str = "p1") -> Recorded:
    return record_as(party, "plan.note", {"sha256": f"{n:064x}", "title": f"note {n} by {party}"}, plan=plan)


def record_at_once(work) -> list[tuple[str, int, object]]:
    """Run `work(party, n)` from one thread per party, all starting together; (party, n, outcome) each."""
    outcomes: list[tuple[str, int, object]] = []
    start = threading.Barrier(len(PARTIES))

    def run(party: str) -> None:
        try:
            start.wait()
            for n in range(NOTES):
                try:
                    outcomes.append((party, n, work(party, n)))
                except Exception as error:  # refused, or failed: kept to be checked
                    outcomes.append((party, n, error))
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(party,)) for party in PARTIES]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


@pytest.fixture
def batches(monkeypatch) -> list[int]:
    """The size of each batch recorded in one transaction."""
    sizes: list[int] = []
    apply_batch = recording._apply_batch

    def counted(batch):
        sizes.append(len(batch))
        return apply_batch(batch)

    monkeypatch.setattr(recording, "_apply_batch", counted)
    return sizes


def check_log_and_tables(acknowledged: list[Recorded], entries_before: int) -> None:
    entries = dict(LogEntry.objects.filter(idx__gte=entries_before).values_list("idx", "data"))
    assert sorted(entries) == list(range(entries_before, entries_before + len(acknowledged)))
    for recorded in acknowledged:
        assert bytes(entries[recorded.index]) == recorded.entry
    assert StatementIndex.objects.filter(idx__gte=entries_before).count() == len(acknowledged)
    for party in PARTIES:  # each party's numbers follow the log's order, without gaps
        seqs = list(StatementIndex.objects.filter(party=party, idx__gte=entries_before).order_by("idx")
                    .values_list("seq", flat=True))
        assert seqs and seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    incremental = dump()
    rebuild()
    assert dump() == incremental


def test_threads_recording_at_once_are_committed_together(parties, batches):
    record_as("org-a", "plan.submit", {k: v for k, v in plan_body().items() if k != "plan"}, plan="p1")
    before = LogEntry.objects.count()

    def work(party: str, n: int) -> Recorded:
        return note(party, n, plan="p1" if n % 3 else "no-such-plan")  # every third is refused

    outcomes = record_at_once(work)
    acknowledged = [outcome for _, _, outcome in outcomes if isinstance(outcome, Recorded)]
    refused = [outcome for _, n, outcome in outcomes if n % 3 == 0]
    assert len(acknowledged) == len(PARTIES) * NOTES * 2 // 3
    assert refused and all(isinstance(error, Refused) for error in refused)
    assert max(batches) > 1  # statements from several threads shared a transaction
    check_log_and_tables(acknowledged, before)
    assert not StatementIndex.objects.filter(plan="no-such-plan").exists()


def test_a_failing_statement_sinks_none_of_the_others(parties, batches):
    record_as("org-a", "plan.submit", {k: v for k, v in plan_body().items() if k != "plan"}, plan="p1")
    before = LogEntry.objects.count()

    def fail_on_seven(folded, fold, private) -> None:
        if folded.envelope.statement["payload"].get("title", "").startswith("note 7 "):
            raise RuntimeError("a projection failed")

    on_apply(fail_on_seven)
    try:
        outcomes = record_at_once(note)
    finally:
        recording._after_apply.remove(fail_on_seven)
    failed = [(party, n) for party, n, outcome in outcomes if not isinstance(outcome, Recorded)]
    assert sorted(failed) == sorted((party, 7) for party in PARTIES)
    assert all(isinstance(outcome, RuntimeError) for _, n, outcome in outcomes if n == 7)
    check_log_and_tables([outcome for _, _, outcome in outcomes if isinstance(outcome, Recorded)], before)
