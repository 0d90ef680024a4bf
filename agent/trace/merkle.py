"""RFC 6962 Merkle tree hashing (leaves and nodes with distinct prefixes, built incrementally) and the
RFC 9162 inclusion and consistency proofs over it."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

_sha256 = hashlib.sha256
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """MTH of one entry: SHA-256(0x00 || data) (RFC 6962 §2.1)."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


EMPTY_ROOT = hashlib.sha256(b"").digest()
HASH_SIZE = 32


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes, by the recursive definition of RFC 6962 §2.1 (the reference)."""
    n = len(leaves)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(merkle_root(leaves[:k]), merkle_root(leaves[k:]))


class MerkleAccumulator:
    """The root of a growing tree in O(log n) per leaf: a stack of perfect subtrees, largest first.

    For n = 2^a + 2^b + ... (a > b > ...), RFC 6962's MTH is the right fold of those subtree roots,
    which is what `root()` computes.
    """

    def __init__(self) -> None:
        self._stack: list[tuple[int, bytes]] = []  # (subtree size, subtree root)
        self.size = 0

    def append(self, leaf: bytes) -> None:
        stack, size, node = self._stack, 1, leaf
        while stack and stack[-1][0] == size:
            left_size, left = stack.pop()
            size, node = left_size + size, _sha256(NODE_PREFIX + left + node).digest()
        stack.append((size, node))
        self.size += 1

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        node = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            node = node_hash(left, node)
        return node


# -- proofs (RFC 9162 §2.1.3 and §2.1.4) ------------------------------------------------------------


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(index, D[n]) over leaf hashes: the sibling subtree roots from the leaf up."""
    if not 0 <= index < len(leaves):
        raise ValueError(f"leaf {index} is not in a tree of {len(leaves)}")
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return [*inclusion_proof(leaves[:k], index), merkle_root(leaves[k:])]
    return [*inclusion_proof(leaves[k:], index - k), merkle_root(leaves[:k])]


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """PROOF(m, D[n]): shows the tree of the first `old_size` leaves is a prefix of the tree of all."""
    if not 0 <= old_size <= len(leaves):
        raise ValueError(f"size {old_size} is not within a tree of {len(leaves)}")
    if old_size in (0, len(leaves)):
        return []
    return _subproof(old_size, leaves, complete=True)


def _subproof(m: int, leaves: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [merkle_root(leaves)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], complete), merkle_root(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), merkle_root(leaves[:k])]


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes | None:
    """The root that `proof` leads to from `leaf` at `index` of a tree of `size`, or None when the
    proof cannot belong to that position (wrong length, index out of range)."""
    if not 0 <= index < size or len(leaf) != HASH_SIZE or any(len(node) != HASH_SIZE for node in proof):
        return None
    fn, sn, node = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            node = node_hash(sibling, node)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            node = node_hash(node, sibling)
        fn, sn = fn >> 1, sn >> 1
    return node if sn == 0 else None


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    return root_from_inclusion(index, size, leaf, proof) == root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """Whether `proof` shows the tree (old_size, old_root) is a prefix of (new_size, new_root)."""
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof
    if not proof or any(len(node) != HASH_SIZE for node in proof):
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is itself a node of the new tree
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    old_node = new_node = path[0]
    for node in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            old_node, new_node = node_hash(node, old_node), node_hash(node, new_node)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            new_node = node_hash(new_node, node)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and old_node == old_root and new_node == new_root
