"""The service commands: createparty (custodial or self-kept key), createuser, demo, sign, import, rebuild."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client

from corridor.cli import main
from corridor.service import clock
from corridor.service.parties.models import ApiToken, Membership, Party, PartyKey

pytestmark = pytest.mark.django_db
T = 1694421000  # 2023-09-11T08:30:00Z


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_createparty_with_a_custodial_key_then_createuser(capsys):
    code, out, _ = run(capsys, "createparty", "wfp", "--name", "World Food Programme", "--kind", "humanitarian")
    assert code == 0 and "custodial" in out
    assert PartyKey.objects.get(party_id="wfp").sealed_private is not None
    code, out, _ = run(capsys, "createuser", "amina", "--party", "wfp", "--role", "admin")
    assert code == 0 and "API token (shown once): cor_" in out
    assert Membership.objects.get(user__username="amina").role == "admin"
    token = out.split("API token (shown once): ")[1].strip()
    assert ApiToken.objects.filter(digest=ApiToken.digest_of(token)).exists()
    assert not ApiToken.objects.filter(digest=token).exists()  # only the hash is stored


def test_createuser_for_an_existing_user_changes_nothing_unless_told_to_update(capsys):
    assert run(capsys, "createparty", "wfp", "--name", "World Food Programme", "--kind", "humanitarian")[0] == 0
    code, out, _ = run(capsys, "createuser", "amina", "--party", "wfp", "--password", "first-password-1")
    first = out.split("API token (shown once): ")[1].strip()
    code, out, err = run(capsys, "createuser", "amina", "--party", "wfp", "--role", "admin")
    assert code == 1 and "[user.exists]" in err and "--update" in err and out == ""
    assert Client().login(username="amina", password="first-password-1")
    assert Membership.objects.get(user__username="amina").role == "officer" and ApiToken.objects.count() == 1
    code, out, _ = run(capsys, "createuser", "amina", "--party", "wfp", "--role", "admin", "--update")
    assert code == 0 and "(updated: a new password; earlier API tokens still work)" in out
    assert Membership.objects.get(user__username="amina").role == "admin"
    assert ApiToken.objects.filter(digest=ApiToken.digest_of(first)).exists() and ApiToken.objects.count() == 2


def test_createuser_for_an_unknown_party_fails_clearly(capsys):
    code, _, err = run(capsys, "createuser", "x", "--party", "nobody")
    assert code == 1 and "there is no party 'nobody'" in err


def test_a_party_that_keeps_its_key_signs_with_the_cli_and_posts_the_entry(capsys, tmp_path, parties):
    key_file = tmp_path / "own.key"
    code, out, _ = run(capsys, "keys", "party", "-o", str(key_file))
    public = out.split("public key (base64): ")[1].split()[0]
    assert code == 0
    with clock.frozen_at(T):
        code, out, _ = run(capsys, "createparty", "ngo-own", "--name", "Own-key NGO", "--kind", "humanitarian",
                           "--public-key", public)
    assert code == 0 and "kept by the party" in out
    assert PartyKey.objects.get(party_id="ngo-own").sealed_private is None
    body = {"legs": [{"id": "l1", "route": "road-b", "lines": [
        {"id": "rice", "item": "Rice", "category": "food", "quantity": 5, "unit": "t", "weight_kg": 5000}]}]}
    code, entry, _ = run(capsys, "sign", "--key", str(key_file), "--party", "ngo-own", "--seq", "1",
                         "--type", "plan.submit", "--plan", "own-1", "--payload", json.dumps(body),
                         "--time", "2023-09-11T08:31:00Z")
    assert code == 0
    with clock.frozen_at(T + 60):
        response = Client().post("/api/v1/statements", data=entry.strip(), content_type="application/json")
    assert response.status_code == 201, response.json()
    assert Party.objects.get(pk="ngo-own").plans.get().id == "own-1"
    code, _, err = run(capsys, "sign", "--key", str(key_file), "--party", "ngo-own", "--seq", "2",
                       "--type", "plan.consent", "--plan", "own-1", "--payload", '{"version": 7}')
    assert code == 1 and "[statement.malformed]" in err
    assert base64.b64decode(public)


def test_a_party_that_keeps_its_key_rotates_it_with_the_cli(capsys, tmp_path, parties):
    """`corridor sign` signs key statements too (strictly parsed as such): a party's own key is its only way
    to rotate or revoke its keys, and to bind its first passkeys."""
    old, new = tmp_path / "old.key", tmp_path / "new.key"
    public = run(capsys, "keys", "party", "-o", str(old))[1].split("public key (base64): ")[1].split()[0]
    replacement = run(capsys, "keys", "party", "-o", str(new))[1].split("public key (base64): ")[1].split()[0]
    with clock.frozen_at(T):
        assert run(capsys, "createparty", "ngo-own", "--name", "Own-key NGO", "--kind", "humanitarian",
                   "--public-key", public)[0] == 0
    code, entry, err = run(capsys, "sign", "--key", str(old), "--party", "ngo-own", "--seq", "1", "--type",
                           "key.rotate", "--payload", json.dumps({"public": replacement}),
                           "--time", "2023-09-11T08:31:00Z")
    assert code == 0, err
    with clock.frozen_at(T + 60):
        response = Client().post("/api/v1/statements", data=entry.strip(), content_type="application/json")
    assert response.status_code == 201, response.json()
    assert PartyKey.objects.get(party_id="ngo-own", revoked_at__isnull=True).public == base64.b64decode(replacement)
    code, _, err = run(capsys, "sign", "--key", str(new), "--party", "ngo-own", "--seq", "2", "--type",
                       "key.revoke", "--payload", '{"key": "x", "extra": 1}')
    assert code == 1 and "[statement.malformed]" in err


def test_demo_is_idempotent_on_the_log(capsys, parties):
    from corridor.service.ledger.models import LogEntry

    size = LogEntry.objects.count()
    code, out, _ = run(capsys, "demo", "--empty")
    assert code == 0 and "org-a" in out and LogEntry.objects.count() == size


def demo_accounts(out: str) -> dict[str, tuple[str, str]]:
    """party -> (password, token), from the demo's printed list."""
    rows = [line.split() for line in out.splitlines() if " password " in line]
    return {row[2]: (row[4], row[6]) for row in rows}


