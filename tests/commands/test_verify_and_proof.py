"""`corridor verify`, `corridor proof` and `corridor keys` as a user runs them."""

import base64
import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from corridor.cli import main
from corridor.ledger.crypto import public_bytes
from corridor.ledger.envelope import seal
from corridor.ledger.note import Signer, parse_signer
from corridor.ledger.store import LogStore

from ..ledger.authenticator import ORIGIN, RP_ID, Authenticator
from ..ledger.vectors import tessera_log_copy


@pytest.fixture
def tessera(tmp_path):
    log, public, _ = tessera_log_copy(tmp_path)
    return log, public


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_verify_a_tree_then_again_proves_it_only_grew(tmp_path, capsys, tessera):
    log, key = tessera
    state = tmp_path / "state.json"
    code, out, _ = run(capsys, "verify", log, "--log-key", key, "--tree-only", "--state", state)
    assert code == 0 and "OK: example.com/log/testdata — 15 entries" in out
    code, out, _ = run(capsys, "verify", log, "--log-key", key, "--tree-only", "--state", state, "--json")
    result = json.loads(out)
    assert (code, result["ok"], result["consistent_with_previous"]) == (0, True, 15)


def test_verify_names_the_tampered_file(tmp_path, capsys, tessera):
    log, key = tessera
    tile = log / "tile/0/000.p/15"
    tile.write_bytes(b"\xff" + tile.read_bytes()[1:])
    code, _, err = run(capsys, "verify", log, "--log-key", key, "--tree-only", "--state", tmp_path / "s.json")
    assert code == 1 and "FAILED: tile/0/000.p/15" in err


def test_foreign_entries_need_tree_only(tmp_path, capsys, tessera):
    log, key = tessera
    code, _, err = run(capsys, "verify", log, "--log-key", key, "--state", tmp_path / "s.json")
    assert code == 1 and "entry 0: entry.malformed" in err


def test_verify_over_http(tmp_path, capsys, tessera):
    log, key = tessera
    handler = partial(SimpleHTTPRequestHandler, directory=str(log))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        code, out, _ = run(capsys, "verify", url, "--log-key", key, "--tree-only", "--state", tmp_path / "s.json")
    finally:
        server.shutdown()
    assert code == 0 and "15 entries" in out


def corridor_log(tmp_path, rogue=False, signer=None, statements=2):
    """A Corridor log: the operator registers org-a's key, org-a signs two statements."""
    signer = signer or Signer.generate("corridor.example/log")
    operator, org = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    store = LogStore(tmp_path / "log.db", tmp_path / "tiles", "corridor.example/log", signer)
    register = {"type": "key.register", "party": "operator", "seq": 1, "time": "2023-09-11T07:00:00Z",
                "payload": {"party": "org-a", "public": base64.b64encode(public_bytes(org)).decode()}}
    cancel = {"type": "plan.cancel", "party": "org-a", "seq": 1, "time": "2023-09-11T08:00:00Z", "plan": "p1",
              "payload": {}}
    store.append([seal(register, operator), *(seal({**cancel, "seq": n}, org) for n in range(1, statements + 1))])
    if rogue:
        store.append([seal({**cancel, "seq": 3}, Ed25519PrivateKey.generate())])
    store.integrate()
    store.publish()
    trust = tmp_path / "trust.txt"
    trust.write_text(f"log {signer.verifier.encode()}\n"
                     f"registrar operator {base64.b64encode(public_bytes(operator)).decode()}\n")
    return tmp_path / "tiles", trust


def test_verify_checks_every_signature_against_the_key_history(tmp_path, capsys):
    tiles, trust = corridor_log(tmp_path)
    code, out, _ = run(capsys, "verify", tiles, "--trust", trust, "--state", tmp_path / "s.json")
    assert code == 0 and "3 entry signatures checked" in out


def test_verify_names_an_entry_signed_with_an_unregistered_key(tmp_path, capsys):
    tiles, trust = corridor_log(tmp_path, rogue=True)
    code, _, err = run(capsys, "verify", tiles, "--trust", trust, "--state", tmp_path / "s.json")
    assert code == 1 and "entry 3: key.unknown" in err


def test_two_logs_under_the_same_name_with_different_keys_are_not_a_fork(tmp_path, capsys):
    state = tmp_path / "seen.json"
    for name in ("first", "second"):
        (tmp_path / name).mkdir()
        tiles, trust = corridor_log(tmp_path / name)
        code, out, err = run(capsys, "verify", tiles, "--trust", trust, "--state", state)
        assert code == 0 and "corridor.example/log — 3 entries" in out, err
    assert len(json.loads(state.read_text())) == 2


