"""Recording a data source's records as attested passages: shared by every importer.

An import never speaks for the parties that took part: each record becomes a `passage.attest` statement
signed by a party of kind "source" named after the dataset. Records are keyed by the source's own ids,
so importing a file twice adds nothing and a later snapshot adds only its new records. A record the engine
or the log would refuse (a cell too long, a NUL character) is reported with the unreadable rows before
anything is signed, so one odd row never stops the others.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import msgspec

from ...engine import RuleViolation
from ...engine.statements import parse_statement
from ...ledger.envelope import MAX_ENTRY_BYTES
from ..ledger.record import record_built
from ..parties.models import Party
from ..parties.operations import do_register_party
from ..passages.models import Attestation

BATCH = 500
NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")  # JSON's escape of NUL, not a backslash written before "u0000"
# what an entry holds beside its payload (envelope, party, key, signature) stays well under this
PAYLOAD_MAX_BYTES = MAX_ENTRY_BYTES - 2048


@dataclass
class ImportReport:
    source: str
    added: int = 0
    skipped: int = 0
    unreadable: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{self.source}: added {self.added:,} passages; skipped {self.skipped:,} already recorded "
               f"(same source id); {len(self.unreadable):,} rows could not be read"]
        out += [f"  {problem}" for problem in self.unreadable[:50]]
        if len(self.unreadable) > 50:
            out.append(f"  ... and {len(self.unreadable) - 50:,} more")
        return out


def ensure_source(party_id: str, name: str) -> None:
    if not Party.objects.filter(pk=party_id).exists():
        do_register_party(party_id, name, "source")


def record_attestations(source: str, payloads: Iterable[dict], report: ImportReport,
                        progress: Callable[[str], None] | None = None) -> ImportReport:
    """Record each payload not yet attested, in batches of BATCH statements per transaction."""
    from ..ledger.record import custodial

    progress = progress or _stderr
    known = set(Attestation.objects.filter(source_id=source).values_list("passage", flat=True))
    batch: list[dict] = []
    for payload in payloads:
        if payload["passage"] in known:
            report.skipped += 1
            continue
        problem = defect(payload)
        if problem is not None:
            report.unreadable.append(f"record {payload['reference']}: {problem}")
            continue
        known.add(payload["passage"])
        batch.append(payload)
        if len(batch) == BATCH:
            _flush(source, batch, report, progress, custodial)
            batch = []
    _flush(source, batch, report, progress, custodial)
    return report


def defect(payload: dict) -> str | None:
    """Why the engine or the log would refuse this record as a passage.attest payload, or None. The parser
    refuses floats and big integers; NUL and the size are checked on one fast encoding (signing checks
    them again, exactly: this only keeps one odd row from stopping the import)."""
    statement = {"type": "passage.attest", "party": "source", "seq": 1, "time": "2000-01-01T00:00:00Z",
                 "payload": payload}
    try:
        parse_statement(statement)
    except RuleViolation as error:
        return str(error)
    encoded = msgspec.json.encode(payload)
    if NUL.search(encoded):
        return "value.nul: text in a statement may not contain the NUL character (\\u0000)"
    if len(encoded) > PAYLOAD_MAX_BYTES:
        return f"entry.too_large: the record takes {len(encoded):,} bytes, more than a log entry holds"
    return None


def _flush(source, batch, report, progress, custodial) -> None:
    if not batch:
        return
    record_built([custodial(source, "passage.attest", payload) for payload in batch])
    report.added += len(batch)
    progress(f"  {report.source}: {report.added:,} added, {report.skipped:,} skipped")


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
