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
    assert public.get("/log/tile/0/000%00").status_code == 404  # no path holds a NUL (was a 500)
    entry = public.get("/log/entry/3").content
    blob = public.get("/log/proof/3").content.decode()
    evidence = parse_evidence(blob)
    checkpoint, _ = verify_evidence(evidence, entry, parse_verifier(log_signer().verifier.encode()))
    assert checkpoint.size == size
    assert public.get(f"/log/proof/{size}").status_code == 404
    assert "registrar operator " in public.get("/log/trust.txt").content.decode()


def test_one_proof_reader_is_kept_and_advanced_as_the_log_grows(parties, public, tiles):
    """Proofs come from a reader kept per process (its tiles cached), advanced to each published size, and
    still right for a request that read the smaller checkpoint just before the log grew."""
    from corridor.service import clock
    from corridor.service.ledger import views
    from corridor.service.ledger.record import custodial, record_built

    from ..plans import plan_body

    verifier = parse_verifier(log_signer().verifier.encode())
    integrate_now()
    first = public.get("/log/proof/3").content.decode()
    reader = next(r for (root, _), r in views._readers.items() if root == tiles)
    with clock.frozen_at(1694420000):
        assert parties["org-a"].post("/plans", plan_body())[0] == 201
        record_built([custodial("org-a", "plan.note", {"sha256": f"{n:064x}"}, plan="p1") for n in range(300)])
    integrate_now()
    later = parse_evidence(public.get("/log/proof/3").content.decode())
    checkpoint, _ = verify_evidence(later, public.get("/log/entry/3").content, verifier)
    assert checkpoint.size > 300 and reader.size == checkpoint.size
    assert [r for (root, _), r in views._readers.items() if root == tiles] == [reader]
    old = parse_evidence(first)  # the proof at size 16 from the advanced reader equals the one served then
    assert reader.inclusion(3, 16) == old.proof and later.proof != old.proof
    verify_evidence(old, public.get("/log/entry/3").content, verifier)



def test_the_logs_404s_carry_a_code_and_say_why(parties, public, tiles):
    """A verifier asking for what the log has not published is told so, in the API's refusal shape; a path that
    matches nothing is not echoed back."""
    assert public.get("/log/checkpoint").json() == {"code": "log.not_found",
                                                     "message": "the log has no checkpoint yet"}
    integrate_now()
    size = int(public.get("/log/checkpoint").content.decode().split("\n")[1])
    for path, message in ((f"/log/proof/{size}", f"entry {size} is not yet in the published log (size {size})"),
                          (f"/log/entry/{size + 99}", f"no entry {size + 99}"),
                          ("/log/tile/0/999", "no such tile"),
                          ("/log/<script>alert(1)</script>", "there is no such file in the public log"),
                          ("/log/entry/" + "9" * 4000, "there is no such file in the public log")):
        response = public.get(path)
        assert response.status_code == 404 and response["Content-Type"] == "application/json", path
        assert response.json()["code"] == "log.not_found"
        assert response.json()["message"].startswith(message), (path, response.json())
        assert b"<script>" not in response.content and response["X-Content-Type-Options"] == "nosniff"
