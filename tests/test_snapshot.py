"""Fold snapshots: a fold restored from a snapshot and fed the rest of the log is the fold replayed from
scratch; a snapshot that is altered, another service's, another log's or another code's is refused."""

from __future__ import annotations

import functools

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor import snapshot
from corridor.fold import LogFold
from corridor.ledger.crypto import public_bytes
from corridor.ledger.merkle import leaf_hash, root_of
from corridor.snapshot import SnapshotRefused
from tests.figures.signed_logs import signed_log
from tests.generated_logs import OPERATOR, generated_log

SECRET = b"s" * 32


@functools.cache
def two_roads() -> tuple[bytes, list[bytes]]:
    log = signed_log()
    return log.sealed.registrar_public, log.entries


@functools.cache
def generated() -> tuple[bytes, list[bytes]]:
    operator, entries = generated_log(40)
    return public_bytes(operator), entries


LOGS = {"two-roads": two_roads, "generated": generated}


def replayed(registrar: bytes, entries: list[bytes]) -> LogFold:
    fold = LogFold(OPERATOR, registrar)
    for entry in entries:
        fold.apply_entry(entry)
    return fold


def roots_of(entries: list[bytes]):
    return lambda size: root_of([leaf_hash(entry) for entry in entries[:size]]) if size <= len(entries) else None


def snapshot_at(registrar: bytes, entries: list[bytes], size: int) -> bytes:
    return snapshot.encode(replayed(registrar, entries[:size]), roots_of(entries)(size), SECRET)


@settings(max_examples=25, deadline=None)
@given(log=st.sampled_from(sorted(LOGS)), cut=st.floats(0, 1))
def test_snapshot_and_tail_fold_to_the_full_replay(log, cut):
    registrar, entries = LOGS[log]()
    size = round(cut * len(entries))
    restored = snapshot.decode(snapshot_at(registrar, entries, size), SECRET, roots_of(entries),
                               registrar_public=registrar)
    assert restored.size == size
    for entry in entries[size:]:
        restored.apply_entry(entry, signature_checked=True)
    assert snapshot.encode_body(restored) == snapshot.encode_body(replayed(registrar, entries))


def test_a_restored_fold_still_refuses_what_the_replayed_one_refuses():
    registrar, entries = two_roads()
    restored = snapshot.decode(snapshot_at(registrar, entries, 40), SECRET, roots_of(entries),
                               registrar_public=registrar)
    with pytest.raises(Exception) as caught:
        restored.apply_entry(entries[39])  # already applied: its party's number is taken
    assert getattr(caught.value, "code", None) == "seq.duplicate"


@pytest.fixture
def made() -> tuple[bytes, list[bytes], bytes]:
    registrar, entries = two_roads()
    return registrar, entries, snapshot_at(registrar, entries, 30)


def refusal(data: bytes, registrar: bytes, entries: list[bytes], secret: bytes = SECRET, roots=None) -> str:
    with pytest.raises(SnapshotRefused) as caught:
        snapshot.decode(data, secret, roots or roots_of(entries), registrar_public=registrar)
    return caught.value.code


def body_range(data: bytes) -> tuple[int, int]:
    _, body = snapshot.read_header(data, SECRET)
    return len(snapshot.MAGIC), len(snapshot.MAGIC) + len(body)


@pytest.mark.parametrize("where", [0.0, 0.5, 0.99])  # the rest, a plan, the plans' index
def test_an_altered_body_is_refused(made, where):
    registrar, entries, data = made
    start, end = body_range(data)
    altered = bytearray(data)
    altered[start + int(where * (end - start))] ^= 1
    assert refusal(bytes(altered), registrar, entries) == "snapshot.digest"


def test_an_altered_header_is_refused(made):
    registrar, entries, data = made
    header = snapshot.read_header(data, SECRET)[0]
    forged = msgspec.msgpack.encode(msgspec.structs.replace(header, size=header.size + 1))
    _, end = body_range(data)
    mac = data[-4 - 32:-4]
    tampered = data[:end] + forged + mac + len(forged).to_bytes(4, "big")
    assert refusal(tampered, registrar, entries) == "snapshot.unauthenticated"


