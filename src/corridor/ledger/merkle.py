"""RFC 9162 Merkle tree hashing and proofs (inclusion and consistency), generated and verified.

Verification follows RFC 9162 §2.1.3.2 and §2.1.4.2 step by step. Proof generation works over any
`RangeHash` (the hash of leaves [start, end)), so the same code serves an in-memory tree and tiles.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

RangeHash = Callable[[int, int], bytes]


class ProofError(ValueError):
    """A proof that does not verify, or a request for a proof that cannot exist."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(size: int) -> int:
    """The largest power of two strictly smaller than `size` (size >= 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def root_of(leaf_hashes: Iterable[bytes]) -> bytes:
    """MTH over leaf hashes, iteratively: merge equal-height subtrees, then fold the rest right to left. One
    pass holding one hash per level, so the leaves may stream from a log too large to hold."""
    stack: list[tuple[int, bytes]] = []
    for index, hashed in enumerate(leaf_hashes):
        stack.append((0, hashed))
        size = index + 1
        while size % 2 == 0:  # each trailing zero bit of the size closes one complete subtree
            (height, right), (_, left) = stack.pop(), stack.pop()
            stack.append((height + 1, node_hash(left, right)))
            size //= 2
    if not stack:
        return EMPTY_ROOT
    root = stack[-1][1]
    for _, left in reversed(stack[:-1]):
        root = node_hash(left, root)
    return root


def inclusion_proof(index: int, size: int, range_hash: RangeHash) -> list[bytes]:
    """RFC 9162 §2.1.3.1 PATH(index, D[size])."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of size {size}")
    return _path(index, 0, size, range_hash)


def _path(index: int, start: int, size: int, range_hash: RangeHash) -> list[bytes]:
    if size == 1:
        return []
    k = split_point(size)
    if index < k:
        return [*_path(index, start, k, range_hash), range_hash(start + k, start + size)]
    return [*_path(index - k, start + k, size - k, range_hash), range_hash(start, start + k)]


def consistency_proof(old_size: int, new_size: int, range_hash: RangeHash) -> list[bytes]:
    """RFC 9162 §2.1.4.1 PROOF(old_size, D[new_size]); empty when the sizes are equal."""
    if not 0 < old_size <= new_size:
        raise ProofError(f"no consistency proof from size {old_size} to {new_size}")
    if old_size == new_size:
        return []
    return _subproof(old_size, 0, new_size, True, range_hash)


def _subproof(m: int, start: int, size: int, whole: bool, range_hash: RangeHash) -> list[bytes]:
    if m == size:
        return [] if whole else [range_hash(start, start + size)]
    k = split_point(size)
    if m <= k:
        return [*_subproof(m, start, k, whole, range_hash), range_hash(start + k, start + size)]
    return [*_subproof(m - k, start + k, size - k, False, range_hash), range_hash(start, start + k)]


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """RFC 9162 §2.1.3.2; raises ProofError unless `leaf` is at `index` in the tree with `root`."""
    _require_hashes([leaf, root, *proof])
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} outside tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("inclusion proof is shorter than the tree is deep")
    if r != root:
        raise ProofError("inclusion proof does not lead to the root")


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> None:
    """RFC 9162 §2.1.4.2; raises ProofError unless the tree of `old_root` is a prefix of `new_root`'s.

    Like the Go reference, a proof from size 0 is refused here; the witness protocol's "old size 0"
    is handled by its own code path.
    """
    if new_size < old_size:
        raise ProofError(f"no consistency proof from size {old_size} down to {new_size}")
    if old_size == 0:
        raise ProofError("a consistency proof from the empty tree proves nothing")
    if old_size == new_size:
        if proof:
            raise ProofError("equal sizes take an empty proof")
        if old_root != new_root:
            raise ProofError("same size, different roots: the log forked")
        return
    if not proof:
        raise ProofError("empty consistency proof")
    _require_hashes([old_root, new_root, *proof])
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is itself a node of the new tree
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if fr != old_root or sr != new_root:
        raise ProofError("consistency proof does not match the roots")


def _require_hashes(values: Sequence[bytes]) -> None:
    if any(len(value) != HASH_SIZE for value in values):
        raise ProofError("every hash is 32 bytes")


class MemoryTree:
    """All complete subtree hashes of an append-only tree, kept in memory: levels[h][i] covers
    leaves [i * 2**h, (i + 1) * 2**h). Serves `range_hash` for proofs."""

    def __init__(self) -> None:
        self.levels: list[list[bytes]] = [[]]

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def append_hash(self, hashed: bytes) -> None:
        self.levels[0].append(hashed)
        height, index = 0, self.size - 1
        while index % 2 == 1:
            level = self.levels[height]
            parent = node_hash(level[index - 1], level[index])
            if len(self.levels) == height + 1:
                self.levels.append([])
            self.levels[height + 1].append(parent)
            height, index = height + 1, index // 2

    def range_hash(self, start: int, end: int) -> bytes:
        size = end - start
        if size <= 0 or end > self.size:
            raise ProofError(f"no subtree [{start}, {end}) in a tree of size {self.size}")
        if size & (size - 1) == 0 and start % size == 0:
            return self.levels[size.bit_length() - 1][start // size]
        k = split_point(size)
        return node_hash(self.range_hash(start, start + k), self.range_hash(start + k, end))

    def root(self, size: int | None = None) -> bytes:
        size = self.size if size is None else size
        return EMPTY_ROOT if size == 0 else self.range_hash(0, size)
