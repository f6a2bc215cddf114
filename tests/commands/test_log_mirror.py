"""`corridor log mirror` against a running service: a verified copy over HTTP, then only what is new; a
refusal prints a stable code and leaves the mirror as it was."""

from __future__ import annotations

import pytest

from corridor.cli import main
from corridor.ledger.note import parse_verifier
from corridor.ledger.trustfile import parse_trust
from corridor.ledger.verify import Source, verify_log
from corridor.service import clock
from corridor.service.ledger.integrator import integrate_now
from corridor.service.ledger.keys import log_signer, trust_text
from corridor.service.ledger.record import custodial, record_built
from tests.service.plans import plan_body

pytestmark = pytest.mark.django_db(transaction=True)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def files(directory) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in directory.rglob("*")
            if p.is_file() and not p.name.startswith(".mirror")}


def test_mirror_a_live_service_then_only_what_is_new(parties, tiles, live_server, tmp_path, capsys):
    integrate_now()
    trust = tmp_path / "trust.txt"
    trust.write_text(trust_text())
    target, log = tmp_path / "mirror", f"{live_server.url}/log"
    code, out, err = run(capsys, "log", "mirror", log, target, "--trust", trust)
    assert code == 0, err
    first = verify_log(Source(str(target)), parse_verifier(log_signer().verifier.encode()))
    assert f"0 -> {first.size} entries" in out and files(target)["trust.txt"].decode() == trust_text()
    assert parse_trust((target / "trust.txt").read_text()).log_key.encode() == log_signer().verifier.encode()
    before = files(target)
    with clock.frozen_at(1694420000):
        assert parties["org-a"].post("/plans", plan_body())[0] == 201
        record_built([custodial("org-a", "plan.note", {"sha256": f"{n:064x}"}, plan="p1") for n in range(300)])
    integrate_now()
    code, out, err = run(capsys, "log", "mirror", log, target)  # trusts its own copy of the trust file now
    assert code == 0, err
    after = files(target)
    grown = verify_log(Source(str(target)), parse_verifier(log_signer().verifier.encode())).size
    assert f"{first.size} -> {grown} entries" in out and grown > first.size + 300
    copied = {path for path, data in after.items() if before.get(path) != data}
    assert copied and all(path == "checkpoint" or path.startswith("tile/") for path in copied)
    assert {path for path in before if ".p/" not in path} <= after.keys()  # nothing full fetched again
    assert all(before[path] == after[path] for path in before if ".p/" not in path and path != "checkpoint")
    code, out, _ = run(capsys, "log", "mirror", log, target)
    assert code == 0 and f"up to date at {grown} entries; 0 files" in out


def test_a_refusal_prints_its_code_and_leaves_the_mirror_serving_the_last_good_copy(parties, tiles, tmp_path,
                                                                                     capsys):
    integrate_now()
    target = tmp_path / "mirror"
    trust = tmp_path / "trust.txt"
    trust.write_text(trust_text())
    assert run(capsys, "log", "mirror", tiles, target, "--trust", trust)[0] == 0  # from the service's directory
    before = files(target)
    with clock.frozen_at(1694420000):
        assert parties["org-a"].post("/plans", plan_body())[0] == 201
    integrate_now()
    bundle = next(p for p in (tiles / "tile" / "entries").rglob("*") if p.is_file() and ".p" in str(p.parent))
    bundle.write_bytes(bundle.read_bytes()[:-1] + b"!")
    code, _, err = run(capsys, "log", "mirror", tiles, target)
    assert code == 1 and "[mirror.tile]" in err and "the mirror is unchanged" in err
    assert files(target) == before
