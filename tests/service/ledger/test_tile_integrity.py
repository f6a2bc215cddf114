"""A tile corrupted on disk is never served: the service checks each tile against its database before
serving it (or building a proof from it) and rewrites a bad one; `corridor worker` checks them all when it
starts; `corridor log check [--repair]` does the same offline."""

from __future__ import annotations

import os

import pytest

from corridor.cli import main
from corridor.ledger.evidence import parse_evidence, verify_evidence
from corridor.ledger.note import parse_verifier
from corridor.ledger.verify import Source, VerificationError, verify_log
from corridor.service import clock
from corridor.service.ledger.integrator import integrate_now
from corridor.service.ledger.keys import log_signer
from corridor.service.ledger.record import custodial, record_built

from ..plans import plan_body

pytestmark = pytest.mark.django_db
T = 1694420000


@pytest.fixture
def full_tile(parties, tiles):
    """A log past 256 entries, so tile/0/000 and tile/entries/000 are full (served as immutable)."""
    with clock.frozen_at(T):
        assert parties["org-a"].post("/plans", plan_body())[0] == 201
        record_built([custodial("org-a", "plan.note", {"sha256": f"{n:064x}"}, plan="p1") for n in range(250)])
    integrate_now()
    assert (tiles / "tile/0/000").is_file() and (tiles / "tile/entries/000").is_file()
    return tiles


def corrupt(file, at: int = 100) -> bytes:
    good = file.read_bytes()
    data = bytearray(good)
    data[at] ^= 0xFF
    file.write_bytes(bytes(data))
    os.utime(file, ns=(file.stat().st_atime_ns, file.stat().st_mtime_ns + 1_000_000))
    return good


def log_verifies(tiles) -> bool:
    try:
        verify_log(Source(str(tiles)), parse_verifier(log_signer().verifier.encode()))
    except VerificationError:
        return False
    return True


@pytest.mark.parametrize("path", ["tile/0/000", "tile/entries/000"])
def test_a_corrupted_full_tile_is_served_as_it_should_be_and_rewritten(full_tile, public, path):
    good = corrupt(full_tile / path)
    assert not log_verifies(full_tile)
    response = public.get("/log/" + path)
    assert response.status_code == 200 and b"".join(response.streaming_content) == good
    assert "immutable" in response["Cache-Control"]
    assert (full_tile / path).read_bytes() == good and log_verifies(full_tile)


def test_a_proof_is_built_from_checked_tiles(full_tile, public):
    corrupt(full_tile / "tile/0/000", at=70)  # leaf 2: a sibling on entry 3's path
    entry = public.get("/log/entry/3").content
    evidence = parse_evidence(public.get("/log/proof/3").content.decode())
    verify_evidence(evidence, entry, parse_verifier(log_signer().verifier.encode()))  # raises if it fails


def test_log_check_reports_bad_tiles_and_repairs_them(full_tile, capsys):
    corrupt(full_tile / "tile/0/000")
    (full_tile / "tile/entries/000").unlink()
    assert main(["log", "check"]) == 1
    out, err = capsys.readouterr()
    assert "bad      tile/0/000" in err and "bad      tile/entries/000" in err and "2 bad" in out
    assert main(["log", "check", "--repair"]) == 0
    assert "2 repaired" in capsys.readouterr().out
    assert main(["log", "check"]) == 0 and log_verifies(full_tile)


def test_the_worker_repairs_tiles_when_it_starts(full_tile, capsys):
    corrupt(full_tile / "tile/0/000")
    assert main(["worker", "--once"]) == 0
    assert "tile/0/000: repaired" in capsys.readouterr().err
    assert log_verifies(full_tile)
