"""Proofs from tiles equal proofs from the full tree, at sizes crossing tile and level boundaries."""

import pytest

from corridor.ledger.merkle import MemoryTree, inclusion_proof, leaf_hash, verify_inclusion
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
