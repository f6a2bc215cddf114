"""Helpers for holding the service's published figures to `corridor audit`: the service's log as a tiles
directory with its trust file, every download at a size, and the audit's files at that size."""

from __future__ import annotations

from pathlib import Path

from django.test import Client

from corridor.cli import main
from corridor.figures import formats
from corridor.figures.tables import TABLES
from corridor.service.exports import published
from corridor.service.ledger.integrator import integrate_now
from corridor.service.ledger.keys import trust_text


def publish(tmp_path: Path) -> tuple[int, Path]:
    """Integrate and publish everything recorded; returns the size and the trust file."""
    integrate_now()
    trust = tmp_path / "trust.txt"
    trust.write_text(trust_text())
    return published.published_size(), trust


def downloads(size: int | None, client: Client | None = None) -> dict[str, bytes]:
    """Every table in every format as the API serves it (at `size`, or the latest)."""
    client = client or Client()
    query = {} if size is None else {"size": size}
    files = {}
    for name in TABLES:
        for fmt in formats.FORMATS:
            response = client.get(f"/api/v1/export/{name}.{fmt}", query)
            assert response.status_code == 200, (name, fmt, response.content[:300])
            files[formats.file_name(name, fmt)] = response.content
    return files


def audit(source: str | Path, trust: Path, out: Path, *extra: str) -> int:
    return main(["audit", str(source), "--trust", str(trust), "--out", str(out), *extra])


def audited_files(out: Path) -> dict[str, bytes]:
    return {formats.file_name(name, fmt): (out / formats.file_name(name, fmt)).read_bytes()
            for name in TABLES for fmt in formats.FORMATS}


AFTER = 1695081600  # 2023-09-19, after the two-roads example


def attest(*lines: dict, passage: str = "jcc-1", at: int = AFTER, **claim) -> None:
    """A data source attests one passage with these lines (the source registered on first use)."""
    from corridor.service import clock
    from corridor.service.guard import guarded
    from corridor.service.imports.attest import ImportReport, ensure_source, record_attestations

    payload = {"passage": passage, "dataset": "sample", "reference": passage, "crossing": "Sample crossing",
               "departed": "2023-09-18", "cleared": "2023-09-19", "lines": list(lines)} | claim
    with clock.frozen_at(at), guarded():
        ensure_source("sample-source", "Sample data source")
        record_attestations("sample-source", [payload], ImportReport("sample"), progress=lambda message: None)


FLOUR = {"item": "Flour", "category": "food", "quantity": 12, "unit": "t", "weight_kg": 12000,
         "destination": "Town", "published": {"Item": "Flour", "Tonnes": "12"}}
PALLETS = {"item": "Blankets", "category": "shelter", "quantity": 3, "unit": "pallets", "destination": "Town",
           "published": {"Item": "Blankets", "Pallets": "3"}}


def every_download() -> str:
    """Every public table in every format, as the service publishes them once the log so far is published."""
    size, _ = publish_now()
    return "".join(data.decode() for data in downloads(size).values())


def publish_now() -> tuple[int, None]:
    integrate_now()
    return published.published_size(), None
