"""`corridor permit audit`: what only the log settles, checked against the service's own published log."""

from __future__ import annotations

import json

import pytest

from corridor.cli import main
from corridor.permits.cose import decode_sign1
from corridor.permits.document import Permit, decode
from corridor.permits.qr import to_text
from corridor.permits.sign import sign_permit
from corridor.service.ledger.integrator import integrate_now
from corridor.service.ledger.keys import trust_text
from corridor.service.permits.keys import permit_key
from corridor.service.permits.models import IssuedPermit

from ..web.stages import T, consented, post, scheduled, submitted

pytestmark = pytest.mark.django_db


def audit(tmp_path, tiles, permit: str, capsys) -> tuple[int, dict]:
    trust = tmp_path / "trust.txt"
    trust.write_text(trust_text())
    code = main(["permit", "audit", permit, str(tiles), "--trust", str(trust), "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_a_recorded_permit_settles_and_its_revocation_is_found(parties, tiles, tmp_path, capsys):
    submitted(parties)
    consented(parties)
    integrate_now()  # a signed checkpoint before the permit: it names that one
    scheduled(parties)
    integrate_now()
    row = IssuedPermit.objects.get()
    code, answer = audit(tmp_path, tiles, to_text(bytes(row.signed)), capsys)
    assert code == 0 and answer["settled"] and answer["issued_at_index"] == row.log_index, answer
    post(parties, "recv", "/plans/p1/withdraw", {"reason": "security"}, T + 3000)
    integrate_now()
    code, answer = audit(tmp_path, tiles, to_text(bytes(row.signed)), capsys)
    assert code == 1 and [p[0] for p in answer["problems"]] == ["permit.revoked"], answer


def test_a_permit_signed_with_the_key_but_never_recorded_is_caught(parties, tiles, tmp_path, capsys):
    submitted(parties)
    consented(parties)
    scheduled(parties)
    integrate_now()
    recorded = decode(decode_sign1(bytes(IssuedPermit.objects.get().signed)).payload)

    def leaked(**changes) -> str:
        fields = {name: getattr(recorded, name) for name in recorded.__struct_fields__}
        return to_text(sign_permit(Permit(**(fields | changes)), permit_key()))

    code, answer = audit(tmp_path, tiles, leaked(plate="ZZ 999", consents=(1, 2)), capsys)
    assert code == 1 and {p[0] for p in answer["problems"]} == {"permit.not_on_log", "permit.consents_invalid"}
    _, answer = audit(tmp_path, tiles, leaked(log_root=bytes(32)), capsys)
    assert "permit.log_fork" in {p[0] for p in answer["problems"]}
    _, answer = audit(tmp_path, tiles, leaked(log_size=10**6), capsys)
    assert "permit.log_behind" in {p[0] for p in answer["problems"]}
