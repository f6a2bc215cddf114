"""The trust file read from a data directory carries the WebAuthn origins the service declared there."""

from __future__ import annotations

import base64
import dataclasses

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from corridor.ledger.note import Signer
from corridor.ledger.passkeys import WebAuthnPolicy
from corridor.service.config import CONFIG
from corridor.service.ledger import origins
from corridor.service.ledger.trust import trust_text_of, webauthn_policy_of


@pytest.fixture
def data_dir(tmp_path):
    (tmp_path / "log.key").write_text(Signer.generate("corridor.local/test").encode())
    (tmp_path / "operator.key").write_text(base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode())
    return tmp_path


def test_without_declared_origins_the_trust_file_has_no_webauthn_line(data_dir):
    text = trust_text_of(data_dir)
    assert [line.split()[0] for line in text.splitlines()] == ["log", "registrar"]
    assert webauthn_policy_of(data_dir) == WebAuthnPolicy()


def test_declared_origins_become_webauthn_lines(data_dir):
    (data_dir / "webauthn-origins").write_text("localhost http://localhost:8000\n\n# moved\n"
                                               "corridor.example.org https://corridor.example.org\n")
    lines = trust_text_of(data_dir).splitlines()
    assert lines[2:] == ["webauthn localhost http://localhost:8000",  # in the order declared
                         "webauthn corridor.example.org https://corridor.example.org"]
    assert webauthn_policy_of(data_dir).rp_ids("http://localhost:8000") == ["localhost"]


def test_an_origin_keeps_every_rp_id_it_was_declared_with(data_dir):
    (data_dir / "webauthn-origins").write_text("localhost http://localhost:8612\nother.localhost http://localhost:8612\n")
    assert webauthn_policy_of(data_dir).rp_ids("http://localhost:8612") == ["localhost", "other.localhost"]
    assert trust_text_of(data_dir).splitlines()[2:] == ["webauthn localhost http://localhost:8612",
                                                        "webauthn other.localhost http://localhost:8612"]


def test_the_service_declares_each_rp_id_of_its_origin_once(data_dir, monkeypatch):
    """CORRIDOR_WEBAUTHN_RP_ID moved to another RP id and back: two lines, the first still there."""
    for rp_id in ("localhost", "other.localhost", "localhost", "other.localhost"):
        config = dataclasses.replace(CONFIG, data_dir=data_dir, webauthn_origin="http://localhost:8612",
                                     webauthn_rp_id=rp_id)
        monkeypatch.setattr(origins, "CONFIG", config)
        assert origins.policy().declares(rp_id, "http://localhost:8612")
    assert (data_dir / "webauthn-origins").read_text() == ("localhost http://localhost:8612\n"
                                                           "other.localhost http://localhost:8612\n")


def test_a_process_that_serves_no_pages_declares_no_origin(data_dir, monkeypatch):
    """A CLI command (an import, createparty) run from a shell has the default origin, where no browser signed:
    it reads the origins declared, and adds none to the trust file for good."""
    (data_dir / "webauthn-origins").write_text("localhost http://localhost:8101\n")
    config = dataclasses.replace(CONFIG, data_dir=data_dir, webauthn_origin="http://localhost:8000",
                                 webauthn_rp_id="localhost")
    monkeypatch.setattr(origins, "CONFIG", config)
    monkeypatch.setattr(origins, "declares_configured_origin", False)
    declared = origins.policy()
    assert declared.declares("localhost", "http://localhost:8101")
    assert not declared.declares("localhost", "http://localhost:8000")
    assert (data_dir / "webauthn-origins").read_text() == "localhost http://localhost:8101\n"


def test_the_web_process_declares_its_origin_and_a_cli_process_does_not(tmp_path):
    """Each a process of its own, as deployed: `corridor createparty` from a shell, then the WSGI application
    (what granian serves) loaded, each asked for the trust text."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "CORRIDOR_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/c.sqlite3",
           "CORRIDOR_WEBAUTHN_ORIGIN": "http://localhost:8123", "DJANGO_SETTINGS_MODULE": "corridor.service.settings"}
    env.pop("CORRIDOR_WEBAUTHN_RP_ID", None)
    ask = "from corridor.service.ledger.keys import trust_text; print(trust_text())"
    run = [sys.executable, "-c", "import django; django.setup(); " + ask]
    assert "webauthn" not in subprocess.run(run, env=env, capture_output=True, text=True, check=True).stdout
    assert not (tmp_path / "webauthn-origins").exists() or "8123" not in (tmp_path / "webauthn-origins").read_text()
    run = [sys.executable, "-c", "import corridor.service.wsgi; " + ask]
    served = subprocess.run(run, env=env, capture_output=True, text=True, check=True).stdout
    assert "webauthn localhost http://localhost:8123" in served


def test_a_malformed_origins_file_is_refused(data_dir):
    (data_dir / "webauthn-origins").write_text("http://localhost:8000\n")
    with pytest.raises(ValueError, match="RP_ID ORIGIN"):
        trust_text_of(data_dir)


@pytest.fixture
def served_from(data_dir, monkeypatch):
    """The service's trust text (ledger/keys.trust_text) read from `data_dir`, counting its reads of the files."""
    from corridor.service.ledger import keys
    from corridor.service.permits import keys as permit_keys

    cached = (keys.log_signer, keys.operator_key, permit_keys.permit_key)  # each process's keys, read once
    config = dataclasses.replace(CONFIG, data_dir=data_dir)
    for module in (keys, origins, permit_keys):
        monkeypatch.setattr(module, "CONFIG", config)
    reads = []
    monkeypatch.setattr(keys, "trust_text_of", lambda path: reads.append(path) or trust_text_of(path))
    monkeypatch.setattr(keys, "_trust_read", None)
    for read_once in cached:
        read_once.cache_clear()
    yield keys.trust_text, reads
    for read_once in cached:  # read again from the service's own data directory, not this one
        read_once.cache_clear()


def test_the_served_trust_text_is_read_again_only_when_a_file_changed(served_from, data_dir):
    trust_text, reads = served_from
    first = trust_text()
    assert trust_text() == first and trust_text() == first and len(reads) == 1
    with (data_dir / "webauthn-origins").open("a") as declared:
        declared.write("corridor.example.org https://corridor.example.org\n")
    assert "webauthn corridor.example.org https://corridor.example.org" in trust_text() and len(reads) == 2
    assert trust_text() != first and len(reads) == 2


def test_a_new_permit_key_is_in_the_next_trust_text(served_from, data_dir):
    trust_text, reads = served_from
    before = trust_text()
    (data_dir / "permit.key").write_text(base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode())
    after = trust_text()
    assert len(reads) == 2 and after != before
    assert [line for line in after.splitlines() if line.startswith("permit ")] == \
        [line for line in trust_text_of(data_dir).splitlines() if line.startswith("permit ")]
