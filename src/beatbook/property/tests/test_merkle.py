"""The Merkle log (RFC 9162) and the Ed25519 verifier that court exports carry, against the
published Certificate Transparency vectors, RFC 8032's test 1, and the `cryptography` package."""

from __future__ import annotations

import random

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from beatbook.property import offline_verify as ov

# The eight entries of the CT reference tree and its roots for sizes 0..8.
CT_ENTRIES = [
    bytes.fromhex(h)
    for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657")
    + ("606162636465666768696a6b6c6d6e6f",)
]
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
CT_INCLUSION = [  # (leaf index, tree size, audit path)
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
CT_CONSISTENCY = [  # (first size, second size, proof)
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
]
LEAVES = [ov.leaf_hash(entry) for entry in CT_ENTRIES]


def test_tree_heads_match_the_reference_for_every_size() -> None:
    for size in range(9):
        assert ov.tree_root(LEAVES[:size]).hex() == CT_ROOTS[size]


@pytest.mark.parametrize(("index", "size", "path"), CT_INCLUSION)
def test_inclusion_proofs_match_the_reference(index: int, size: int, path: list[str]) -> None:
    proof = ov.inclusion_proof(index, LEAVES[:size])
    assert [p.hex() for p in proof] == path
    root = bytes.fromhex(CT_ROOTS[size])
    assert ov.verify_inclusion(index, size, LEAVES[index], proof, root)
    assert not ov.verify_inclusion(index, size, LEAVES[index - 1], proof, root)
    other_root = bytes.fromhex(CT_ROOTS[size - 1])
    assert not ov.verify_inclusion(index, size, LEAVES[index], proof, other_root)


@pytest.mark.parametrize(("first", "second", "path"), CT_CONSISTENCY)
def test_consistency_proofs_match_the_reference(first: int, second: int, path: list[str]) -> None:
    proof = ov.consistency_proof(first, LEAVES[:second])
    assert [p.hex() for p in proof] == path
    old, new = bytes.fromhex(CT_ROOTS[first]), bytes.fromhex(CT_ROOTS[second])
    assert ov.verify_consistency(first, second, proof, old, new)
    if first != second:
        assert not ov.verify_consistency(first, second, proof, new, new)


def test_every_proof_in_every_small_tree_verifies_and_a_changed_leaf_does_not() -> None:
    rng = random.Random(9162)
    leaves = [ov.leaf_hash(rng.randbytes(rng.randint(0, 12))) for _ in range(40)]
    for n in range(1, 41):
        root = ov.tree_root(leaves[:n])
        for i in range(n):
            proof = ov.inclusion_proof(i, leaves[:n])
            assert ov.verify_inclusion(i, n, leaves[i], proof, root)
        for m in range(1, n + 1):
            proof = ov.consistency_proof(m, leaves[:n])
            assert ov.verify_consistency(m, n, proof, ov.tree_root(leaves[:m]), root)
        if n > 1:
            rewritten = [ov.leaf_hash(b"rewritten"), *leaves[1:n]]
            proof = ov.consistency_proof(1, rewritten)
            assert not ov.verify_consistency(
                1, n, proof, ov.tree_root(leaves[:1]), ov.tree_root(rewritten)
            )


def test_ed25519_rfc8032_test_1() -> None:
    public = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    signature = bytes.fromhex(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    )
    assert ov.ed25519_verify(public, b"", signature)
    assert not ov.ed25519_verify(public, b"x", signature)


def test_ed25519_agrees_with_the_cryptography_package() -> None:
    rng = random.Random(8032)
    for _ in range(5):
        key = Ed25519PrivateKey.from_private_bytes(rng.randbytes(32))
        public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        message = rng.randbytes(rng.randint(0, 200))
        signature = key.sign(message)
        assert ov.ed25519_verify(public, message, signature)
        flipped = bytes([signature[0] ^ 1]) + signature[1:]
        assert not ov.ed25519_verify(public, message, flipped)
        other = (
            Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        )
        assert not ov.ed25519_verify(other, message, signature)
