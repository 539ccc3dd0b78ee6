"""RFC 6962 (§2.1.1, §2.1.2) Merkle audit paths and consistency proofs, and their checks (RFC 9162
§2.1.3.2, §2.1.4.2), over a list of leaf hashes — the same tree as store/chain.py's MerkleRoot.

tools/verify_evidence.py holds its own copy of the checks (it imports nothing of orderclaims); the
tests run both on the RFC's vectors.
"""

from store.chain import EMPTY_ROOT, leaf_hash, node_hash


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def tree_hash(hashes: list[bytes]) -> bytes:
    """MTH over leaf hashes (already `leaf_hash`ed)."""
    if not hashes:
        return EMPTY_ROOT
    if len(hashes) == 1:
        return hashes[0]
    k = _split(len(hashes))
    return node_hash(tree_hash(hashes[:k]), tree_hash(hashes[k:]))


def inclusion_path(index: int, hashes: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]): the audit path of leaf `index`, nearest the leaf first."""
    if len(hashes) <= 1:
        return []
    k = _split(len(hashes))
    if index < k:
        return inclusion_path(index, hashes[:k]) + [tree_hash(hashes[k:])]
    return inclusion_path(index - k, hashes[k:]) + [tree_hash(hashes[:k])]


def consistency_proof(old_size: int, hashes: list[bytes]) -> list[bytes]:
    """PROOF(m, D[n]): that the first `old_size` leaves are a prefix of these."""
    if old_size == 0 or old_size == len(hashes):
        return []
    return _subproof(old_size, hashes, True)


def _subproof(m: int, hashes: list[bytes], complete: bool) -> list[bytes]:
    n = len(hashes)
    if m == n:
        return [] if complete else [tree_hash(hashes)]
    k = _split(n)
    if m <= k:
        return _subproof(m, hashes[:k], complete) + [tree_hash(hashes[k:])]
    return _subproof(m - k, hashes[k:], False) + [tree_hash(hashes[:k])]


def root_from_path(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes | None:
    """RFC 9162 §2.1.3.2: the root an audit path gives for a leaf hash, or None when it cannot."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


def consistency_holds(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: list[bytes]) -> bool:
    """RFC 9162 §2.1.4.2."""
    if old_size > new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root


__all__ = ["leaf_hash", "tree_hash", "inclusion_path", "consistency_proof", "root_from_path", "consistency_holds"]
