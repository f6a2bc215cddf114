"""The public log over HTTP: checkpoint, tiles, trust file, entries and proof blobs that verify."""

from __future__ import annotations

import pytest

from corridor.ledger.evidence import parse_evidence, verify_evidence
from corridor.ledger.note import parse_verifier
from corridor.service.ledger.integrator import integrate_now
from corridor.service.ledger.keys import log_signer

pytestmark = pytest.mark.django_db


def test_no_checkpoint_before_the_first_integration(public, tiles):
    assert public.get("/log/checkpoint").status_code == 404


def test_checkpoint_tiles_entries_and_proofs(parties, public, tiles):
    integrate_now()
    checkpoint = public.get("/log/checkpoint").content.decode()
    size = int(checkpoint.split("\n")[1])
    assert size == 16  # seven parties, their keys, two routes
    assert public.get("/log/tile/0/000.p/16").status_code == 200
    assert public.get("/log/tile/../../secret").status_code == 404
    entry = public.get("/log/entry/3").content
    blob = public.get("/log/proof/3").content.decode()
    evidence = parse_evidence(blob)
    checkpoint, _ = verify_evidence(evidence, entry, parse_verifier(log_signer().verifier.encode()))
    assert checkpoint.size == size
    assert public.get(f"/log/proof/{size}").status_code == 404
    assert "registrar operator " in public.get("/log/trust.txt").content.decode()