def test_a_snapshot_of_another_byte_order_is_refused(made, monkeypatch):
    registrar, entries, data = made
    monkeypatch.setattr(snapshot.sys, "byteorder", "big" if snapshot.sys.byteorder == "little" else "little")
    assert refusal(data, registrar, entries) == "snapshot.format"


def test_another_services_snapshot_is_refused(made):
    registrar, entries, data = made
    assert refusal(data, registrar, entries, secret=b"t" * 32) == "snapshot.unauthenticated"


def test_a_snapshot_whose_root_is_not_the_logs_is_refused(made):
    registrar, entries, data = made
    other = list(entries)
    other[3] = entries[4]  # another log of the same size: another root
    assert refusal(data, registrar, entries, roots=roots_of(other)) == "snapshot.root"
    assert refusal(data, registrar, entries, roots=lambda size: None) == "snapshot.root"  # no tree of that size


def test_a_snapshot_of_other_folding_code_is_refused(made, monkeypatch):
    registrar, entries, data = made
    monkeypatch.setattr(snapshot, "code_fingerprint", lambda: "0" * 64)
    assert refusal(data, registrar, entries) == "snapshot.code"


def test_a_snapshot_of_another_registrar_is_refused(made):
    _, entries, data = made
    assert refusal(data, public_bytes(Ed25519PrivateKey.generate()), entries) == "snapshot.registrar"


@pytest.mark.parametrize("cut", [0, 10, len(snapshot.MAGIC) + 6, -1, -40])
def test_a_truncated_or_foreign_file_is_refused(made, cut):
    registrar, entries, data = made
    assert refusal(data[:cut] if cut else b"PK\x03\x04" + data[4:], registrar, entries) in {
        "snapshot.format", "snapshot.truncated", "snapshot.unauthenticated"}


def test_a_snapshot_of_the_first_format_is_refused(made):
    registrar, entries, data = made
    assert refusal(b"corridor fold snapshot v1\n" + data[len(snapshot.MAGIC):], registrar, entries) == \
        "snapshot.format"


def test_the_fingerprint_covers_the_engine():
    assert len(snapshot.code_fingerprint()) == 64
    assert any(name == "engine" for name in snapshot.FOLDING_CODE)


def restored_two_roads() -> tuple[LogFold, LogFold]:
    registrar, entries = two_roads()
    return (snapshot.decode(snapshot_at(registrar, entries, len(entries)), SECRET, roots_of(entries),
                            registrar_public=registrar), replayed(registrar, entries))


def test_offline_ids_forgotten_after_their_window_are_the_same_from_a_snapshot_and_tail():
    """engine/rules/offline.py forgets an offline id RETENTION_SECONDS after its relay, at the next relay, by the
    log's time: a snapshot at any point keeps the records in relay order, and its tail forgets the same ones."""
    from corridor.engine.times import format_time, parse_time
    from corridor.ledger.envelope import statement_digest, with_passkey
    from tests.ledger.test_relay import DAY, POLICY, Log
    from tests.ledger.test_relay import OPERATOR as RELAY_OPERATOR

    log, start = Log(), parse_time(DAY + "00:10:00Z", "time")
    for n in range(10):
        at = start + (n + 1) * 20 * 3600
        inner = with_passkey({"type": "leg.arrive", "party": "border", "plan": "p", "time": format_time(at),
                              "offline": {"id": f"{n:032x}"}, "payload": {"leg": "l", "checkpoint": "g"}},
                             log.officer.credential)
        log.operator("offline.relay", {"statement": inner, "assertion": log.officer.assertion(
            statement_digest(inner)).to_json()}, plan="p", time=format_time(at + 60))
    full = log.fold()
    assert list(full.state.offline) == [f"{n:032x}" for n in range(6, 10)]  # 20 h apart: the last 72 h kept
    registrar, entries = public_bytes(RELAY_OPERATOR), log.entries
    for size in range(len(entries) - 10, len(entries) + 1):
        restored = snapshot.decode(snapshot.encode(log.fold(entries[:size]), roots_of(entries)(size), SECRET),
                                   SECRET, roots_of(entries), registrar_public=registrar, webauthn=POLICY)
        for entry in entries[size:]:
            restored.apply_entry(entry)
        assert snapshot.encode_body(restored) == snapshot.encode_body(full)
        assert list(restored.state.offline) == list(full.state.offline)
