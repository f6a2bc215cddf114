"""Witnesses: the protocol's answers in-process, and three witness processes on loopback."""

import base64
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from corridor.ledger.checkpoint import Checkpoint
from corridor.ledger.cosigning import Cosigning, QuorumNotMet, WitnessEndpoint
from corridor.ledger.merkle import MemoryTree, consistency_proof, leaf_hash
from corridor.ledger.note import Cosigner, Signer, open_note, sign_note
from corridor.ledger.store import LogStore
from corridor.ledger.verify import Source, VerificationError, verify_log
from corridor.ledger.witness import Witness

ORIGIN = "corridor.example/witnessed"


def tree_of(count, prefix=b"e"):
    tree = MemoryTree()
    for i in range(count):
        tree.append_hash(leaf_hash(prefix + str(i).encode()))
    return tree


def request(old, proof, note):
    return (f"old {old}\n" + "".join(base64.b64encode(h).decode() + "\n" for h in proof) + "\n" + note).encode()


@pytest.fixture
def log_key():
    return Signer.generate(ORIGIN)


@pytest.fixture
def witness(tmp_path, log_key):
    return Witness(tmp_path / "w.db", Cosigner.generate("witness.example/w1"), {ORIGIN: [log_key.verifier]})


def signed(log_key, tree, size):
    return sign_note(Checkpoint(ORIGIN, size, tree.root(size)).body(), [log_key])


def test_first_checkpoint_then_consistent_growth_is_cosigned(witness, log_key):
    tree = tree_of(20)
    first = witness.add_checkpoint(request(0, [], signed(log_key, tree, 10)))
    assert first.status == 200
    opened = open_note(signed(log_key, tree, 10) + first.body, [witness.cosigner.verifier])
    assert [s.name for s in opened.verified] == ["witness.example/w1"]
    grown = witness.add_checkpoint(request(10, consistency_proof(10, 20, tree.range_hash), signed(log_key, tree, 20)))
    assert grown.status == 200


def test_protocol_refusals(witness, log_key):
    tree = tree_of(20)
    assert witness.add_checkpoint(b"nonsense").status == 400
    other = sign_note(Checkpoint("other.example/log", 1, tree.root(1)).body(), [log_key])
    assert witness.add_checkpoint(request(0, [], other)).status == 404
    forged = signed(Signer.generate(ORIGIN), tree, 5)
    assert witness.add_checkpoint(request(0, [], forged)).status == 403
    assert witness.add_checkpoint(request(9, [], signed(log_key, tree, 5))).status == 400
    assert witness.add_checkpoint(request(0, [], signed(log_key, tree, 10))).status == 200
    behind = witness.add_checkpoint(request(0, [], signed(log_key, tree, 15)))
    assert (behind.status, behind.body, behind.content_type) == (409, "10\n", "text/x.tlog.size")
    wrong_proof = consistency_proof(9, 20, tree.range_hash)
    assert witness.add_checkpoint(request(10, wrong_proof, signed(log_key, tree, 20))).status == 422


def test_a_fork_is_refused_by_an_honest_witness(witness, log_key):
    honest, forked = tree_of(10), tree_of(10, prefix=b"X")
    assert witness.add_checkpoint(request(0, [], signed(log_key, honest, 10))).status == 200
    assert witness.add_checkpoint(request(10, [], signed(log_key, forked, 10))).status == 409
    bigger = tree_of(12, prefix=b"X")
    proof = consistency_proof(10, 12, bigger.range_hash)
    assert witness.add_checkpoint(request(10, proof, signed(log_key, bigger, 12))).status == 422


# -- three witness processes on loopback --------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_witness(tmp_path, name, log_key):
    cosigner = Cosigner.generate(name)
    key_file = tmp_path / f"{name.replace('/', '_')}.key"
    key_file.write_text(cosigner.encode())
    port = free_port()
    process = subprocess.Popen([
        sys.executable, "-m", "corridor.cli", "witness", "serve", "--db", str(tmp_path / f"{port}.db"),
        "--key-file", str(key_file), "--log", log_key.verifier.encode(), "--listen", f"127.0.0.1:{port}",
    ])
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/ready", timeout=0.2)
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.05)
    return process, WitnessEndpoint(url, cosigner.verifier)


@pytest.fixture
def three_witnesses(tmp_path, log_key):
    started = [start_witness(tmp_path, f"witness.example/w{i}", log_key) for i in range(3)]
    yield started
    for process, _ in started:
        process.kill()
        process.wait()


