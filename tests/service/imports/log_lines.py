"""The attested lines as the public log holds them (decoded from the entries, not the read models)."""

from __future__ import annotations

from collections.abc import Iterator

from corridor.ledger.envelope import unseal
from corridor.service.ledger.models import LogEntry


def lines_on_the_log(dataset: str) -> Iterator[dict]:
    for data in LogEntry.objects.order_by("idx").values_list("data", flat=True).iterator():
        statement = unseal(bytes(data)).statement
        if statement["type"] == "passage.attest" and statement["payload"]["dataset"] == dataset:
            yield from statement["payload"]["lines"]