@pytest.fixture
def remembered(tmp_path, monkeypatch):
    path = tmp_path / "demo-credentials.json"
    monkeypatch.setattr("corridor.commands.service.demo_credentials_path", lambda: path)
    return path


def signs_in(password: str, token: str, party: str) -> tuple[bool, int]:
    client = Client()
    return client.login(username=party, password=password), \
        Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/me").status_code


def test_demo_run_again_keeps_every_password_and_token(capsys, remembered):
    code, out, _ = run(capsys, "demo", "--empty")
    first = demo_accounts(out)
    assert code == 0 and len(first) == 7 and "unchanged" not in out
    assert remembered.stat().st_mode & 0o777 == 0o600
    code, out, _ = run(capsys, "demo", "--empty")
    assert code == 0 and demo_accounts(out) == first and "unchanged" in out
    assert all(signs_in(password, token, party) == (True, 200) for party, (password, token) in first.items())
    assert ApiToken.objects.filter(label="demo").count() == 7


def test_demo_without_its_credentials_file_leaves_no_stale_token(capsys, remembered):
    old = demo_accounts(run(capsys, "demo", "--empty")[1])
    remembered.unlink()
    new = demo_accounts(run(capsys, "demo", "--empty")[1])
    for party, (password, token) in new.items():
        assert password != old[party][0] and token != old[party][1]
        assert signs_in(password, token, party) == (True, 200)
        assert signs_in(*old[party], party) == (False, 401), "the old password or token still works"


def test_import_of_a_missing_file(capsys):
    code, _, err = run(capsys, "import", "bsgi", "/nonexistent.csv")
    assert code == 2 and "no file" in err


def test_rebuild_command(capsys, parties):
    code, out, _ = run(capsys, "rebuild")
    assert code == 0 and "rebuilt every read model from 16 log entries" in out


def test_worker_once_publishes_the_checkpoint_and_sends_what_is_due(capsys, parties, tiles):
    from django.core import mail

    from corridor.service.parties.operations import do_set_contact
    from tests.service.plans import plan_body

    do_set_contact("border", email="duty@border.example")
    with clock.frozen_at(T):
        assert parties["org-a"].post("/plans", plan_body())[0] == 201
        assert main(["worker", "--once"]) == 0
    note = (tiles / "checkpoint").read_text()
    assert note.split("\n")[1] == "17"  # the 16 registry entries and the plan
    assert [message.to for message in mail.outbox] == [["duty@border.example"]]
