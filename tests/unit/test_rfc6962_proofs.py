"""RFC 6962's Merkle audit paths and consistency proofs on the Certificate Transparency reference
vectors (certificate-transparency merkle_tree_test.cc), both in the service and in the standalone
verifier."""

import importlib.util
from pathlib import Path

import pytest

from store.chain import leaf_hash, merkle_root
from store.merkle_proofs import consistency_holds, consistency_proof, inclusion_path, root_from_path, tree_hash

LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                     "606162636465666768696a6b6c6d6e6f")]
ROOTS = [bytes.fromhex(h) for h in (
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
)]
H = bytes.fromhex
INCLUSION = [  # (leaf index, tree size, path)
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]
CONSISTENCY = [  # (old size, new size, proof)
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]
HASHES = [leaf_hash(d) for d in LEAVES]


def standalone():
    spec = importlib.util.spec_from_file_location("verify_evidence", Path(__file__).parents[2] / "tools" / "verify_evidence.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("size", range(1, 9))
def test_the_tree_hash_gives_the_reference_roots(size):
    assert tree_hash(HASHES[:size]) == ROOTS[size - 1] == merkle_root(LEAVES[:size])


@pytest.mark.parametrize("index, size, path", INCLUSION)
def test_audit_paths_are_the_reference_paths_and_verify(index, size, path):
    assert inclusion_path(index, HASHES[:size]) == [H(p) for p in path]
    assert root_from_path(index, size, HASHES[index], [H(p) for p in path]) == ROOTS[size - 1]
    assert standalone().root_from_path(index, size, HASHES[index], [H(p) for p in path]) == ROOTS[size - 1]


@pytest.mark.parametrize("old, new, proof", CONSISTENCY)
def test_consistency_proofs_are_the_reference_proofs_and_verify(old, new, proof):
    assert consistency_proof(old, HASHES[:new]) == [H(p) for p in proof]
    for check in (consistency_holds, standalone().consistency_holds):
        assert check(old, new, ROOTS[old - 1], ROOTS[new - 1], [H(p) for p in proof])


def test_every_path_and_proof_of_small_trees_verifies_and_a_wrong_one_does_not():
    check = standalone()
    for n in range(1, 9):
        for i in range(n):
            path = inclusion_path(i, HASHES[:n])
            assert check.root_from_path(i, n, HASHES[i], path) == ROOTS[n - 1]
            assert check.root_from_path(i, n, HASHES[(i + 1) % 8], path) != ROOTS[n - 1]
        for m in range(1, n):
            proof = consistency_proof(m, HASHES[:n])
            assert check.consistency_holds(m, n, ROOTS[m - 1], ROOTS[n - 1], proof)
            assert not check.consistency_holds(m, n, ROOTS[m - 1], ROOTS[(n - 2) % 8] if n > 1 else ROOTS[0], proof) \
                or ROOTS[(n - 2) % 8] == ROOTS[n - 1]
            assert not check.consistency_holds(m, n, ROOTS[(m) % 8], ROOTS[n - 1], proof)
