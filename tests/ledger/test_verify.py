"""The verifier accepts the Tessera log and names the file when any byte of it is flipped."""

import pytest

from corridor.ledger.merkle import leaf_hash
from corridor.ledger.note import Signer, parse_verifier
from corridor.ledger.tiles import TileWriter
from corridor.ledger.verify import Source, VerificationError, verify_log

from .vectors import tessera_log_copy


def tessera_copy(tmp_path):
    log, public, _ = tessera_log_copy(tmp_path)
    return log, parse_verifier(public)


def published_files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_tessera_log_and_all_its_checkpoints_verify(tmp_path):
    log, key = tessera_copy(tmp_path)
    report = verify_log(Source(str(log)), key)
    assert (report.origin, report.size) == ("example.com/log/testdata", 15)
    assert report.checkpoints_checked == 17  # checkpoint and checkpoint.0 … checkpoint.15
    assert report.files_checked == 30


def test_flipping_any_byte_of_any_file_fails_and_names_it(tmp_path):
    log, key = tessera_copy(tmp_path)
    for name in published_files(log):
        path = log / name
        original = path.read_bytes()
        for offset in sorted({0, len(original) // 2, len(original) - 1}):
            tampered = bytearray(original)
            tampered[offset] ^= 0x01
            path.write_bytes(bytes(tampered))
            with pytest.raises(VerificationError) as failure:
                verify_log(Source(str(log)), key)
            assert failure.value.where == name, (name, offset, failure.value)
        path.write_bytes(original)
    verify_log(Source(str(log)), key)


def test_missing_files_and_wrong_keys_are_named(tmp_path):
    log, key = tessera_copy(tmp_path)
    with pytest.raises(VerificationError, match="not signed by the log key|no signature by a trusted key"):
        verify_log(Source(str(log)), Signer.generate("example.com/log/testdata").verifier)
    (log / "tile/entries/000.p/15").unlink()
    with pytest.raises(VerificationError) as failure:
        verify_log(Source(str(log)), key)
    assert failure.value.where == "tile/entries/000.p/15"


def test_a_fork_against_what_was_seen_before_is_reported(tmp_path):
    signer = Signer.generate("example.com/fork")
    honest, forked = tmp_path / "honest", tmp_path / "forked"
    for directory, last in ((honest, b"c"), (forked, b"X")):
        writer = TileWriter(directory, "example.com/fork", signer)
        entries = [b"a", b"b", last]
        writer.append(entries, [leaf_hash(e) for e in entries])
        writer.publish_checkpoint()
    seen = verify_log(Source(str(honest)), signer.verifier)
    with pytest.raises(VerificationError, match="fork"):
        verify_log(Source(str(forked)), signer.verifier, previous=(seen.size, seen.root))


def test_missing_checkpoint_is_named(tmp_path):
    log, key = tessera_copy(tmp_path)
    (log / "checkpoint").unlink()
    with pytest.raises(VerificationError) as failure:
        verify_log(Source(str(log)), key)
    assert (failure.value.where, failure.value.message) == ("checkpoint", "missing")


def test_tiles_written_ahead_of_the_checkpoint_are_not_held_against_it(tmp_path):
    signer = Signer.generate("example.com/ahead")
    writer = TileWriter(tmp_path, "example.com/ahead", signer)
    writer.append([b"a", b"b"], [leaf_hash(b"a"), leaf_hash(b"b")])
    writer.publish_checkpoint()
    writer.append([b"c"], [leaf_hash(b"c")])  # tiles for size 3 are out, its checkpoint is not yet
    assert verify_log(Source(str(tmp_path)), signer.verifier).size == 2
