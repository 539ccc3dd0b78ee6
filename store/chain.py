"""Tamper evidence (SPEC §7): each aggregate's events form a hash chain over their stored bytes, and
a checkpoint's Merkle root (RFC 6962) covers every chain's head.

Hashes are SHA-256 with a distinct prefix for each use (domain separation), so a hash of one kind
can never stand for another: an event's link, a chain's start, a Merkle leaf, a Merkle node. The
stored bytes hold only ciphertext of personal data, so an erasure never breaks a chain.
"""

import hashlib
from collections.abc import Iterable
from uuid import UUID

GENESIS = b"orderclaims/chain/genesis/v1\x00"
LINK = b"orderclaims/chain/event/v1\x00"
HEAD_LEAF = b"orderclaims/checkpoint/head/v1\x00"


def genesis(originator_id: UUID) -> bytes:
    """The hash a chain starts from: its aggregate's id."""
    return hashlib.sha256(GENESIS + originator_id.bytes).digest()


def link(previous: bytes, originator_id: UUID, version: int, topic: str, state: bytes) -> bytes:
    """The hash of one stored event, chained to the one before it."""
    topic_bytes = topic.encode()
    return hashlib.sha256(b"".join((
        LINK, previous, originator_id.bytes, version.to_bytes(8, "big"),
        len(topic_bytes).to_bytes(4, "big"), topic_bytes, state,
    ))).digest()


def head_leaf(originator_id: UUID, version: int, head: bytes) -> bytes:
    """What a checkpoint's tree has of one chain: its aggregate, its length, its last hash."""
    return HEAD_LEAF + originator_id.bytes + version.to_bytes(8, "big") + head


# ---- RFC 6962 Merkle tree hash -------------------------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


EMPTY_ROOT = hashlib.sha256(b"").digest()


class MerkleRoot:
    """RFC 6962's Merkle tree hash of leaves added in order, in O(log n) memory: complete subtrees
    are merged as they fill (a binary counter); the root folds what is left from the right."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, bytes]] = []  # (leaves, hash) of complete subtrees, largest first
        self.size = 0

    def add(self, data: bytes) -> None:
        size, value = 1, leaf_hash(data)
        while self._stack and self._stack[-1][0] == size:
            left_size, left = self._stack.pop()
            size, value = size + left_size, node_hash(left, value)
        self._stack.append((size, value))
        self.size += 1

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        value = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            value = node_hash(left, value)
        return value


def merkle_root(leaves: Iterable[bytes]) -> bytes:
    tree = MerkleRoot()
    for data in leaves:
        tree.add(data)
    return tree.root()
