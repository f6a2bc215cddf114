"""Our tile writer against the Tessera test log: byte-identical tiles, bundles and checkpoints."""

import shutil

import pytest

from corridor.ledger.merkle import leaf_hash
from corridor.ledger.note import parse_signer
from corridor.ledger.tiles import TileWriter, bundle_path, tile_index_path, tile_path

from .vectors import vectors_dir


def tessera():
    root = vectors_dir("tessera", "testdata")
    keys = dict(line.split("=", 1) for line in (root / "KEYS.txt").read_text().splitlines() if "=" in line)
    entries = "one two three four five six seven eit nain ten ileven twelf threeten fourten fivten".split()
    assert f"{' '.join(entries)}" in (root / "KEYS.txt").read_text()
    return root / "log", parse_signer(keys["LOG_PRIVATE_KEY"]), [e.encode() for e in entries]


def build_tessera_copy(directory):
    expected, signer, entries = tessera()
    writer = TileWriter(directory, "example.com/log/testdata", signer)
    (directory / "checkpoint.0").write_text(writer.publish_checkpoint())
    for size, entry in enumerate(entries, start=1):
        writer.append([entry], [leaf_hash(entry)])
        (directory / f"checkpoint.{size}").write_text(writer.publish_checkpoint())
    return expected


def files_under(root):
    """The published files (Tessera's private .state/ folder is not part of the log)."""
    files = (p for p in sorted(root.rglob("*")) if p.is_file() and ".state" not in p.parts)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in files}


def test_writer_reproduces_the_tessera_log_byte_for_byte(tmp_path):
    expected = build_tessera_copy(tmp_path)
    ours, theirs = files_under(tmp_path), files_under(expected)
    assert sorted(ours) == sorted(theirs)
    for name in theirs:
        assert ours[name] == theirs[name], name


@pytest.mark.parametrize(("index", "path"), [(0, "000"), (5, "005"), (1234, "x001/234"), (1234067, "x001/x234/067")])
def test_tile_index_paths(index, path):
    assert tile_index_path(index) == path


def test_tile_and_bundle_paths():
    assert tile_path(1, 1234067, 8) == "tile/1/x001/x234/067.p/8"
    assert bundle_path(3) == "tile/entries/003"


def test_full_tiles_and_upper_levels(tmp_path):
    _, signer, _ = tessera()
    writer = TileWriter(tmp_path, "example.com/test", signer)
    entries = [str(i).encode() for i in range(256 * 2 + 3)]
    writer.append(entries, [leaf_hash(e) for e in entries])
    assert (tmp_path / "tile/0/000").stat().st_size == 256 * 32
    assert (tmp_path / "tile/0/001").exists()
    assert (tmp_path / "tile/0/002.p/3").stat().st_size == 3 * 32
    assert (tmp_path / "tile/1/000.p/2").stat().st_size == 2 * 32
    assert (tmp_path / "tile/entries/001").exists()
    from corridor.ledger.merkle import root_of

    assert writer.root_hash() == root_of([leaf_hash(e) for e in entries])
    shutil.rmtree(tmp_path)
