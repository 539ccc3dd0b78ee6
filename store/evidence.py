"""One order's evidence (SPEC §7, docs/evidence-format.md, docs/decisions/0020): its events exactly as
stored, their chain, and the RFC 6962 audit path of its chain head in a signed checkpoint — built
from the chains a checkpoint recorded (`checkpoint_leaves`), never by reading the whole log.
`verify_order` checks the same against the store, with the chain key's tags too.
"""

import base64
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from store.audit import BLOCK, PAGE, Checkpoint, checkpoint_blocks, checkpoint_leaves, stored_checkpoints
from store.chain import genesis, head_leaf, leaf_hash, link, log_leaf, tag_holds
from store.merkle_proofs import consistency_proof, inclusion_path, root_from_path, tree_hash

FORMAT = "orderclaims-evidence/1"


class NoEvidence(Exception):
    """The order has no chained events, or no signed checkpoint covers it."""


@dataclass
class StoredEvent:
    version: int
    topic: str
    state: bytes
    link: bytes | None
    tag: bytes | None


@dataclass
class Inclusion:
    checkpoint: Checkpoint
    index: int
    version: int
    head: bytes
    path: list[bytes]


@dataclass
class OrderCheck:
    order_no: str
    events: int = 0
    covered: int = 0  # events the checkpoint's head covers
    checkpoint: int | None = None
    findings: list[dict] = field(default_factory=list)  # as `verify`'s (store/audit.Report.find): one shape
    tags_checked: bool = False

    @property
    def ok(self) -> bool:
        return not self.findings and self.checkpoint is not None

    def find(self, kind: str, detail: str, version: int | None = None) -> None:
        self.findings.append({"finding": kind, "aggregate": f"order {self.order_no}", "order": self.order_no,
                              "version": version, "detail": detail})


def order_events(recorder: Any, engine: Engine, oid: UUID) -> list[StoredEvent]:
    """The order's stored events with their links and key tags, by version (`oid`: its id, by the
    store's id scheme: docs/decisions/0019)."""
    events = recorder.select_events(oid)
    if engine.dialect.name == "postgresql":
        schema = getattr(getattr(recorder, "datastore", None), "schema", None) or "public"
        query = text(f'SELECT originator_version, hash, tag FROM "{schema}".event_hashes WHERE originator_id = :oid')
        oid_value: Any = oid
    else:
        query = text("SELECT originator_version, hash, tag FROM event_links WHERE originator_id = :oid")
        oid_value = oid.hex
    with engine.connect() as conn:
        links = {r[0]: (bytes(r[1]), bytes(r[2]) if r[2] is not None else None)
                 for r in conn.execute(query, {"oid": oid_value})}
    return [StoredEvent(e.originator_version, e.topic, bytes(e.state), *links.get(e.originator_version, (None, None)))
            for e in events]


def heads_at(engine: Engine, checkpoint: Checkpoint) -> list[tuple[bytes, int, bytes]]:
    """(aggregate id, version, head) of every chain at the checkpoint, by id: its tree's leaves."""
    latest: dict[bytes, tuple[int, bytes]] = {}
    with engine.connect() as conn:
        for row in conn.execute(select(checkpoint_leaves.c.originator_id, checkpoint_leaves.c.version,
                                       checkpoint_leaves.c.head)
                                .where(checkpoint_leaves.c.size <= checkpoint.size).order_by(checkpoint_leaves.c.size)):
            latest[bytes(row[0])] = (row[1], bytes(row[2]))
    return [(key, *latest[key]) for key in sorted(latest)]


def inclusion(engine: Engine, checkpoint: Checkpoint, oid: UUID) -> Inclusion | None:
    """The audit path of the aggregate's chain head in the checkpoint's tree (None: not in it): from
    its block's leaves and the blocks' hashes when the checkpoint keeps blocks, else from every leaf."""
    with engine.connect() as conn:
        blocks = conn.execute(select(checkpoint_blocks.c.block, checkpoint_blocks.c.first_id, checkpoint_blocks.c.hash)
                              .where(checkpoint_blocks.c.size == checkpoint.size)
                              .order_by(checkpoint_blocks.c.block)).all()
        if blocks:
            found = _in_block(conn, checkpoint, oid, [(b[0], bytes(b[1]), bytes(b[2])) for b in blocks])
            if found is not False:
                return found
    return _in_every_leaf(engine, checkpoint, oid)


