"""Checkpoints and `verify` (SPEC §7): proof that nothing in the store was altered.

A checkpoint is the log's size and the Merkle root (RFC 6962) of every aggregate's chain head,
signed with Ed25519 by a key that is never in the database (`ORDERCLAIMS_SIGNING_KEY`, or for an
SQLite store a key file beside the database, mode 0600). `verify` streams the whole log once, in
log order, recomputing every chain from the stored bytes (memory: one head per aggregate), and
names each aggregate whose events were altered, removed, inserted or reordered; checks every
checkpoint's signature and root, and the log's length against them; and against a checkpoint the
auditor exported earlier, which catches a store whose every hash was recomputed.
"""

import base64
import json
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import BigInteger, Column, DateTime, Integer, LargeBinary, MetaData, Table, select
from sqlalchemy.engine import Engine, make_url

from store.chain import MerkleRoot, genesis, head_leaf, link

SIGNING_KEY_ENV = "ORDERCLAIMS_SIGNING_KEY"
SIGNED = b"orderclaims/checkpoint/v1\x00"
PAGE = 10_000
PLACED = "domain.order:Order.Placed"

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
)


class SigningKeyMissing(Exception):
    """Neither ORDERCLAIMS_SIGNING_KEY nor a key file for this database."""


def signing_key(database_url: str) -> Ed25519PrivateKey:
    value = os.environ.get(SIGNING_KEY_ENV)
    if not value:
        url = make_url(database_url)
        if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
            raise SigningKeyMissing(f"set {SIGNING_KEY_ENV} (32 bytes, URL-safe base64): it is never in the database")
        path = Path(url.database + ".signing-key")
        if not path.exists():
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as file:
                file.write(base64.urlsafe_b64encode(os.urandom(32)))
        value = path.read_text().strip()
    return Ed25519PrivateKey.from_private_bytes(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))


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

    def message(self) -> bytes:
        return SIGNED + self.size.to_bytes(8, "big") + self.heads.to_bytes(8, "big") + self.root

    def signed(self) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(self.signature, self.message())
            return True
        except InvalidSignature:
            return False

    def as_json(self) -> dict:
        return {"size": self.size, "heads": self.heads, "root": self.root.hex(), "public_key": self.public_key.hex(),
                "signature": self.signature.hex(), "at": self.at.isoformat()}

    @classmethod
    def from_json(cls, document: dict) -> "Checkpoint":
        return cls(size=document["size"], heads=document["heads"], root=bytes.fromhex(document["root"]),
                   public_key=bytes.fromhex(document["public_key"]), signature=bytes.fromhex(document["signature"]),
                   at=datetime.fromisoformat(document["at"]))


def write_checkpoint(recorder: Any, engine: Engine, key: Ed25519PrivateKey) -> Checkpoint:
    """Sign the log's size and the Merkle root of its chain heads, and keep it in the store."""
    metadata.create_all(engine)
    tree = MerkleRoot()
    size = recorder.chain_heads(lambda oid, version, head: tree.add(head_leaf(oid, version, head)))
    unsigned = Checkpoint(size, tree.size, tree.root(), raw_public(key.public_key()), b"", datetime.now(timezone.utc))
    checkpoint = Checkpoint(**{**asdict(unsigned), "signature": key.sign(unsigned.message())})
    with engine.begin() as conn:
        if conn.execute(select(checkpoints.c.size).where(checkpoints.c.size == size)).first() is None:
            conn.execute(checkpoints.insert().values(**asdict(checkpoint)))
    return checkpoint


def stored_checkpoints(engine: Engine) -> list[Checkpoint]:
    metadata.create_all(engine)
    with engine.connect() as conn:
        return [Checkpoint(**r._mapping) for r in conn.execute(select(checkpoints).order_by(checkpoints.c.size))]


@dataclass
class Report:
    events: int = 0
    aggregates: int = 0
    unchained: int = 0  # events stored before chaining, of aggregates no event joined since: counted, not covered
    findings: list[dict] = field(default_factory=list)
    checkpoints: int = 0

    def find(self, kind: str, aggregate: str, detail: str, version: int | None = None) -> None:
        self.findings.append({"finding": kind, "aggregate": aggregate, "version": version, "detail": detail})

    @property
    def ok(self) -> bool:
        return not self.findings


