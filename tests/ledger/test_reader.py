"""Proofs from tiles equal proofs from the full tree, at sizes crossing tile and level boundaries."""

import pytest

from corridor.ledger.merkle import MemoryTree, ProofError, inclusion_proof, leaf_hash, verify_inclusion
from corridor.ledger.note import Signer
from corridor.ledger.reader import TileHashes
from corridor.ledger.tiles import TileWriter
from corridor.ledger.verify import Source


@pytest.mark.parametrize("size", [1, 255, 256, 257, 1000, 65536 + 300])
def test_tile_proofs_match_memory_proofs(tmp_path, size):
    writer = TileWriter(tmp_path, "corridor.example/reader", Signer.generate("corridor.example/reader"))
    entries = [str(i).encode() for i in range(size)]
    hashes = [leaf_hash(e) for e in entries]
    writer.append(entries, hashes)
    tree = MemoryTree()
    for hashed in hashes:
        tree.append_hash(hashed)
    tiles = TileHashes(Source(str(tmp_path)), size)
    assert tiles.root() == tree.root() == writer.root_hash()
    for index in sorted({0, size // 3, size // 2, size - 1}):
        proof = tiles.inclusion(index)
        assert proof == inclusion_proof(index, size, tree.range_hash)
        verify_inclusion(index, size, hashes[index], proof, tree.root())


def test_a_kept_reader_advances_and_serves_any_size_it_holds(tmp_path):
    """A server keeps one reader as the log grows: its cached tiles stay right for every later size, it serves
    a proof at a smaller size as a fresh reader would, and refuses one at a size it does not hold yet."""
    writer = TileWriter(tmp_path, "corridor.example/reader", Signer.generate("corridor.example/reader"))
    entries = [str(i).encode() for i in range(70_000)]
    writer.append(entries[:300], [leaf_hash(e) for e in entries[:300]])
    kept = TileHashes(Source(str(tmp_path)), 300)
    early = kept.inclusion(5)
    writer.append(entries[300:], [leaf_hash(e) for e in entries[300:]])
    kept.advance(70_000)
    fresh = TileHashes(Source(str(tmp_path)), 70_000)
    assert kept.root() == fresh.root() == writer.root_hash()
    assert kept.inclusion(5) == fresh.inclusion(5) and kept.inclusion(5, 300) == early
    assert kept.inclusion(65_536, 65_537) == inclusion_proof(65_536, 65_537, fresh.range_hash)
    with pytest.raises(ProofError):
        kept.inclusion(5, 70_001)
    with pytest.raises(ProofError):
        kept.advance(100)


def test_the_tessera_logs_tiles_give_each_checkpoint_it_published(tmp_path):
    """Tessera's test log (../shared/vectors, a third party's tiles) read through the reader, fresh at each size
    and kept as the log grew: every checkpoint's root (partial tiles of widths 1-15, odd rows included), and
    each entry's proof from its own bundle leads to it."""
    from corridor.ledger.checkpoint import parse_checkpoint
    from corridor.ledger.verify import parse_bundle

    from .vectors import tessera_log_copy

    log, _, _ = tessera_log_copy(tmp_path)
    kept = TileHashes(Source(str(log)), 1)
    for size in range(1, 16):
        checkpoint = parse_checkpoint((log / f"checkpoint.{size}").read_text().split("\n\n")[0] + "\n")
        kept.advance(size)
        assert TileHashes(Source(str(log)), size).root() == kept.root() == checkpoint.root
        entries = parse_bundle("bundle", (log / "tile" / "entries" / "000.p" / str(size)).read_bytes(), size)
        for index, entry in enumerate(entries):
            verify_inclusion(index, size, leaf_hash(entry), kept.inclusion(index, size), checkpoint.root)