def _in_block(conn: Any, checkpoint: Checkpoint, oid: UUID, blocks: list[tuple[int, bytes, bytes]]):
    """False when the blocks do not give the signed root or the block its hash (then: every leaf)."""
    hashes = [h for _, _, h in blocks]
    if tree_hash(hashes) != checkpoint.root:
        return False
    at = max((i for i, (_, first, _) in enumerate(blocks) if first <= oid.bytes), default=None)
    if at is None:
        return None
    upto = blocks[at + 1][1] if at + 1 < len(blocks) else None
    query = select(checkpoint_leaves.c.originator_id, checkpoint_leaves.c.version, checkpoint_leaves.c.head).where(
        checkpoint_leaves.c.originator_id >= blocks[at][1], checkpoint_leaves.c.size <= checkpoint.size)
    if upto is not None:
        query = query.where(checkpoint_leaves.c.originator_id < upto)
    latest: dict[bytes, tuple[int, bytes]] = {}
    for row in conn.execute(query.order_by(checkpoint_leaves.c.size)):
        latest[bytes(row[0])] = (row[1], bytes(row[2]))
    leaves = [(key, *latest[key]) for key in sorted(latest)]
    leaf_hashes = [leaf_hash(head_leaf(UUID(bytes=key), version, head)) for key, version, head in leaves]
    if tree_hash(leaf_hashes) != hashes[at] or (upto is not None and len(leaves) != BLOCK):
        return False
    for index, (key, version, head) in enumerate(leaves):
        if key == oid.bytes:
            return Inclusion(checkpoint, at * BLOCK + index, version, head,
                             inclusion_path(index, leaf_hashes) + inclusion_path(at, hashes))
    return None


def _in_every_leaf(engine: Engine, checkpoint: Checkpoint, oid: UUID) -> Inclusion | None:
    leaves = heads_at(engine, checkpoint)
    hashes = [leaf_hash(head_leaf(UUID(bytes=key), version, head)) for key, version, head in leaves]
    if len(hashes) != checkpoint.heads or tree_hash(hashes) != checkpoint.root:
        raise NoEvidence(f"the chains the store keeps for checkpoint {checkpoint.size} do not give its signed root")
    for index, (key, version, head) in enumerate(leaves):
        if key == oid.bytes:
            return Inclusion(checkpoint, index, version, head, inclusion_path(index, hashes))
    return None


def latest_inclusion(engine: Engine, oid: UUID) -> Inclusion:
    """In the latest signed checkpoint that keeps its chains (message v2)."""
    for checkpoint in reversed(stored_checkpoints(engine)):
        if checkpoint.keyed_from is not None and checkpoint.signed():
            found = inclusion(engine, checkpoint, oid)
            if found is None:
                raise NoEvidence(f"the latest checkpoint (position {checkpoint.size:,}) has no chain of this order")
            return found
    raise NoEvidence("no signed checkpoint yet: write one with `orderclaims checkpoint`")


def bundle(recorder: Any, engine: Engine, order_no: str, oid: UUID, unmasked: list | None = None) -> dict:
    """The evidence bundle of docs/evidence-format.md."""
    events = order_events(recorder, engine, oid)
    if not events or any(e.link is None for e in events):
        raise NoEvidence(f"order {order_no} has events with no chain link")
    proof = latest_inclusion(engine, oid)
    if proof.version != events[-1].version:
        raise NoEvidence(f"order {order_no} has events after the latest checkpoint: write one first")
    document = {
        "format": FORMAT,
        "order_no": order_no,
        "aggregate_id": str(oid),
        "events": [{"version": e.version, "topic": e.topic, "state": base64.b64encode(e.state).decode(),
                    "link": e.link.hex()} for e in events],
        "inclusion": {"leaf_index": proof.index, "tree_size": proof.checkpoint.heads, "version": proof.version,
                      "head": proof.head.hex(), "audit_path": [p.hex() for p in proof.path]},
        "checkpoint": proof.checkpoint.as_json(),
        "public_key": proof.checkpoint.public_key.hex(),
    }
    if unmasked is not None:
        document["unmasked"] = unmasked  # not evidence: the plaintext of what the events seal, for reading
    return document


