"""The trace's Merkle tree is RFC 6962's: published vectors, and the incremental root equals the reference."""

from __future__ import annotations

import hashlib

from agent.trace.canonical import canonical_bytes
from agent.trace.merkle import MerkleAccumulator, leaf_hash, merkle_root

# The Certificate Transparency test data and tree heads MTH(D[n]) for n = 0..8 (as published with
# the RFC 6962 reference implementation's tests).
CT_ENTRIES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def test_tree_heads_match_the_published_rfc6962_vectors() -> None:
    leaves = [leaf_hash(bytes.fromhex(entry)) for entry in CT_ENTRIES]
    for size, expected in enumerate(CT_ROOTS):
        assert merkle_root(leaves[:size]).hex() == expected, f"tree size {size}"
        tree = MerkleAccumulator()
        for leaf in leaves[:size]:
            tree.append(leaf)
        assert tree.root().hex() == expected, f"incremental, tree size {size}"


def test_incremental_root_equals_the_recursive_definition_for_every_size() -> None:
    leaves = [hashlib.sha256(str(i).encode()).digest() for i in range(130)]
    tree = MerkleAccumulator()
    for size in range(1, len(leaves) + 1):
        tree.append(leaves[size - 1])
        assert tree.root() == merkle_root(leaves[:size]), f"tree size {size}"


def test_canonical_json_sorts_keys_and_makes_unsafe_numbers_strings() -> None:
    assert canonical_bytes({"b": 1, "a": [1.5, None, True]}) == b'{"a":[1.5,null,true],"b":1}'
    assert canonical_bytes({"big": 2**60, "nan": float("nan")}) == b'{"big":"1152921504606846976","nan":"nan"}'
    assert canonical_bytes({"é": "\u2028"}) == '{"é":"\u2028"}'.encode()