def test_a_log_that_rewrote_what_a_verifier_saw_is_still_a_fork(tmp_path, capsys):
    state, signer = tmp_path / "seen.json", Signer.generate("corridor.example/log")
    (tmp_path / "seen").mkdir()
    tiles, trust = corridor_log(tmp_path / "seen", signer=signer)
    assert run(capsys, "verify", tiles, "--trust", trust, "--state", state)[0] == 0
    (tmp_path / "rewritten").mkdir()
    tiles, trust = corridor_log(tmp_path / "rewritten", signer=signer, statements=3)  # same key, other entries
    code, _, err = run(capsys, "verify", tiles, "--trust", trust, "--state", state)
    assert code == 1 and "a fork" in err


def test_proof_of_one_entry_verifies_offline(tmp_path, capsys, tessera):
    log, key = tessera
    proof, entry = tmp_path / "e.tlog-proof", tmp_path / "e.bin"
    code, out, _ = run(capsys, "proof", 6, "--source", log, "-o", proof, "--entry-output", entry)
    assert code == 0 and entry.read_bytes() == b"seven"
    assert proof.read_text().startswith("c2sp.org/tlog-proof@v1\nindex 6\n")
    code, out, _ = run(capsys, "verify", "--proof", proof, "--entry", entry, "--log-key", key)
    assert code == 0 and "entry 6 is in example.com/log/testdata at size 15" in out
    entry.write_bytes(b"eight")
    code, _, err = run(capsys, "verify", "--proof", proof, "--entry", entry, "--log-key", key)
    assert code == 1 and "entry 6" in err
    code, _, err = run(capsys, "proof", 99, "--source", log, "-o", proof)
    assert code == 2 and "not in the log" in err


def test_keys_generate_writes_a_private_file_and_prints_the_verifier(tmp_path, capsys):
    path = tmp_path / "log.key"
    code, out, _ = run(capsys, "keys", "generate", "corridor.example/log", "-o", path)
    assert code == 0 and out.startswith("corridor.example/log+")
    assert path.stat().st_mode & 0o777 == 0o600
    assert parse_signer(path.read_text()).verifier.encode() == out.strip()
    code, _, err = run(capsys, "keys", "generate", "x", "-o", path)
    assert code == 2 and "not overwriting" in err


def passkey_log(tmp_path, after_revocation=False, member_rp_id=RP_ID):
    """org-a's key binds an admin's passkey, the admin a member's; the member signs, the admin revokes it.
    `member_rp_id`: the RP id the member's passkey was made for (on the same origin as the admin's)."""
    signer, operator, org = Signer.generate("corridor.example/log"), Ed25519PrivateKey.generate(), \
        Ed25519PrivateKey.generate()
    admin, member = Authenticator(), Authenticator("EdDSA", rp_id=member_rp_id)
    store = LogStore(tmp_path / "log.db", tmp_path / "tiles", "corridor.example/log", signer)

    def statement(party, seq, kind="plan.cancel", /, **payload):
        plan = {} if kind.startswith("key.") else {"plan": "p1"}
        return {"type": kind, "party": party, "seq": seq, "time": "2023-09-11T08:00:00Z", "payload": payload} | plan

    entries = [seal(statement("operator", 1, "key.register", party="org-a",
                              public=base64.b64encode(public_bytes(org)).decode()), operator),
               seal(statement("org-a", 1, "key.bind", **admin.bind_payload("org-a/m1", admin=True)), org),
               admin.seal(statement("org-a", 2, "key.bind", **member.bind_payload("org-a/m2"))),
               member.seal(statement("org-a", 3)), member.seal(statement("org-a", 4)),
               admin.seal(statement("org-a", 5, "key.revoke", key=member.key, reason="phone lost"))]
    if after_revocation:
        entries.append(member.seal(statement("org-a", 6)))
    store.append(entries)
    store.integrate()
    store.publish()
    trust = tmp_path / "trust.txt"
    second = f"webauthn {member_rp_id} {ORIGIN}\n" if member_rp_id != RP_ID else ""
    trust.write_text(f"log {signer.verifier.encode()}\n"
                     f"registrar operator {base64.b64encode(public_bytes(operator)).decode()}\n"
                     f"webauthn {RP_ID} {ORIGIN}\n{second}")
    return tmp_path / "tiles", trust