def verify_order(recorder: Any, engine: Engine, order_no: str, oid: UUID | None, key: bytes | None = None,
                 public_key: bytes | None = None) -> OrderCheck:
    """The order's chain from its stored bytes (and its key tags, given the chain key), and its head's
    inclusion in the latest signed checkpoint."""
    check = OrderCheck(order_no, tags_checked=key is not None)
    events = order_events(recorder, engine, oid) if oid is not None else []
    check.events = len(events)
    if not events:
        check.find("no events", "the order is unknown, or all its events are gone")
        return check
    value = genesis(oid)
    for expected, event in enumerate(events, start=1):
        if event.version != expected:
            check.find("events removed or reordered", f"version {event.version} follows version {expected - 1}", event.version)
        value = link(value, oid, event.version, event.topic, event.state)
        if event.link is None:
            check.find("event inserted", "an event with no link in its chain", event.version)
        elif event.link != value:
            check.find("event altered", "its stored bytes do not give its chain's link", event.version)
        elif key is not None and event.tag is not None and not tag_holds(key, event.link, event.tag):
            check.find("event forged or altered", "its link's key tag does not verify", event.version)
    try:
        proof = latest_inclusion(engine, oid)
    except NoEvidence as missing:
        check.find("not in a checkpoint", str(missing))
        return check
    check.checkpoint = proof.checkpoint.size
    if public_key is not None and proof.checkpoint.public_key != public_key:
        check.find("checkpoint not signed by the service", f"the checkpoint at position {proof.checkpoint.size:,} is not signed by the service's key")
    at = next((e for e in events if e.version == proof.version), None)
    if at is None or at.link != proof.head:
        check.find("checkpoint mismatch", f"the checkpoint has its chain up to version {proof.version}, and the store another", proof.version)
    check.covered = proof.version
    if root_from_path(proof.index, proof.checkpoint.heads, leaf_hash(head_leaf(oid, proof.version, proof.head)),
                      proof.path) != proof.checkpoint.root:
        check.find("inclusion proof fails", "the audit path does not give the checkpoint's root", proof.version)
    return check


CONSISTENCY_FORMAT = "orderclaims-consistency/1"


def log_hashes(recorder: Any, upto: int) -> list[bytes]:
    """The log tree's leaf hashes up to position `upto`: every chained event in log order."""
    hashes, after = [], 0
    while after < upto:
        page = recorder.chained_page(after, PAGE)
        for position, oid, version, _, _, stored_link, _ in page:
            if position <= upto and stored_link is not None:
                hashes.append(leaf_hash(log_leaf(position, oid, version, stored_link)))
        if len(page) < PAGE:
            break
        after = page[-1][0]
    return hashes


def consistency(recorder: Any, old: Checkpoint, new: Checkpoint) -> tuple[dict, list[str]]:
    """The RFC 6962 proof that NEW's log tree extends OLD's, from the store's log as it is now, and
    what does not hold here already (the verifier checks the same offline)."""
    if old.log_size is None or new.log_size is None:
        raise NoEvidence("both checkpoints must be of message v3 (with a log root): checkpoints written before "
                         "this release are checked by `verify` only")
    if old.size > new.size:
        old, new = new, old
    hashes = log_hashes(recorder, new.size)
    problems = []
    if len(hashes) != new.log_size or tree_hash(hashes) != new.log_root:
        problems.append(f"the store's log up to position {new.size:,} does not give the new checkpoint's log root")
    if old.log_size > len(hashes) or tree_hash(hashes[:old.log_size]) != old.log_root:
        problems.append(f"the store's log up to position {old.size:,} does not give the old checkpoint's log root: "
                        "its history was rewritten since")
    proof = consistency_proof(old.log_size, hashes) if old.log_size <= len(hashes) else []
    if old.public_key != new.public_key:
        problems.append("the two checkpoints are signed by different keys")
    return {"format": CONSISTENCY_FORMAT, "old": old.as_json(), "new": new.as_json(),
            "proof": [p.hex() for p in proof], "public_key": new.public_key.hex()}, problems
