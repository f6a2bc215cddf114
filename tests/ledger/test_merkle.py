"""RFC 9162 hashing and proofs against transparency-dev/merkle's probes and the classic 8-leaf tree."""

import base64
import json

import pytest

from corridor.ledger.merkle import (
    EMPTY_ROOT,
    MemoryTree,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)

from .vectors import strings, vectors_dir


def _b64(value):
    return base64.b64decode(value) if value is not None else b""


def _probes(kind):
    root = vectors_dir("merkle", "testdata", kind)
    return sorted(root.rglob("*.json"))


def test_there_are_98_probes_of_each_kind():
    assert len(_probes("inclusion")) == 98
    assert len(_probes("consistency")) == 98


@pytest.mark.parametrize("path", _probes("inclusion"), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_inclusion_probe(path):
    case = json.loads(path.read_text())
    proof = [_b64(p) for p in case["proof"] or []]
    check = lambda: verify_inclusion(  # noqa: E731
        case["leafIdx"], case["treeSize"], _b64(case["leafHash"]), proof, _b64(case["root"]))
    if case["wantErr"]:
        with pytest.raises(ProofError):
            check()
    else:
        check()


@pytest.mark.parametrize("path", _probes("consistency"), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_consistency_probe(path):
    case = json.loads(path.read_text())
    proof = [_b64(p) for p in case["proof"] or []]
    check = lambda: verify_consistency(  # noqa: E731
        case["size1"], case["size2"], _b64(case["root1"]), _b64(case["root2"]), proof)
    if case["wantErr"]:
        with pytest.raises(ProofError):
            check()
    else:
        check()


def test_hasher_vectors():
    hasher = strings()["rfc6962_hasher"]
    assert EMPTY_ROOT.hex() == hasher["empty_tree_root_hex"]
    for data, expected in hasher["leaf_hash_hex"].items():
        assert leaf_hash(data.encode()).hex() == expected
    for case in hasher["node_hash_hex"]:
        assert node_hash(case["left"].encode(), case["right"].encode()).hex() == case["hash"]


def test_classic_8_leaf_tree_roots():
    tree = strings()["rfc6962_classic_8_leaf_tree"]
    leaves = [leaf_hash(bytes.fromhex(leaf)) for leaf in tree["leaves_hex"]]
    for size, expected in enumerate(tree["roots_hex_by_size_1_to_8"], start=1):
        assert root_of(leaves[:size]).hex() == expected


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 31, 64, 100])
def test_generated_proofs_verify_and_agree_with_the_iterative_root(size):
    tree = MemoryTree()
    leaves = [leaf_hash(str(i).encode()) for i in range(size)]
    for hashed in leaves:
        tree.append_hash(hashed)
    for n in range(1, size + 1):
        assert tree.root(n) == root_of(leaves[:n])
    root = tree.root()
    for index in range(size):
        verify_inclusion(index, size, leaves[index], inclusion_proof(index, size, tree.range_hash), root)
    for old in range(1, size + 1):
        proof = consistency_proof(old, size, tree.range_hash)
        verify_consistency(old, size, tree.root(old), root, proof)


def test_wrong_leaf_or_fork_is_refused():
    tree = MemoryTree()
    for i in range(10):
        tree.append_hash(leaf_hash(bytes([i])))
    proof = inclusion_proof(3, 10, tree.range_hash)
    with pytest.raises(ProofError):
        verify_inclusion(3, 10, leaf_hash(b"other"), proof, tree.root())
    with pytest.raises(ProofError):
        verify_consistency(10, 10, tree.root(), tree.root(9), [])
    with pytest.raises(ProofError):
        consistency_proof(0, 10, tree.range_hash)