class _Chains:
    """Every aggregate's chain as recomputed from the stored bytes, in log order. One compact value per
    aggregate, keyed by its id's 16 bytes: its version, its head and whether it has links (a store of
    100,000 orders has 590,000 aggregates, most of them Receipts)."""

    LINKED = b"\x01"

    def __init__(self) -> None:
        self._heads: dict[bytes, bytes] = {}  # id -> version (8 bytes) + head (32) + linked (1)
        self.unlinked: set[UUID] = set()  # aggregates with events stored before chaining, never joined since
        self.names: dict[bytes, str] = {}  # orders: their number, to name them in findings

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

    def move(self, oid: UUID, version: int, head: bytes, linked: bool) -> None:
        self._heads[oid.bytes] = version.to_bytes(8, "big") + head + (self.LINKED if linked else b"\x00")

    def name(self, oid: UUID) -> str:
        return self.names.get(oid.bytes, str(oid))

    def root_at(self) -> tuple[int, bytes]:
        tree = MerkleRoot()
        for key in sorted(k for k, packed in self._heads.items() if packed[40:] == self.LINKED):
            packed = self._heads[key]
            tree.add(head_leaf(UUID(bytes=key), int.from_bytes(packed[:8], "big"), packed[8:40]))
        return tree.size, tree.root()


def verify(recorder: Any, engine: Engine, exported: Checkpoint | None = None, public_key: bytes | None = None) -> Report:
    """Recompute every chain and checkpoint; a finding for each thing that does not hold."""
    report, chains = Report(), _Chains()
    stored = stored_checkpoints(engine)
    report.checkpoints = len(stored)
    for checkpoint in stored + ([exported] if exported else []):
        if not checkpoint.signed() or (public_key is not None and checkpoint.public_key != public_key):
            report.find("checkpoint not signed by the service", f"checkpoint {checkpoint.size}",
                        "its signature does not verify with the service's key")
    due = sorted({c.size: c for c in stored + ([exported] if exported else [])}.items())
    after, last = 0, 0
    while True:
        page = recorder.chained_page(after, PAGE)
        for position, oid, version, topic, state, stored_link in page:
            while due and due[0][0] < position:  # every event up to a checkpoint's size has been read
                _check_root(report, chains, due.pop(0)[1], exported)
            _check_event(report, chains, oid, version, topic, state, stored_link)
            last = position
        if len(page) < PAGE:
            break
        after = page[-1][0]
    for _, checkpoint in due:
        if checkpoint.size > last:
            report.find("log truncated", "the log", f"it ends at position {last:,}; a checkpoint covered {checkpoint.size:,}")
        else:
            _check_root(report, chains, checkpoint, exported)
    for oid, version in recorder.orphan_links():
        whole = oid not in chains
        report.find("order deleted" if whole else "event removed", chains.name(oid),
                    "every event of it is gone" if whole else f"version {version} is gone", version)
    for oid in chains.unlinked:
        if chains.linked(oid):
            report.find("chain links removed", chains.name(oid), "events of a chained aggregate have no link")
    report.aggregates = len(chains)
    return report


def _check_event(report: Report, chains: _Chains, oid: UUID, version: int, topic: str, state: bytes,
                 stored_link: bytes | None) -> None:
    report.events += 1
    if version == 1 and topic == PLACED:
        chains.names[oid.bytes] = f"order {orjson.loads(state).get('order_no')}"
    name = chains.name(oid)
    previous_version, previous, linked = chains.get(oid)
    if version != previous_version + 1:
        report.find("events removed or reordered", name,
                    f"version {version} follows version {previous_version}", version)
    value = link(previous, oid, version, topic, state)
    if stored_link is None:
        if linked:
            report.find("event inserted", name, "an event with no link in its chain", version)
        else:  # stored before chaining existed, and no event has joined its chain since (decision 0008)
            chains.unlinked.add(oid)
            report.unchained += 1
    else:
        linked = True
        if stored_link != value:
            report.find("event altered", name, "its stored bytes do not give its chain's link", version)
    chains.move(oid, version, value, linked)


def _check_root(report: Report, chains: _Chains, checkpoint: Checkpoint, exported: Checkpoint | None) -> None:
    heads, root = chains.root_at()
    if (heads, root) != (checkpoint.heads, checkpoint.root):
        kind = "store differs from the exported checkpoint" if checkpoint is exported else "checkpoint mismatch"
        report.find(kind, f"checkpoint {checkpoint.size}",
                    f"the chains recomputed up to position {checkpoint.size:,} do not give its root "
                    f"({heads} heads)")


def export(checkpoint: Checkpoint, path: str) -> None:
    Path(path).write_text(json.dumps(checkpoint.as_json(), indent=2) + "\n")


def load(path: str) -> Checkpoint:
    return Checkpoint.from_json(json.loads(Path(path).read_text()))
