"""Buyer keys (SPEC §7): one AES-256-GCM key per buyer, stored wrapped by the master key, which is
never in the database: `ORDERCLAIMS_MASTER_KEY` (32 bytes, URL-safe base64), or for an SQLite
store a key file (`master.key` in the store's folder of the key directory, or `orderclaims.db.key`
beside a database an earlier release made it for; store/keyring.py) made on first use.

Erasure destroys a buyer's keys (their wrapped bytes are deleted, `erased_at` set); a buyer who
orders again after that gets a new key. Encryption always asks the database for the buyer's key, so
no process keeps using a key another one destroyed; decryption caches the keys it unwrapped, and
asks the database, at most once a second, for the erasures since the last it saw (one indexed query
on `erased_at`): their keys leave the cache, and whoever holds decrypted data of those buyers (the
application's aggregate cache) is told to drop it — so an erasure holds in every process within a
second (SPEC §7), however long the process has run.
"""

import functools
import secrets
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple
from uuid import uuid4

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import OperationalError
from sqlalchemy import Column, DateTime, Index, LargeBinary, MetaData, String, Table, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from domain.recent import Recent
from store.keyring import KeyMissing, find_key

MASTER_KEY_ENV = "ORDERCLAIMS_MASTER_KEY"
KEYS_KEPT = 50_000  # unwrapped keys kept for decryption (each about 200 bytes with its entry; decision 0004)
ERASURES_EVERY_S = 1.0  # how often a process asks for erasures it has not seen (SPEC §7: within a second)
ERASURES_OVERLAP = timedelta(minutes=1)  # erasures stamped by another process's clock, committed late, are still seen
NO_ERASURE = datetime(2000, 1, 1, tzinfo=timezone.utc)  # "none seen yet" (a floor the overlap can go below)

