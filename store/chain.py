"""Tamper evidence (SPEC §7): each aggregate's events form a hash chain over their stored bytes, and
a checkpoint's Merkle root (RFC 6962) covers every chain's head.

Hashes are SHA-256 with a distinct prefix for each use (domain separation), so a hash of one kind
can never stand for another: an event's link, a chain's start, a Merkle leaf, a Merkle node. The
stored bytes hold only ciphertext of personal data, so an erasure never breaks a chain.

A link stays a plain hash, which anyone holding an order's events can recompute (SPEC §7's evidence
bundle, not built yet, rests on that); beside it each link carries a **key tag**: HMAC-SHA256 under the chain key, which is
never in the database (`ORDERCLAIMS_CHAIN_KEY`, or a key file in the key directory), over the link and
the size of the latest checkpoint when it was written (docs/decisions/0015). Whoever can write the
database but holds no chain key can recompute links, never tags.
"""

import hashlib
import hmac
from collections.abc import Iterable
from uuid import UUID

GENESIS = b"orderclaims/chain/genesis/v1\x00"
LINK = b"orderclaims/chain/event/v1\x00"
HEAD_LEAF = b"orderclaims/checkpoint/head/v1\x00"
TAG = b"orderclaims/chain/tag/v1\x00"
KEYED_FROM = b"orderclaims/chain/keyed-from/v1\x00"
LOG_LEAF = b"orderclaims/checkpoint/event/v1\x00"
TAG_BYTES = 8 + 32  # the checkpoint it saw, then the HMAC


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


def tag(chain_key: bytes, value: bytes, checkpoint: int) -> bytes:
    """A link's key tag: the size of the latest checkpoint when the link was written, then the HMAC of
    both under the chain key."""
    seen = checkpoint.to_bytes(8, "big")
    return seen + hmac.new(chain_key, TAG + value + seen, hashlib.sha256).digest()


def tag_holds(chain_key: bytes, value: bytes, stored_tag: bytes) -> bool:
    return len(stored_tag) == TAG_BYTES and hmac.compare_digest(
        stored_tag, tag(chain_key, value, int.from_bytes(stored_tag[:8], "big")))


def tag_checkpoint(stored_tag: bytes) -> int:
    """The checkpoint a tag says was the latest when its link was written (0: none)."""
    return int.from_bytes(stored_tag[:8], "big")


def keyed_from(chain_key: bytes, position: int) -> bytes:
    """The store's record of where keyed links begin: the position, then its HMAC."""
    at = position.to_bytes(8, "big")
    return at + hmac.new(chain_key, KEYED_FROM + at, hashlib.sha256).digest()


def keyed_from_holds(chain_key: bytes, record: bytes) -> bool:
    return len(record) == 40 and hmac.compare_digest(record, keyed_from(chain_key, int.from_bytes(record[:8], "big")))


def head_leaf(originator_id: UUID, version: int, head: bytes) -> bytes:
    """What a checkpoint's tree has of one chain: its aggregate, its length, its last hash."""
    return HEAD_LEAF + originator_id.bytes + version.to_bytes(8, "big") + head


def log_leaf(position: int, originator_id: UUID, version: int, value: bytes) -> bytes:
    """What a checkpoint's log tree (format v3) has of one event: where it is in the log, its aggregate,
    its version and its link. The log tree's leaves are the chained events in log order, so a later
    checkpoint's tree extends an earlier one's (RFC 6962 consistency)."""
    return LOG_LEAF + position.to_bytes(8, "big") + originator_id.bytes + version.to_bytes(8, "big") + value


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

    def frontier(self) -> bytes:
        """The complete subtrees, to go on from later (`resume`)."""
        return self.size.to_bytes(8, "big") + b"".join(n.to_bytes(8, "big") + h for n, h in self._stack)

    @classmethod
    def resume(cls, frontier: bytes) -> "MerkleRoot":
        tree = cls()
        tree.size = int.from_bytes(frontier[:8], "big")
        tree._stack = [(int.from_bytes(frontier[i:i + 8], "big"), frontier[i + 8:i + 40])
                       for i in range(8, len(frontier), 40)]
        return tree

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
