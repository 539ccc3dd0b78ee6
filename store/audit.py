"""Checkpoints and `verify` (SPEC §7): proof that nothing in the store was altered.

A checkpoint is the log's size and the Merkle root (RFC 6962) of every aggregate's chain head,
signed with Ed25519 by a key that is never in the database (`ORDERCLAIMS_SIGNING_KEY`, or a key
file, store/keyring.py); message v2 also signs the checkpoint before it and where keyed links begin.
`verify` streams the whole log once, in log order, recomputing every chain from the stored bytes
(memory: one head per aggregate) and every link's key tag (store/chain.py), and names each aggregate
whose events were altered, removed, inserted, reordered or forged; checks every checkpoint's
signature, root and sequence, and the log's length against them — a mismatch named aggregate by
aggregate from the chains each checkpoint added (`checkpoint_leaves`); and against a checkpoint the
auditor exported earlier (docs/decisions/0015, docs/threat-model.md).
"""

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid5

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import (
    BigInteger, Column, DateTime, Integer, LargeBinary, MetaData, PrimaryKeyConstraint, String, Table, inspect, select,
    text,
)
from sqlalchemy.engine import Engine

from domain.buyer import BUYER_NAMESPACE
from domain.cart import CART_NAMESPACE
from domain.inquiry import INQUIRY_NAMESPACE, ITEM_NAMESPACE, item_id, legacy_item_id
from domain.order import ORDER_NAMESPACE
from domain.parking import PARKED_NAMESPACE
from domain.receipt import RECEIPT_NAMESPACE, conflict_id
from domain.seller import SELLER_NAMESPACE
from store.chain import (
    MerkleRoot, genesis, head_leaf, keyed_from_holds, leaf_hash, link, log_leaf, tag_checkpoint, tag_holds,
)
from store.merkle_proofs import tree_hash
from store.files import write_whole
from store.keyring import KeyFileBroken, KeyMissing, find_key, setting

SIGNING_KEY_ENV = "ORDERCLAIMS_SIGNING_KEY"
CHAIN_KEY_ENV = "ORDERCLAIMS_CHAIN_KEY"
SIGNED = b"orderclaims/checkpoint/v1\x00"
SIGNED_V2 = b"orderclaims/checkpoint/v2\x00"  # also the previous checkpoint and where keyed links begin
SIGNED_V3 = b"orderclaims/checkpoint/v3\x00"  # also the log tree: every chained event in log order (decision 0020)
PAGE = 10_000
LEAVES_WRITTEN = 5_000  # checkpoint leaves inserted at a time

