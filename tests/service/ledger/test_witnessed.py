"""Witnesses configured for the service: the worker publishes a checkpoint only with a quorum of
cosignatures, and the log page says who cosigned."""

from __future__ import annotations

import threading

import pytest
from django.test import Client

from corridor.ledger.note import Cosigner, parse_verifier
from corridor.ledger.witness import Witness, serve
from corridor.service.config import CONFIG
from corridor.service.ledger.integrator import integrate_now
from corridor.service.ledger.keys import log_signer

pytestmark = pytest.mark.django_db


@pytest.fixture
def witness_url(tmp_path):
    cosigner = Cosigner.generate("witness.example/w1")
    witness = Witness(tmp_path / "w1.db", cosigner, {CONFIG.log_origin: [parse_verifier(
        log_signer().verifier.encode())]})
    server = serve(witness, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", cosigner.verifier.encode()
    server.shutdown()


def configure(witnesses, quorum):
    object.__setattr__(CONFIG, "witnesses", tuple(witnesses))
    object.__setattr__(CONFIG, "witness_quorum", quorum)


def test_a_quorum_cosigns_and_the_log_page_shows_it(parties, tiles, witness_url):
    configure([witness_url], 1)
    try:
        note = integrate_now()
        page = Client().get("/transparency/log").content.decode()
    finally:
        configure([], 0)
    assert "— witness.example/w1 " in note and (tiles / "checkpoint").read_text() == note
    assert "witness.example/w1" in page and "cosigned the latest checkpoint" in page


def test_without_the_quorum_the_checkpoint_is_not_published(parties, tiles, witness_url):
    unreachable = ("http://127.0.0.1:9", Cosigner.generate("witness.example/w2").verifier.encode())
    configure([witness_url, unreachable], 2)
    try:
        assert integrate_now() == ""
    finally:
        configure([], 0)
    assert not (tiles / "checkpoint").exists()


def test_witnesses_are_read_from_the_environment(tmp_path):
    from corridor.service.config import load

    config = load({"CORRIDOR_DATA_DIR": str(tmp_path),
                   "CORRIDOR_WITNESSES": "https://w1.example/ w1.example+1234abcd+BAAA; http://w2:7380 w2+00+BBBB",
                   "CORRIDOR_WITNESS_QUORUM": "1"})
    assert config.witnesses == (("https://w1.example/", "w1.example+1234abcd+BAAA"), ("http://w2:7380", "w2+00+BBBB"))
    with pytest.raises(ValueError, match="not 'URL VERIFIER-KEY'"):
        load({"CORRIDOR_DATA_DIR": str(tmp_path), "CORRIDOR_WITNESSES": "w1 only"})
