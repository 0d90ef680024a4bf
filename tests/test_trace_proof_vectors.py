"""RFC 9162 inclusion and consistency proofs against the test vectors of transparency-dev/merkle.

Transcribed as data from github.com/transparency-dev/merkle, proof/verify_test.go (commit
02194e9afb6c1d95b5381350007963aa70fff472): `inclusionProofs`, `consistencyProofs`, `roots` and `leaves`
(the Certificate Transparency tree of eight entries), and the corruptions its verifier tests apply
(wrong index or size, wrong leaf or root, garbage before or after, a flipped bit, a removed or inserted
node). Leaf indexes are 1-based in the source table and 0-based here.
"""

from __future__ import annotations

import pytest

from agent.trace.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from tests.test_trace_merkle import CT_ENTRIES, CT_ROOTS

LEAVES = CT_ENTRIES  # the same eight entries and roots as tests/test_trace_merkle.py
ROOTS = CT_ROOTS[1:]  # ROOTS[n - 1] is the root of the first n leaves
INCLUSION = [  # (leaf index, tree size, proof)
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
CONSISTENCY = [  # (old size, new size, proof)
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")

LEAF_HASHES = [leaf_hash(bytes.fromhex(entry)) for entry in LEAVES]


def _root(size: int) -> bytes:
    return bytes.fromhex(ROOTS[size - 1])


def _flip(proof: list[bytes], i: int, bit: int) -> list[bytes]:
    return [node if j != i else bytes([node[0] ^ bit, *node[1:]]) for j, node in enumerate(proof)]


@pytest.mark.parametrize(("index", "size", "hex_proof"), INCLUSION)
def test_published_inclusion_proofs_are_produced_and_verify(index: int, size: int, hex_proof: list[str]) -> None:
    proof = [bytes.fromhex(node) for node in hex_proof]
    leaf, root = LEAF_HASHES[index], _root(size)
    assert inclusion_proof(LEAF_HASHES[:size], index) == proof
    assert verify_inclusion(index, size, leaf, proof, root)


@pytest.mark.parametrize(("index", "size", "hex_proof"), INCLUSION)
def test_corrupted_inclusion_proofs_fail(index: int, size: int, hex_proof: list[str]) -> None:
    proof = [bytes.fromhex(node) for node in hex_proof]
    leaf, root = LEAF_HASHES[index], _root(size)
    probes = [
        (index - 1, size, leaf, proof, root),
        (index + 1, size, leaf, proof, root),
        (index ^ 2, size, leaf, proof, root),
        (index, size * 2, leaf, proof, root),
        (index, size // 2, leaf, proof, root),
        (index, size, b"WrongLeaf", proof, root),
        (index, size, leaf, proof, EMPTY_ROOT),
        (index, size, leaf, proof, SOME_HASH),
        (index, size, leaf, [*proof, b""], root),
        (index, size, leaf, [*proof, root], root),
        (index, size, leaf, [b"", *proof], root),
        (index, size, leaf, [root, *proof], root),
    ]
    probes += [(index, size, leaf, _flip(proof, i, 8), root) for i in range(len(proof))]
    if proof:
        probes.append((index, size, leaf, proof[:-1], root))
    if len(proof) > 1:
        probes.append((index, size, leaf, [proof[0], SOME_HASH, *proof[1:]], root))
    for number, (i, n, probe_leaf, probe_proof, probe_root) in enumerate(probes):
        assert not verify_inclusion(i, n, probe_leaf, probe_proof, probe_root), f"probe {number} verified"


def test_inclusion_edge_cases_of_the_reference() -> None:
    single = leaf_hash(b"data")
    assert verify_inclusion(0, 1, single, [], single)
    assert not verify_inclusion(0, 1, b"", [], single)
    assert not verify_inclusion(0, 1, single, [], b"")
    assert not verify_inclusion(0, 1, b"", [], b"")
    for index, size in ((0, 0), (0, 1), (1, 0), (2, 1)):
        assert not verify_inclusion(index, size, SOME_HASH, [], b"")
        assert not verify_inclusion(index, size, b"", [], EMPTY_ROOT)
        assert not verify_inclusion(index, size, SOME_HASH, [], EMPTY_ROOT)


@pytest.mark.parametrize(("old", "new", "hex_proof"), CONSISTENCY)
def test_published_consistency_proofs_are_produced_and_verify(old: int, new: int, hex_proof: list[str]) -> None:
    proof = [bytes.fromhex(node) for node in hex_proof]
    assert consistency_proof(LEAF_HASHES[:new], old) == proof
    assert verify_consistency(old, new, _root(old), _root(new), proof)


@pytest.mark.parametrize(("old", "new", "hex_proof"), [c for c in CONSISTENCY if c[2]])
def test_corrupted_consistency_proofs_fail(old: int, new: int, hex_proof: list[str]) -> None:
    proof = [bytes.fromhex(node) for node in hex_proof]
    root1, root2 = _root(old), _root(new)
    probes = [
        (old - 1, new, root1, root2, proof),
        (old + 1, new, root1, root2, proof),
        (old ^ 2, new, root1, root2, proof),
        (old, new * 2, root1, root2, proof),
        (old, new // 2, root1, root2, proof),
        (old, new, b"WrongRoot", root2, proof),
        (old, new, root1, b"WrongRoot", proof),
        (old, new, root2, root1, proof),
        (old, new, root1, root2, []),
        (old, new, root1, root2, [*proof, b""]),
        (old, new, root1, root2, [*proof, root1]),
        (old, new, root1, root2, [*proof, root2]),
        (old, new, root1, root2, [b"", *proof]),
        (old, new, root1, root2, [root1, *proof]),
        (old, new, root1, root2, [root2, *proof]),
        (old, new, root1, root2, [proof[0], *proof]),
        (old, new, root1, root2, proof[:-1]),
    ]
    probes += [(old, new, root1, root2, _flip(proof, i, 16)) for i in range(len(proof))]
    for number, (m, n, r1, r2, p) in enumerate(probes):
        assert not verify_consistency(m, n, r1, r2, p), f"probe {number} verified"


def test_consistency_edge_cases_of_the_reference() -> None:
    root1, root2 = b"don't care 1", b"don't care 2"
    cases = [
        (0, 0, root1, root2, [], False),
        (1, 1, root1, root2, [], False),
        (0, 0, root1, root1, [], True),
        (0, 1, root1, root2, [], True),
        (1, 1, root2, root2, [], True),
        (1, 0, root1, root2, [], False),
        (2, 1, root1, root2, [], False),
        (1, 2, root1, root2, [], False),
        (0, 0, EMPTY_ROOT, root2, [], False),
        (1, 1, EMPTY_ROOT, root2, [], False),
        (0, 0, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], False),
        (0, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], False),
        (1, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], False),
    ]
    for m, n, r1, r2, proof, expected in cases:
        assert verify_consistency(m, n, r1, r2, proof) is expected, (m, n)


def test_every_proof_of_larger_trees_verifies() -> None:
    """Beyond the vectors: every position and every pair of sizes of a 70-leaf tree."""
    from agent.trace.merkle import merkle_root

    leaves = [leaf_hash(bytes([i])) for i in range(70)]
    roots = [merkle_root(leaves[:n]) for n in range(71)]
    for n in range(1, 71):
        for i in range(n):
            assert verify_inclusion(i, n, leaves[i], inclusion_proof(leaves[:n], i), roots[n])
        for m in range(n + 1):
            assert verify_consistency(m, n, roots[m], roots[n], consistency_proof(leaves[:n], m)), (m, n)