def test_quorum_publishes_with_one_witness_down(tmp_path, log_key, three_witnesses):
    store = LogStore(tmp_path / "log.db", tmp_path / "tiles", ORIGIN, log_key)
    cosigning = Cosigning([endpoint for _, endpoint in three_witnesses], quorum=2)
    store.append([b"a", b"b", b"c"])
    store.integrate()
    store.publish(cosigning)
    three_witnesses[2][0].kill()
    store.append([b"d"])
    store.integrate()
    note = store.publish(cosigning)
    keys = [endpoint.key for _, endpoint in three_witnesses]
    report = verify_log(Source(str(tmp_path / "tiles")), log_key.verifier, keys, quorum=2)
    assert report.size == 4 and len(report.witnesses) == 2
    assert "witness.example/w2" in cosigning.failures
    three_witnesses[1][0].kill()
    store.append([b"e"])
    store.integrate()
    with pytest.raises(QuorumNotMet):
        store.publish(cosigning)
    assert (tmp_path / "tiles" / "checkpoint").read_text() == note, "without quorum the old checkpoint stays"


def test_a_forking_log_is_refused_by_every_honest_witness_and_the_verifier(tmp_path, log_key, three_witnesses):
    endpoints = [endpoint for _, endpoint in three_witnesses]
    honest = LogStore(tmp_path / "honest.db", tmp_path / "honest", ORIGIN, log_key)
    honest.append([b"a", b"b"])
    honest.integrate()
    honest.publish(Cosigning(endpoints, quorum=3))
    seen = verify_log(Source(str(tmp_path / "honest")), log_key.verifier, [e.key for e in endpoints], quorum=3)
    forked = LogStore(tmp_path / "forked.db", tmp_path / "forked", ORIGIN, log_key)
    forked.append([b"a", b"X"])
    forked.integrate()
    cosigning = Cosigning([WitnessEndpoint(e.url, e.key, known_size=2) for e in endpoints], quorum=1)
    with pytest.raises(QuorumNotMet):
        forked.publish(cosigning)
    assert all(reason.startswith("HTTP 409") for reason in cosigning.failures.values())
    assert len(cosigning.failures) == 3
    forked.publish()  # the forking log publishes anyway, without cosignatures
    with pytest.raises(VerificationError, match="fork"):
        verify_log(Source(str(tmp_path / "forked")), log_key.verifier, previous=(seen.size, seen.root))


def test_witness_over_http_in_process(witness, log_key):
    import threading

    from corridor.ledger.witness import serve

    server = serve(witness, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        tree = tree_of(3)
        body = request(0, [], signed(log_key, tree, 3))
        with urllib.request.urlopen(urllib.request.Request(url + "/add-checkpoint", data=body)) as response:
            assert response.status == 200 and response.read().decode().startswith("— witness.example/w1 ")
        for path, data, status in (("/elsewhere", body, 404), ("/add-checkpoint", b"x" * 70000, 400)):
            with pytest.raises(urllib.error.HTTPError) as failure:
                urllib.request.urlopen(urllib.request.Request(url + path, data=data))
            assert failure.value.code == status
    finally:
        server.shutdown()


def test_witnesses_cosign_a_reopened_log_from_consistency_proofs_read_from_tiles(tmp_path, log_key, three_witnesses):
    """The store keeps no tree in memory: after a restart, the proof that 300 entries grew into 70,300 (three
    tile levels) is read from the tiles and the right edge, and every witness accepts it."""
    endpoints = [endpoint for _, endpoint in three_witnesses]
    store = LogStore(tmp_path / "log.db", tmp_path / "tiles", ORIGIN, log_key)
    store.append([f"a{i}".encode() for i in range(300)])
    store.integrate(1000)
    store.publish(Cosigning(endpoints, quorum=3))
    store.close()
    store = LogStore(tmp_path / "log.db", tmp_path / "tiles", ORIGIN, log_key)
    store.append([f"b{i}".encode() for i in range(70_000)])
    while store.integrate(100_000) < store.sequenced_size():
        pass
    cosigning = Cosigning([WitnessEndpoint(e.url, e.key) for e in endpoints], quorum=3)  # sizes learnt by 409
    store.publish(cosigning)
    report = verify_log(Source(str(tmp_path / "tiles")), log_key.verifier, [e.key for e in endpoints], quorum=3)
    assert report.size == 70_300 and len(report.witnesses) == 3 and cosigning.failures == {}