metadata = MetaData()
buyer_keys = Table(
    "buyer_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),
    Column("buyer_id", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("wrapped", LargeBinary),  # NULL once erased
    Column("erased_at", DateTime(timezone=True)),
)
Index("buyer_keys_by_buyer", buyer_keys.c.buyer_id)
by_erasure = Index("buyer_keys_by_erasure", buyer_keys.c.erased_at)


class NewKey(NamedTuple):
    """A buyer key made for a batch, stored with the batch's events."""

    key_id: str
    buyer_id: str
    created_at: datetime
    wrapped: bytes
    key: bytes

    def as_row(self) -> dict:
        return {"key_id": self.key_id, "buyer_id": self.buyer_id, "created_at": self.created_at, "wrapped": self.wrapped}


class MasterKeyMissing(KeyMissing):
    """Neither ORDERCLAIMS_MASTER_KEY nor a key file for this database (or a broken one)."""


def master_key(database_url: str, create: bool = True, engine: Engine | None = None) -> bytes:
    """The master key: from the environment, else the store's key file (made if missing and
    `create`, readable by its owner only)."""
    try:
        return find_key(database_url, engine, MASTER_KEY_ENV, "master.key", beside=".key", create=create)
    except KeyMissing as missing:
        raise MasterKeyMissing(str(missing)) from None


def _store_fault(method: Callable) -> Callable:
    """A fault of the database is the store's OperationalError: transient, retried, never parked."""

    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except DBAPIError as error:
            raise OperationalError(error) from error

    return call


class WrongMasterKey(OperationalError):
    """The master key does not open this store's buyer keys: a configuration fault, so it is never
    parked (the processes retry, then exit for their supervisor), and no data is shown."""


class BuyerKeys:
    def __init__(self, engine: Engine, master: bytes):
        self.engine = engine
        self._master = AESGCM(master)
        self._unwrapped: Recent = Recent(KEYS_KEPT)  # key id -> the key, unwrapped
        self.on_erased: list[Callable[[set[str]], None]] = []  # told the buyers whose erasure was just seen
        metadata.create_all(engine)
        try:
            by_erasure.create(engine, checkfirst=True)  # a store made before the index
        except DBAPIError:
            pass  # another process made it at the same moment
        self._erasures_checked = time.monotonic()
        self._erasures_lock = threading.Lock()
        self._erasures_seen, self._erased_keys = self._erasures_since(None)

    @classmethod
    def open(cls, engine: Engine, database_url: str) -> "BuyerKeys":
        """The store's buyer keys under its master key; a key file is made only for a store that has no
        keys yet (a copied database without its key file must not get a new master key)."""
        metadata.create_all(engine)
        with engine.connect() as conn:
            has_keys = conn.execute(select(buyer_keys.c.key_id).limit(1)).first() is not None
        return cls(engine, master_key(database_url, create=not has_keys, engine=engine))

    def current(self, buyer_id: str) -> tuple[str, bytes]:
        """The buyer's key that is not erased (a new one if there is none)."""
        return self.current_for({buyer_id})[buyer_id]

    @_store_fault
    def current_for(self, buyer_ids: set[str]) -> dict[str, tuple[str, bytes]]:
        """Each buyer's key that is not erased (a new one, stored now, for a buyer without)."""
        found = self.found_for(buyer_ids)
        new = self.made_for(buyer_ids - found.keys())
        if new:
            with self.engine.begin() as conn:
                conn.execute(buyer_keys.insert(), [row.as_row() for row in new])
        return {**found, **{row.buyer_id: (row.key_id, row.key) for row in new}}

    @_store_fault
    def found_for(self, buyer_ids: set[str]) -> dict[str, tuple[str, bytes]]:
        """Each buyer's key that is not erased, for the buyers that have one."""
        found: dict[str, tuple[str, bytes]] = {}
        wanted = sorted(buyer_ids)
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                rows = conn.execute(
                    select(buyer_keys.c.key_id, buyer_keys.c.buyer_id, buyer_keys.c.wrapped)
                    .where(buyer_keys.c.buyer_id.in_(wanted[start:start + 500]), buyer_keys.c.wrapped.is_not(None))
                    .order_by(buyer_keys.c.created_at)
                )
                for row in rows:  # the latest key of a buyer last
                    found[row.buyer_id] = (row.key_id, self._unwrap(row.key_id, row.buyer_id, row.wrapped))
        return found

    def made_for(self, buyer_ids: set[str]) -> list["NewKey"]:
        """A new key for each of these buyers, not stored yet: the caller stores them (the event store
        does, in the transaction of the events sealed with them)."""
        now = _now()
        made = []
        for buyer_id in sorted(buyer_ids):
            key_id, key = uuid4().hex, AESGCM.generate_key(bit_length=256)
            made.append(NewKey(key_id, buyer_id, now, self._wrap(key_id, buyer_id, key), key))
            self._unwrapped[key_id] = key  # to decrypt what it seals, as if unwrapped (a key of a failed batch is never asked for)
        return made

    @_store_fault
    def live(self, key_id: str) -> bytes | None:
        """A key for encryption, if it is not erased — asked of the database every time."""
        with self.engine.connect() as conn:
            row = conn.execute(select(buyer_keys.c.buyer_id, buyer_keys.c.wrapped)
                               .where(buyer_keys.c.key_id == key_id)).first()
        if row is None or row.wrapped is None:
            self._unwrapped.pop(key_id, None)
            return None
        return self._unwrap(key_id, row.buyer_id, row.wrapped)

    def get(self, key_id: str) -> bytes | None:
        """A key for decryption (cached once unwrapped), or None once erased."""
        self.revalidate()
        key = self._unwrapped.used(key_id)
        return key if key is not None else self.live(key_id)

    @_store_fault
    def warm(self, key_ids: set[str]) -> None:
        """Unwrap these keys (those not erased) in a few round trips, before decrypting a batch."""
        self.revalidate()
        wanted = sorted(key_ids - self._unwrapped.keys())
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                for row in conn.execute(select(buyer_keys.c.key_id, buyer_keys.c.buyer_id, buyer_keys.c.wrapped).where(
                        buyer_keys.c.key_id.in_(wanted[start:start + 500]), buyer_keys.c.wrapped.is_not(None))):
                    self._unwrap(row.key_id, row.buyer_id, row.wrapped)

    @_store_fault
    def destroy(self, buyer_id: str) -> int:
        """Erase every key of the buyer; how many there were."""
        with self.engine.begin() as conn:
            keys = conn.execute(select(buyer_keys.c.key_id).where(buyer_keys.c.buyer_id == buyer_id,
                                                                  buyer_keys.c.wrapped.is_not(None))).scalars().all()
            conn.execute(update(buyer_keys).where(buyer_keys.c.buyer_id == buyer_id, buyer_keys.c.wrapped.is_not(None))
                         .values(wrapped=None, erased_at=_now()))
        for key_id in keys:
            self._unwrapped.pop(key_id, None)
        self._tell({buyer_id})
        return len(keys)

    def revalidate(self, force: bool = False) -> None:
        """At most once a second (`force`: now): the erasures other processes recorded since the last
        seen leave this process's caches."""
        if not force and time.monotonic() - self._erasures_checked < ERASURES_EVERY_S:
            return
        if not self._erasures_lock.acquire(blocking=force):
            return  # another thread is asking right now
        try:
            self._erasures_checked = time.monotonic()
            seen, erased = self._erasures_since(self._erasures_seen)
            new = {key_id: buyer for key_id, buyer in erased.items() if key_id not in self._erased_keys}
            self._erasures_seen, self._erased_keys = max(seen, self._erasures_seen), erased
            for key_id in new:
                self._unwrapped.pop(key_id, None)
            if new:
                self._tell(set(new.values()))
        finally:
            self._erasures_lock.release()

    @_store_fault
    def _erasures_since(self, seen: datetime | None) -> tuple[datetime, dict[str, str]]:
        """The latest erasure time, and each key erased within the overlap before `seen` or later
        (None: only the latest time — a process that starts has nothing of an erased key)."""
        with self.engine.connect() as conn:
            if seen is None:
                latest = conn.execute(select(func.max(buyer_keys.c.erased_at))).scalar()
                return (_aware(latest) if latest else NO_ERASURE), {}
            rows = conn.execute(select(buyer_keys.c.key_id, buyer_keys.c.buyer_id, buyer_keys.c.erased_at)
                                .where(buyer_keys.c.erased_at > seen - ERASURES_OVERLAP)).all()
        latest = max((_aware(r.erased_at) for r in rows), default=seen)
        return latest, {r.key_id: r.buyer_id for r in rows}

    def _tell(self, buyer_ids: set[str]) -> None:
        for listener in self.on_erased:
            listener(buyer_ids)

    def _wrap(self, key_id: str, buyer_id: str, key: bytes) -> bytes:
        nonce = secrets.token_bytes(12)
        return nonce + self._master.encrypt(nonce, key, f"{key_id}:{buyer_id}".encode())

    def _unwrap(self, key_id: str, buyer_id: str, wrapped: bytes) -> bytes:
        try:
            key = self._master.decrypt(wrapped[:12], wrapped[12:], f"{key_id}:{buyer_id}".encode())
        except InvalidTag:
            raise WrongMasterKey("the master key does not open this store's buyer keys") from None
        self._unwrapped[key_id] = key
        return key


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(moment: datetime) -> datetime:
    """SQLite gives back the UTC times it was given without their offset."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)

