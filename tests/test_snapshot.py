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
from corridor.engine import to_json
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


def test_an_altered_body_is_refused(made):
    registrar, entries, data = made
    altered = bytearray(data)
    altered[-20] ^= 1
    assert refusal(bytes(altered), registrar, entries) == "snapshot.digest"


def test_an_altered_header_is_refused(made):
    registrar, entries, data = made
    header = snapshot.read_header(data, SECRET)[0]
    forged = snapshot.msgspec.msgpack.encode(snapshot.Header(header.size + 1, header.root, header.code,
                                                             header.body_length, header.body_sha256))
    start = len(snapshot.MAGIC) + 4
    end = start + int.from_bytes(data[len(snapshot.MAGIC):start], "big")
    tampered = data[:len(snapshot.MAGIC)] + len(forged).to_bytes(4, "big") + forged + data[end:]
    assert refusal(tampered, registrar, entries) == "snapshot.unauthenticated"


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


@pytest.mark.parametrize("cut", [0, 10, len(snapshot.MAGIC) + 6])
def test_a_truncated_or_foreign_file_is_refused(made, cut):
    registrar, entries, data = made
    assert refusal(data[:cut] if cut else b"PK\x03\x04" + data[4:], registrar, entries) in {
        "snapshot.format", "snapshot.truncated"}


def test_the_fingerprint_covers_the_engine():
    assert len(snapshot.code_fingerprint()) == 64
    assert any(name == "engine" for name in snapshot.FOLDING_CODE)


def restored_two_roads() -> tuple[LogFold, LogFold]:
    registrar, entries = two_roads()
    return (snapshot.decode(snapshot_at(registrar, entries, len(entries)), SECRET, roots_of(entries),
                            registrar_public=registrar), replayed(registrar, entries))


def test_plans_are_decoded_on_first_use_and_equal_the_replayed_ones():
    restored, original = restored_two_roads()
    plans = restored.state.plans
    assert isinstance(plans, snapshot.LazyPlans) and len(plans) == len(original.state.plans) > 0
    first = next(iter(plans))
    assert plans[first] == original.state.plans[first] and plans.get(first) is plans[first]
    assert plans.get("no-such-plan") is None and "no-such-plan" not in plans
    assert dict(plans) == original.state.plans  # reads through __getitem__, never the stored bytes
    assert to_json(restored.state) == to_json(original.state)


def test_code_that_walks_undecoded_plans_fails_loudly_rather_than_writing_bytes():
    restored, _ = restored_two_roads()
    with pytest.raises(TypeError):
        msgspec.json.encode(restored.state)  # a plan not yet decoded is not JSON: refused, not mis-written
    assert sorted(plan.id for plan in restored.state.plans.values()) == sorted(restored.state.plans)
    msgspec.json.encode(restored.state)  # once decoded, as any state


def test_without_lazy_plans_every_plan_is_decoded_at_once(monkeypatch):
    """If State.plans ever stops being a dict of structs by id, snapshots decode everything eagerly."""
    monkeypatch.setattr(snapshot, "_plan_decoder", None)
    monkeypatch.setattr(snapshot, "_body_decoder", msgspec.msgpack.Decoder(snapshot.Body))
    restored, original = restored_two_roads()
    assert type(restored.state.plans) is dict
    assert snapshot.encode_body(restored) == snapshot.encode_body(original)


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