metadata = MetaData()
checkpoints = Table(
    "checkpoints",
    metadata,
    Column("size", BigInteger, primary_key=True),
    Column("heads", Integer, nullable=False),
    Column("root", LargeBinary, nullable=False),
    Column("public_key", LargeBinary, nullable=False),
    Column("signature", LargeBinary, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("previous_size", BigInteger),  # these three: NULL in a checkpoint of message v1
    Column("previous_root", LargeBinary),
    Column("keyed_from", BigInteger),
    Column("log_size", BigInteger),  # these two: NULL before message v3
    Column("log_root", LargeBinary),
    Column("log_frontier", LargeBinary),  # the log tree's complete subtrees: the next checkpoint goes on from them
)
ADDED = {"previous_size": "BIGINT", "previous_root": "BLOB", "keyed_from": "BIGINT", "log_size": "BIGINT",
         "log_root": "BLOB", "log_frontier": "BLOB"}
# What each checkpoint (of message v2) adds to the one before: the chains whose head moved, with the
# natural key of their aggregate — so that a removal the root shows can be named (they must give the
# checkpoint's signed root, and a name must give its aggregate's id).
checkpoint_leaves = Table(
    "checkpoint_leaves",
    metadata,
    Column("size", BigInteger, nullable=False),
    Column("originator_id", LargeBinary, nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("head", LargeBinary, nullable=False),
    Column("name", String, nullable=False),
    PrimaryKeyConstraint("size", "originator_id"),
)
# The heads tree of each checkpoint in blocks of BLOCK leaves (by aggregate id): the MTH of each, and its
# first aggregate. An order's audit path is then its block's leaves and the blocks' hashes (decision 0020).
BLOCK = 256
checkpoint_blocks = Table(
    "checkpoint_blocks",
    metadata,
    Column("size", BigInteger, nullable=False),
    Column("block", Integer, nullable=False),
    Column("first_id", LargeBinary, nullable=False),
    Column("hash", LargeBinary, nullable=False),
    PrimaryKeyConstraint("size", "block"),
)


class SigningKeyMissing(KeyMissing):
    """Neither ORDERCLAIMS_SIGNING_KEY nor a key file for this store (or a broken one)."""


class ChainKeyMissing(KeyMissing):
    """Neither ORDERCLAIMS_CHAIN_KEY nor a key file for this store (or a broken one)."""


def tables(engine: Engine) -> None:
    """The checkpoints' tables, and the columns message v2 added to a store's earlier table."""
    metadata.create_all(engine)
    # An aggregate's leaves across checkpoints (a table earlier releases made has none); looked for first,
    # as CREATE INDEX IF NOT EXISTS locks the table against writers even when the index is there.
    if "checkpoint_leaves_by_id" not in {i["name"] for i in inspect(engine).get_indexes("checkpoint_leaves")}:
        with engine.begin() as conn:
            conn.execute(text("CREATE INDEX IF NOT EXISTS checkpoint_leaves_by_id ON checkpoint_leaves (originator_id, size)"))
    have = {c["name"] for c in inspect(engine).get_columns("checkpoints")}
    if ADDED.keys() - have:
        blob = "BYTEA" if engine.dialect.name == "postgresql" else "BLOB"
        with engine.begin() as conn:
            for name, kind in ADDED.items():
                if name not in have:
                    conn.execute(text(f"ALTER TABLE checkpoints ADD COLUMN {name} {kind.replace('BLOB', blob)}"))


def signing_key(database_url: str, engine: Engine | None = None, create: bool = True) -> Ed25519PrivateKey:
    """The service's signing key; a new one only for a store without checkpoints (`create`)."""
    try:
        raw = find_key(database_url, engine, SIGNING_KEY_ENV, "signing.key", beside=".signing-key", create=create)
    except KeyFileBroken:
        raise
    except KeyMissing as missing:
        raise SigningKeyMissing(str(missing)) from None
    return Ed25519PrivateKey.from_private_bytes(raw)


def chain_key(database_url: str, engine: Engine | None = None, create: bool = True) -> bytes:
    """The key of the links' tags; a new one only for a store with no keyed link yet (`create`)."""
    try:
        return find_key(database_url, engine, CHAIN_KEY_ENV, "chain.key", beside=None, create=create)
    except KeyFileBroken:
        raise
    except KeyMissing as missing:
        raise ChainKeyMissing(str(missing)) from None


def keyed_from_record(engine: Engine) -> bytes | None:
    """Where the store's keyed links begin, as it records it (position + HMAC), if it does."""
    return setting(engine, "chain_keyed_from")


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class Checkpoint:
    size: int
    heads: int
    root: bytes
    public_key: bytes
    signature: bytes
    at: datetime
    previous_size: int | None = None
    previous_root: bytes | None = None
    keyed_from: int | None = None  # None: message v1 (before key tags); 0: the store had no keyed links
    log_size: int | None = None  # None: before message v3
    log_root: bytes | None = None

    def message(self) -> bytes:
        if self.keyed_from is None:
            return SIGNED + self.size.to_bytes(8, "big") + self.heads.to_bytes(8, "big") + self.root
        if self.log_size is not None:
            return (SIGNED_V3 + self.size.to_bytes(8, "big") + self.heads.to_bytes(8, "big") + self.root
                    + (self.previous_size or 0).to_bytes(8, "big") + (self.previous_root or bytes(32))
                    + self.keyed_from.to_bytes(8, "big") + self.log_size.to_bytes(8, "big") + (self.log_root or b""))
        return (SIGNED_V2 + self.size.to_bytes(8, "big") + self.heads.to_bytes(8, "big") + self.root
                + (self.previous_size or 0).to_bytes(8, "big") + (self.previous_root or bytes(32))
                + self.keyed_from.to_bytes(8, "big"))

    def signed(self) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(self.signature, self.message())
            return True
        except (InvalidSignature, ValueError):
            return False

    def as_json(self) -> dict:
        document = {"size": self.size, "heads": self.heads, "root": self.root.hex(), "public_key": self.public_key.hex(),
                    "signature": self.signature.hex(), "at": self.at.isoformat()}
        if self.keyed_from is not None:
            document.update(previous_size=self.previous_size or 0, previous_root=(self.previous_root or bytes(32)).hex(),
                            keyed_from=self.keyed_from)
        if self.log_size is not None:
            document.update(log_size=self.log_size, log_root=(self.log_root or b"").hex())
        return document

    @classmethod
    def from_json(cls, document: dict) -> "Checkpoint":
        v2 = "keyed_from" in document
        return cls(size=document["size"], heads=document["heads"], root=bytes.fromhex(document["root"]),
                   public_key=bytes.fromhex(document["public_key"]), signature=bytes.fromhex(document["signature"]),
                   at=datetime.fromisoformat(document["at"]),
                   previous_size=document["previous_size"] if v2 else None,
                   previous_root=bytes.fromhex(document["previous_root"]) if v2 else None,
                   keyed_from=document["keyed_from"] if v2 else None,
                   log_size=document.get("log_size"),
                   log_root=bytes.fromhex(document["log_root"]) if "log_root" in document else None)


def write_checkpoint(recorder: Any, engine: Engine, key: Ed25519PrivateKey) -> Checkpoint:
    """Sign the log's size, the Merkle root of its chain heads, the previous checkpoint and where keyed
    links begin; keep it in the store with the chains it adds to the checkpoint before."""
    tables(engine)
    tree = MerkleRoot()
    blocks: list[tuple[bytes, bytes]] = []
    block: list[bytes] = []
    first = b""

    def add(oid: UUID, version: int, head: bytes) -> None:
        nonlocal first
        data = head_leaf(oid, version, head)
        tree.add(data)
        if not block:
            first = oid.bytes
        block.append(leaf_hash(data))
        if len(block) == BLOCK:
            blocks.append((first, tree_hash(block)))
            block.clear()

    size = recorder.chain_heads(add)
    if block:
        blocks.append((first, tree_hash(block)))
    earlier = [c for c in stored_checkpoints(engine) if c.size < size]
    previous = earlier[-1] if earlier else None
    leaves_after = max((c.size for c in earlier if c.keyed_from is not None), default=0)
    record = keyed_from_record(engine)
    log, log_after = log_tree(engine, size)
    after = log_after
    while after < size:
        page = recorder.chained_page(after, PAGE)
        for position, oid, version, _, _, stored_link, _ in page:
            if position <= size and stored_link is not None:
                log.add(log_leaf(position, oid, version, stored_link))
        if len(page) < PAGE:
            break
        after = page[-1][0]
    unsigned = Checkpoint(size, tree.size, tree.root(), raw_public(key.public_key()), b"", datetime.now(timezone.utc),
                          previous.size if previous else 0, previous.root if previous else bytes(32),
                          int.from_bytes(record[:8], "big") if record else 0, log.size, log.root())
    checkpoint = Checkpoint(**{**asdict(unsigned), "signature": key.sign(unsigned.message())})
    with engine.begin() as conn:
        if conn.execute(select(checkpoints.c.size).where(checkpoints.c.size == size)).first() is None:
            conn.execute(checkpoints.insert().values(**asdict(checkpoint), log_frontier=log.frontier()))
            _write_leaves(conn, recorder, size, leaves_after)
            conn.execute(checkpoint_blocks.delete().where(checkpoint_blocks.c.size == size))  # a deleted checkpoint's
            if blocks:
                conn.execute(checkpoint_blocks.insert(), [{"size": size, "block": i, "first_id": f, "hash": h}
                                                          for i, (f, h) in enumerate(blocks)])
    return checkpoint


def _write_leaves(conn: Any, recorder: Any, size: int, after: int) -> None:
    """The chains whose heads moved since the checkpoint before, LEAVES_WRITTEN rows at a time: the first
    checkpoint of a store names every aggregate (1.27 GB held at once at 100,000 orders, before)."""
    leaves: list[dict] = []

    def add(oid: UUID, version: int, head: bytes, topic: str | None, state: bytes | None) -> None:
        leaves.append({"size": size, "originator_id": oid.bytes, "version": version, "head": head,
                       "name": natural_name(topic, state) or str(oid)})
        if len(leaves) == LEAVES_WRITTEN:
            conn.execute(checkpoint_leaves.insert(), leaves)
            leaves.clear()

    recorder.heads_between(after, size, add)
    if leaves:
        conn.execute(checkpoint_leaves.insert(), leaves)


def log_tree(engine: Engine, size: int) -> tuple[MerkleRoot, int]:
    """The log tree of the latest checkpoint of message v3 before position `size`, to go on from, and
    its position (an empty tree at 0 when there is none)."""
    with engine.connect() as conn:
        row = conn.execute(select(checkpoints.c.size, checkpoints.c.log_frontier).where(
            checkpoints.c.size < size, checkpoints.c.log_frontier.is_not(None)).order_by(checkpoints.c.size.desc())
            .limit(1)).first()
    return (MerkleRoot.resume(bytes(row[1])), row[0]) if row else (MerkleRoot(), 0)


CHECKPOINT_COLUMNS = [c for c in checkpoints.c if c.name != "log_frontier"]


def stored_checkpoints(engine: Engine) -> list[Checkpoint]:
    tables(engine)
    with engine.connect() as conn:
        return [Checkpoint(**r._mapping) for r in conn.execute(select(*CHECKPOINT_COLUMNS).order_by(checkpoints.c.size))]


# ---- naming: each finding names its aggregate by its natural key ----------------------------------

NATURAL_KEYS = {  # the aggregate's class -> what it is called, and the field of its first event that names it
    "domain.order:Order": ("order", "order_no"),
    "domain.cart:Cart": ("cart", "cart_no"),
    "domain.seller:Seller": ("seller", "seller_id"),
    "domain.receipt:Receipt": ("message", "message_id"),
    "domain.parking:ParkedMessage": ("parked message", "message_id"),
    "domain.buyer:Buyer": ("buyer", "buyer_id"),
    "domain.inquiry:Inquiry": ("inquiry", "inquiry_no"),
    "domain.inquiry:ItemInquiries": ("item", "item_no"),
}
NAMESPACES = {"order": ORDER_NAMESPACE, "cart": CART_NAMESPACE, "seller": SELLER_NAMESPACE, "message": RECEIPT_NAMESPACE,
              "parked message": PARKED_NAMESPACE, "buyer": BUYER_NAMESPACE, "inquiry": INQUIRY_NAMESPACE,
              "item": ITEM_NAMESPACE}  # every id is uuid5 of its natural key


PROOF = "\x1f"  # a recorded name may carry what checks it (a conflict receipt's fingerprint) after this: never shown


def checked_name(name: str | None, oid: UUID, stored_id: Callable[[str, str], UUID | None] | None = None) -> str:
    """A recorded name if it is the name of this id (the ids are uuid5 of the natural keys, or, for an
    order or a cart of a store with time-ordered ids, the id `stored_id(kind, key)` finds: the store's
    `aggregate_id`, docs/decisions/0019), else the id.
    An item is its seller's: 'item S1/I1' (or 'item I1', the id earlier releases gave it); a receipt of
    a repeat whose content differed, 'message m-1 (conflict)' — checked with its fingerprint."""
    if name:
        name, _, proof = name.partition(PROOF)
        if name.startswith("item "):
            item_no = name[len("item "):]
            if legacy_item_id(item_no) == oid or any(
                    item_id(item_no[:i], item_no[i + 1:]) == oid for i, c in enumerate(item_no) if c == "/"):
                return name
            return str(oid)
        if name.startswith("message ") and proof and conflict_id(name[len("message "):], proof) == oid:
            return name + " (conflict)"
        for kind, namespace in NAMESPACES.items():
            if name.startswith(kind + " ") and uuid5(namespace, name[len(kind) + 1:]) == oid:
                return name
        kind, _, key = name.partition(" ")
        if kind in ("order", "cart") and oid.version == 7 and stored_id is not None and stored_id(kind, key) == oid:
            return name
    return str(oid)


def natural_name(topic: str | None, state: bytes | None) -> str | None:
    """'order 100123', 'cart C1', 'seller S1', 'item S1/I1', 'message m-1' … from an aggregate's first
    stored event (a receipt's with its fingerprint after PROOF: checked_name tells a conflict's by it)."""
    if not topic or state is None:
        return None
    kind = NATURAL_KEYS.get(topic.rsplit(".", 1)[0])
    if kind is None:
        return None
    try:
        document = orjson.loads(state)
        value = document.get(kind[1])
    except (orjson.JSONDecodeError, AttributeError):
        return None
    if not value:
        return None
    if kind[0] == "item" and document.get("seller_id"):
        return f"item {document['seller_id']}/{value}"
    if kind[0] == "message" and isinstance(document.get("fingerprint"), str):
        return f"message {value}{PROOF}{document['fingerprint']}"
    return f"{kind[0]} {value}"


@dataclass
class Report:
    events: int = 0
    aggregates: int = 0
    unchained: int = 0  # events stored before chaining, of aggregates no event joined since: counted, not covered
    findings: list[dict] = field(default_factory=list)
    checkpoints: int = 0
    keyed_from: int = 0  # the first position whose link must carry a key tag (0: none must)
    tags_checked: bool = False  # False: verified without the chain key (links and checkpoints only)
    _stated: dict[str, int] = field(default_factory=dict)  # aggregate -> its finding from a checkpoint's leaves

    def find(self, kind: str, aggregate: str, detail: str, version: int | None = None, latest: bool = False) -> None:
        """`latest`: a finding that a later checkpoint may state again; the latest statement stands."""
        order = aggregate[len("order "):] if aggregate.startswith("order ") else None
        finding = {"finding": kind, "aggregate": aggregate, "order": order, "version": version, "detail": detail}
        earlier = self._stated.get(aggregate) if latest else None
        if earlier is not None:
            self.findings[earlier] = finding
            return
        if latest:
            self._stated[aggregate] = len(self.findings)
        self.findings.append(finding)

    @property
    def ok(self) -> bool:
        return not self.findings


class _Chains:
    """Every aggregate's chain as recomputed from the stored bytes, in log order. One compact value per
    aggregate, keyed by its id's 16 bytes: its version, its head and whether it has links (a store of
    100,000 orders has 590,000 aggregates, most of them Receipts)."""

    LINKED = b"\x01"
    NAMED_WHILE_READING = ("order ", "cart ", "seller ", "buyer ", "inquiry ", "item ")  # few: kept; the rest looked up

    def __init__(self, recorder: Any, engine: Engine) -> None:
        self._heads: dict[bytes, bytes] = {}  # id -> version (8 bytes) + head (32) + linked (1)
        self.unlinked: set[UUID] = set()  # aggregates with events stored before chaining, never joined since
        self.names: dict[bytes, str] = {}  # aggregates other than Receipts: their natural key, to name them in findings
        self._recorder, self._engine = recorder, engine
        self.log = MerkleRoot()  # the log tree (checkpoint message v3): every chained event in log order

    def __len__(self) -> int:
        return len(self._heads)

    def __contains__(self, oid: UUID) -> bool:
        return oid.bytes in self._heads

    def get(self, oid: UUID) -> tuple[int, bytes, bool]:
        """The chain's version, head and whether it has links (0, its genesis, False: none yet)."""
        packed = self._heads.get(oid.bytes)
        if packed is None:
            return 0, genesis(oid), False
        return int.from_bytes(packed[:8], "big"), packed[8:40], packed[40:] == self.LINKED

    def linked(self, oid: UUID) -> bool:
        return self.get(oid)[2]

    def linked_ids(self) -> list[bytes]:
        return [k for k, packed in self._heads.items() if packed[40:] == self.LINKED]

    def move(self, oid: UUID, version: int, head: bytes, linked: bool) -> None:
        self._heads[oid.bytes] = version.to_bytes(8, "big") + head + (self.LINKED if linked else b"\x00")

    def read_first(self, oid: UUID, topic: str, state: bytes) -> None:
        name = natural_name(topic, state)
        if name and name.startswith(self.NAMED_WHILE_READING):
            self.names[oid.bytes] = name

    def name(self, oid: UUID) -> str:
        """Its natural key, from its first event; if that is gone (or names another id), as a checkpoint had it."""
        found = self.names.get(oid.bytes)
        if found is None:
            first = self._recorder.select_events(oid, lte=1)
            found = natural_name(first[0].topic, first[0].state) if first else None
        stored_id = getattr(self._recorder, "aggregate_id", None)
        if checked_name(found, oid, stored_id) == str(oid):
            with self._engine.connect() as conn:
                found = conn.execute(select(checkpoint_leaves.c.name).where(
                    checkpoint_leaves.c.originator_id == oid.bytes).limit(1)).scalar()
        return checked_name(found, oid, stored_id)

    def root_at(self) -> tuple[int, bytes]:
        tree = MerkleRoot()
        for key in sorted(self.linked_ids()):
            packed = self._heads[key]
            tree.add(head_leaf(UUID(bytes=key), int.from_bytes(packed[:8], "big"), packed[8:40]))
        return tree.size, tree.root()


class _Scan:
    """One pass over the log: the chains, and what the key tags say."""

    def __init__(self, report: Report, chains: _Chains, key: bytes | None, known: set[int]) -> None:
        self.report, self.chains, self.key, self.known = report, chains, key, known
        self.gone_checkpoints: dict[int, tuple[str, int]] = {}  # a checkpoint a tag names and the store lacks -> witness

    def event(self, position: int, oid: UUID, version: int, topic: str, state: bytes, stored_link: bytes | None,
              stored_tag: bytes | None) -> None:
        report, chains = self.report, self.chains
        report.events += 1
        if version == 1:
            chains.read_first(oid, topic, state)
        previous_version, previous, linked = chains.get(oid)
        if version != previous_version + 1:
            report.find("events removed or reordered", chains.name(oid),
                        f"version {version} follows version {previous_version}", version)
        value = link(previous, oid, version, topic, state)
        if stored_link is None:
            if linked:
                report.find("event inserted", chains.name(oid), "an event with no link in its chain", version)
            else:  # stored before chaining existed, and no event has joined its chain since (decision 0008)
                chains.unlinked.add(oid)
                report.unchained += 1
        else:
            linked = True
            if stored_link != value:
                report.find("event altered", chains.name(oid), "its stored bytes do not give its chain's link", version)
            elif stored_tag is None and report.keyed_from and position >= report.keyed_from:
                report.find("event forged or altered", chains.name(oid),
                            f"its link has no key tag, and every link from position {report.keyed_from:,} on has one "
                            "(written without the chain key)", version)
            elif stored_tag is not None and self.key is not None and not tag_holds(self.key, stored_link, stored_tag):
                report.find("event forged or altered", chains.name(oid),
                            "its link's key tag does not verify (the link was recomputed without the chain key)",
                            version)
            elif stored_tag is not None:
                seen = tag_checkpoint(stored_tag)
                if seen and seen not in self.known:
                    witness = self.gone_checkpoints.get(seen)
                    if witness is None or (not witness[0].startswith("order ") and chains.name(oid).startswith("order ")):
                        self.gone_checkpoints[seen] = (chains.name(oid), version)
        chains.move(oid, version, value, linked)


def verify(recorder: Any, engine: Engine, exported: Checkpoint | None = None, public_key: bytes | None = None,
           key: bytes | None = None, progress: Callable[[int, int], None] | None = None) -> Report:
    """Recompute every chain, key tag and checkpoint; a finding for each thing that does not hold.
    `key`: the chain key (without it, the tags are not checked: what an outsider can check).
    `progress(events, position)`: called after each page of the log (every PAGE events) with the
    events read so far and the position of the last one (the audit page's progress bar)."""
    report, chains = Report(), _Chains(recorder, engine)
    stored = stored_checkpoints(engine)
    report.checkpoints = len(stored)
    every = stored + ([exported] if exported else [])
    for checkpoint in every:
        if not checkpoint.signed() or (public_key is not None and checkpoint.public_key != public_key):
            report.find("checkpoint not signed by the service", f"checkpoint {checkpoint.size}",
                        "its signature does not verify with the service's key")
    _check_sequence(report, every)
    _keyed_from(report, engine, every, key)
    report.tags_checked = key is not None
    scan = _Scan(report, chains, key, {c.size for c in every})
    due = sorted({c.size: c for c in every}.items())
    after, last = 0, 0
    log = chains.log
    while True:
        page = recorder.chained_page(after, PAGE)
        for position, oid, version, topic, state, stored_link, stored_tag in page:
            while due and due[0][0] < position:  # every event up to a checkpoint's size has been read
                _check_root(report, chains, due.pop(0)[1], exported, engine)
            scan.event(position, oid, version, topic, state, stored_link, stored_tag)
            if stored_link is not None:
                log.add(log_leaf(position, oid, version, stored_link))
            last = position
        if progress is not None:
            progress(report.events, last)
        if len(page) < PAGE:
            break
        after = page[-1][0]
    for _, checkpoint in due:
        if checkpoint.size > last:
            report.find("log truncated", "the log", f"it ends at position {last:,}; a checkpoint covered {checkpoint.size:,}")
            _name_changes(report, chains, checkpoint, engine)
        else:
            _check_root(report, chains, checkpoint, exported, engine)
    for size, (name, version) in sorted(scan.gone_checkpoints.items()):
        report.find("checkpoint removed", name, f"the checkpoint at position {size:,} was the latest when this event "
                    "was written (its key tag says so), and the store no longer has it", version)
    for oid, version in recorder.orphan_links():
        whole = oid not in chains
        report.find("order deleted" if whole else "event removed", chains.name(oid),
                    "every event of it is gone" if whole else f"version {version} is gone", version)
    for oid in chains.unlinked:
        if chains.linked(oid):
            report.find("chain links removed", chains.name(oid), "events of a chained aggregate have no link")
    report.aggregates = len(chains)
    return report


def _check_sequence(report: Report, every: list[Checkpoint]) -> None:
    """Each checkpoint of message v2 signs the one before it: one removed from between is missed."""
    by_size = {c.size: c for c in every}
    for checkpoint in sorted(by_size.values(), key=lambda c: c.size):
        if checkpoint.keyed_from is None or not checkpoint.previous_size:
            continue
        before = by_size.get(checkpoint.previous_size)
        if before is None:
            report.find("checkpoint removed", f"checkpoint {checkpoint.previous_size}",
                        f"the checkpoint at position {checkpoint.size:,} signs it as the one before, and it is gone")
        elif before.root != checkpoint.previous_root:
            report.find("checkpoint replaced", f"checkpoint {checkpoint.previous_size}",
                        f"its root is not the one the checkpoint at position {checkpoint.size:,} signs")


def _keyed_from(report: Report, engine: Engine, every: list[Checkpoint], key: bytes | None) -> None:
    """Where links must carry key tags: as the store records it, and as the signed checkpoints say."""
    record = keyed_from_record(engine)
    signed = [c.keyed_from for c in every if c.keyed_from and c.signed()]
    at = int.from_bytes(record[:8], "big") if record else 0
    if record is not None and key is not None and not keyed_from_holds(key, record):
        report.find("keyed links record altered", "the store",
                    "its record of where keyed links begin does not verify with the chain key")
    if signed and (not at or at > min(signed)):
        report.find("keyed links record removed" if not at else "keyed links record altered", "the store",
                    f"a signed checkpoint says links are keyed from position {min(signed):,}")
        at = min(signed)
    report.keyed_from = at


def _check_root(report: Report, chains: _Chains, checkpoint: Checkpoint, exported: Checkpoint | None,
                engine: Engine) -> None:
    heads, root = chains.root_at()
    if (heads, root) != (checkpoint.heads, checkpoint.root):
        kind = "store differs from the exported checkpoint" if checkpoint is exported else "checkpoint mismatch"
        report.find(kind, f"checkpoint {checkpoint.size}",
                    f"the chains recomputed up to position {checkpoint.size:,} do not give its root "
                    f"({heads} heads)")
        _name_changes(report, chains, checkpoint, engine)
    if checkpoint.log_size is not None and (chains.log.size, chains.log.root()) != (checkpoint.log_size,
                                                                                    checkpoint.log_root):
        kind = "store differs from the exported checkpoint" if checkpoint is exported else "checkpoint mismatch"
        report.find(kind, f"checkpoint {checkpoint.size}",
                    f"the log's events up to position {checkpoint.size:,} do not give its log root "
                    f"({chains.log.size:,} events; it signed {checkpoint.log_size:,})", latest=False)


def _name_changes(report: Report, chains: _Chains, checkpoint: Checkpoint, engine: Engine) -> None:
    """What the checkpoint had that the chains read so far do not, aggregate by aggregate: from the
    leaves the store keeps (message v2), when they give the checkpoint's signed root."""
    leaves: dict[bytes, tuple[int, bytes, str]] = {}
    with engine.connect() as conn:
        for row in conn.execute(select(checkpoint_leaves).where(checkpoint_leaves.c.size <= checkpoint.size)
                                .order_by(checkpoint_leaves.c.size)):
            oid = UUID(bytes=bytes(row.originator_id))
            leaves[oid.bytes] = (row.version, bytes(row.head),
                                 checked_name(row.name, oid, getattr(chains._recorder, "aggregate_id", None)))
    if not leaves:
        return
    trusted = merkle_of(leaves) == (checkpoint.heads, checkpoint.root)
    if not trusted:
        report.find("checkpoint leaves altered", f"checkpoint {checkpoint.size}",
                    "the chains the store keeps for it do not give its signed root: the names below may be wrong")
    where = f"checkpoint {checkpoint.size:,}"
    # what the chains and tags named already (what an earlier checkpoint's leaves named is stated again)
    named = {f["aggregate"] for f in report.findings} - report._stated.keys()
    for key, (version, head, name) in sorted(leaves.items(), key=lambda item: item[1][2]):
        oid = UUID(bytes=key)
        if name in named:
            continue
        now, now_head, linked = chains.get(oid)
        if not linked:
            report.find("events deleted", name, f"its events up to version {version} were in {where}, now gone", version,
                        latest=True)
        elif now < version:
            report.find("events removed", name,
                        f"{where} has it up to version {version}; the log only up to version {now}", version, latest=True)
        elif now == version and now_head != head:
            report.find("event altered", name, f"its chain up to version {version} is not the one {where} signed",
                        version, latest=True)
    if trusted:
        for key in chains.linked_ids():
            if key not in leaves and chains.name(UUID(bytes=key)) not in named:
                oid = UUID(bytes=key)
                report.find("events inserted", chains.name(oid), f"{where} has no chain of it", chains.get(oid)[0],
                            latest=True)


def merkle_of(leaves: dict[bytes, tuple[int, bytes, str]]) -> tuple[int, bytes]:
    tree = MerkleRoot()
    for key in sorted(leaves):
        tree.add(head_leaf(UUID(bytes=key), leaves[key][0], leaves[key][1]))
    return tree.size, tree.root()


def export(checkpoint: Checkpoint, path: str) -> None:
    """The auditor's copy of a checkpoint, written whole or not at all (an old copy stays until then)."""
    write_whole(Path(path), (json.dumps(checkpoint.as_json(), indent=2) + "\n").encode())


def load(path: str) -> Checkpoint:
    return Checkpoint.from_json(json.loads(Path(path).read_text()))
