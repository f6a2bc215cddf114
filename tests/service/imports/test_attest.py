"""Recording attested passages: batches (one transaction each), skips by the source's own id, the report."""

from __future__ import annotations

import pytest

from corridor.service.imports import attest
from corridor.service.imports.attest import ImportReport, ensure_source, record_attestations
from corridor.service.ledger.models import LogEntry
from corridor.service.passages.models import Attestation

pytestmark = pytest.mark.django_db


def payload(n: int) -> dict:
    return {"passage": f"src-{n}", "dataset": "test", "reference": str(n), "crossing": "Gate", "received":
            "2024-01-01", "lines": [{"item": "Flour", "quantity": n + 1, "unit": "t", "weight_kg": 1000}]}


def test_batches_cross_their_boundary_and_duplicates_in_one_file_are_skipped(monkeypatch):
    monkeypatch.setattr(attest, "BATCH", 4)
    ensure_source("src", "A test source")
    messages = []
    report = record_attestations("src", [payload(n) for n in [*range(10), 3]], ImportReport("test"),
                                 messages.append)
    assert (report.added, report.skipped) == (10, 1)
    assert len(messages) == 3  # three batches of at most four
    assert Attestation.objects.count() == 10 and LogEntry.objects.count() == 2 + 10


def test_the_report_says_what_was_added_skipped_and_unreadable():
    report = ImportReport("UNRWA x.xlsx", added=3, skipped=2, unreadable=[f"row {n}: bad" for n in range(60)])
    lines = report.lines()
    assert lines[0] == ("UNRWA x.xlsx: added 3 passages; skipped 2 already recorded (same source id); "
                        "60 rows could not be read")
    assert lines[1] == "  row 0: bad" and lines[-1] == "  ... and 10 more"


def test_a_record_the_log_would_refuse_is_reported_before_anything_is_signed():
    ensure_source("src", "A test source")
    nul = payload(1)
    nul["lines"][0]["published"] = {"Note": "a\x00b"}
    backslash = payload(2)
    backslash["lines"][0]["published"] = {"Note": "C:\\u0000 is a path, not a NUL"}
    huge = payload(3)
    huge["lines"] = [huge["lines"][0] | {"published": {f"c{n}": "x" * 4000 for n in range(20)}}]
    report = record_attestations("src", [nul, backslash, huge, payload(4)], ImportReport("test"), lambda _: None)
    assert report.added == 2 and sorted(Attestation.objects.values_list("passage", flat=True)) == ["src-2", "src-4"]
    assert report.unreadable[0].startswith("record 1: value.nul")
    assert report.unreadable[1].startswith("record 3: entry.too_large")