def test_verify_checks_passkey_signatures_and_says_how_each_entry_was_signed(tmp_path, capsys):
    tiles, trust = passkey_log(tmp_path)
    code, out, err = run(capsys, "verify", tiles, "--trust", trust, "--state", tmp_path / "s.json")
    assert code == 0, err
    assert "6 entry signatures checked" in out
    assert "       1 by the operator (registrar)" in out and "       1 with a key the party keeps itself" in out
    assert "       4 with a member's passkey" in out and "org-a: 1 party, 4 passkey" in out
    assert "passkey signatures per member:\n    org-a/m1: 2\n    org-a/m2: 2" in out
    code, out, _ = run(capsys, "verify", tiles, "--trust", trust, "--state", tmp_path / "s.json", "--json")
    assert json.loads(out)["signed"] == {
        "kinds": {"registrar": 1, "custodial": 0, "party": 1, "passkey": 4},
        "parties": {"operator": {"registrar": 1}, "org-a": {"party": 1, "passkey": 4}},
        "members": {"org-a/m1": 2, "org-a/m2": 2}, "offline": {"passkey": 0, "parties": {}, "members": {}}}
    assert "signed offline" not in out


def test_verify_refuses_a_passkey_used_after_its_revocation(tmp_path, capsys):
    tiles, trust = passkey_log(tmp_path, after_revocation=True)
    code, _, err = run(capsys, "verify", tiles, "--trust", trust, "--state", tmp_path / "s.json")
    assert code == 1 and "entry 6: key.revoked" in err


def test_verify_accepts_passkeys_only_on_the_declared_origins(tmp_path, capsys):
    tiles, trust = passkey_log(tmp_path)
    trust.write_text(trust.read_text().replace(f"webauthn {RP_ID} {ORIGIN}", "webauthn example.org https://example.org"))
    code, _, err = run(capsys, "verify", tiles, "--trust", trust, "--state", tmp_path / "s.json")
    assert code == 1 and "entry 2: passkey.origin" in err
    trust.write_text(trust.read_text() + "webauthn example.org\n")
    code, _, err = run(capsys, "verify", tiles, "--trust", trust, "--state", tmp_path / "s.json")
    assert code == 1 and "webauthn RP_ID ORIGIN" in err


def test_an_origin_declared_with_a_second_rp_id_accepts_both(tmp_path, capsys):
    """The service moved its RP id (CORRIDOR_WEBAUTHN_RP_ID) on the same origin: the admin's passkey was made
    for the first, the member's for the second, and the entries of both verify."""
    tiles, trust = passkey_log(tmp_path, member_rp_id="other.localhost")
    assert trust.read_text().count(ORIGIN) == 2
    code, out, err = run(capsys, "verify", tiles, "--trust", trust, "--state", tmp_path / "s.json")
    assert code == 0 and "passkey signatures per member:\n    org-a/m1: 2\n    org-a/m2: 2" in out, err
    trust.write_text(trust.read_text().replace(f"webauthn {RP_ID} {ORIGIN}\n", ""))
    code, _, err = run(capsys, "verify", tiles, "--trust", trust, "--state", tmp_path / "s.json")
    assert code == 1 and "entry 2: passkey.origin" in err  # the admin's, made for the RP id no longer declared


def test_verify_reports_the_passkey_signatures_inside_relays(tmp_path, capsys):
    """A statement an officer signed offline reaches the log inside the operator's offline.relay: the report
    counts the operator's signature as the operator's, and the passkey's inside it as signed offline."""
    from ..ledger.test_relay import OPERATOR, Log, _published

    log = Log()
    log.relay(*log.offline("a" * 32))
    log.relay(*log.offline("b" * 32))
    trust = _published(log, tmp_path / "tiles")
    (tmp_path / "trust.txt").write_text(f"log {trust.log_key.encode()}\n"
                                        f"registrar operator {base64.b64encode(public_bytes(OPERATOR)).decode()}\n"
                                        f"webauthn {RP_ID} {ORIGIN}\n")
    code, out, err = run(capsys, "verify", tmp_path / "tiles", "--trust", tmp_path / "trust.txt",
                         "--state", tmp_path / "s.json")
    assert code == 0, err
    assert "       7 by the operator (registrar)" in out
    assert ("  2 statements signed offline by passkeys, relayed by the operator (each relay counted above as "
            "the operator's):\n    border: 2\n  offline passkey signatures per member:\n    border/m1: 2") in out
    code, out, _ = run(capsys, "verify", tmp_path / "tiles", "--trust", tmp_path / "trust.txt",
                       "--state", tmp_path / "s.json", "--json")
    assert json.loads(out)["signed"]["offline"] == {"passkey": 2, "parties": {"border": 2},
                                                    "members": {"border/m1": 2}}
