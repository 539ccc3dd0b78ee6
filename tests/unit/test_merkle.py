"""The checkpoint's Merkle tree is RFC 6962's: its test vectors, and the recursive definition."""

import hashlib

import pytest

from store.chain import EMPTY_ROOT, leaf_hash, merkle_root, node_hash

# The leaves and roots of RFC 6962's reference test (certificate-transparency's merkle tree tests).
LEAVES = [b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43",
          b"\x50\x51\x52\x53\x54\x55\x56\x57", bytes(range(0x60, 0x70))]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def rfc6962(leaves: list[bytes]) -> bytes:
    """MTH(D[n]) as RFC 6962 §2.1 defines it, recursively."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaf_hash(leaves[0])
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(rfc6962(leaves[:k]), rfc6962(leaves[k:]))


@pytest.mark.parametrize("n", range(1, 9))
def test_the_merkle_root_of_the_first_n_test_leaves_is_rfc_6962s(n):
    assert merkle_root(LEAVES[:n]).hex() == ROOTS[n - 1]


def test_the_streaming_root_equals_the_recursive_definition_for_every_size_up_to_300():
    leaves = [i.to_bytes(4, "big") for i in range(300)]
    for n in range(0, 301, 7):
        assert merkle_root(leaves[:n]) == rfc6962(leaves[:n])
    assert merkle_root([]) == EMPTY_ROOT
