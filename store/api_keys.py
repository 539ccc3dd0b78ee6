"""API keys of `orderclaims serve` (SPEC §8): shown once when created, stored only as a SHA-256
hash (a key is 256 random bits: no password stretching needed), with its role and seller; and the
web sessions opened with them (store/sessions.py), which end when their key is revoked."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Column, LargeBinary, MetaData, String, Table, delete, insert, select, update
from sqlalchemy.engine import Engine

PREFIX = "oc_"

keys_metadata = MetaData()
api_keys = Table(
    "api_keys",
    keys_metadata,
    Column("key_id", String(16), primary_key=True),
    Column("key_hash", LargeBinary(32), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("seller_id", String(64)),
    Column("created_at", String(40), nullable=False),  # ISO 8601, UTC
    Column("revoked_at", String(40)),
)
web_sessions = Table(
    "web_sessions",
    keys_metadata,
    Column("session_hash", LargeBinary(32), primary_key=True),  # SHA-256 of the cookie's session id
    Column("key_id", String(16), nullable=False, index=True),
    Column("created_at", String(40), nullable=False),  # ISO 8601, UTC, like the keys' times
    Column("seen_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),  # created_at + the absolute lifetime
)


@dataclass(frozen=True)
class StoredKey:
    key_id: str
    role: str
    seller_id: str | None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def sha256(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


class ApiKeys:
    def __init__(self, engine: Engine):
        self.engine = engine
        keys_metadata.create_all(engine)

    def create(self, role: str, seller_id: str | None = None) -> tuple[str, str]:
        """A new key: its id (to list and revoke it) and the key itself, which is not kept."""
        key_id = secrets.token_hex(4)
        key = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        with self.engine.begin() as conn:
            conn.execute(insert(api_keys).values(key_id=key_id, key_hash=sha256(key), role=role, seller_id=seller_id,
                                                 created_at=_now()))
        return key_id, key

    def resolve(self, key: str) -> StoredKey | None:
        """The live key this is, or None (unknown, malformed or revoked)."""
        if not key.startswith(PREFIX) or len(key) > 100:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(select(api_keys).where(api_keys.c.key_hash == sha256(key),
                                                      api_keys.c.revoked_at.is_(None))).first()
        return StoredKey(row.key_id, row.role, row.seller_id) if row else None

    def listing(self) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(api_keys).order_by(api_keys.c.created_at)).all()
        return [{"key_id": r.key_id, "role": r.role, "seller_id": r.seller_id, "created_at": r.created_at,
                 "revoked_at": r.revoked_at} for r in rows]

    def revoke(self, key_id: str) -> bool:
        """Revoke a key; the web sessions opened with it end with it."""
        with self.engine.begin() as conn:
            done = conn.execute(update(api_keys).where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
                                .values(revoked_at=_now()))
            conn.execute(delete(web_sessions).where(web_sessions.c.key_id == key_id))
        return done.rowcount == 1
