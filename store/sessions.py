"""The web dashboard's sessions (docs/decisions/0012): a login opens one; the browser's cookie holds
its id (256 random bits), the table only the id's SHA-256, beside the key that opened it. A session
ends when it is logged out, after IDLE without a request, LIFETIME after the login, or when
its key is revoked (the lookup reads only live keys, and revoking deletes the key's sessions)."""

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine

from store.api_keys import StoredKey, api_keys, keys_metadata, sha256, web_sessions

LIFETIME = timedelta(hours=12)  # from the login, whatever happens
IDLE = timedelta(hours=2)  # without a request
SEEN_EVERY = timedelta(minutes=1)  # a session's last request is written at most once a minute


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


class Sessions:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] = _utc_now):
        self.engine, self.clock = engine, clock
        keys_metadata.create_all(engine)

    def open(self, key_id: str) -> str:
        """A new session of the key: its id, for the cookie only (the table keeps its hash)."""
        session_id = secrets.token_urlsafe(32)
        now = self.clock()
        with self.engine.begin() as conn:
            conn.execute(delete(web_sessions).where(web_sessions.c.expires_at <= _iso(now)))  # the expired ones
            conn.execute(insert(web_sessions).values(session_hash=sha256(session_id), key_id=key_id,
                                                     created_at=_iso(now), seen_at=_iso(now),
                                                     expires_at=_iso(now + LIFETIME)))
        return session_id

    def resolve(self, session_id: str) -> StoredKey | None:
        """The live key of a live session, or None (unknown, logged out, expired, idle, key revoked)."""
        if not session_id or len(session_id) > 100:
            return None
        now = self.clock()
        with self.engine.connect() as conn:
            row = conn.execute(
                select(web_sessions.c.seen_at, api_keys.c.key_id, api_keys.c.role, api_keys.c.seller_id)
                .join(api_keys, api_keys.c.key_id == web_sessions.c.key_id)
                .where(web_sessions.c.session_hash == sha256(session_id), api_keys.c.revoked_at.is_(None),
                       web_sessions.c.expires_at > _iso(now), web_sessions.c.seen_at > _iso(now - IDLE))).first()
        if row is None:
            return None
        if row.seen_at <= _iso(now - SEEN_EVERY):
            with self.engine.begin() as conn:
                conn.execute(update(web_sessions).where(web_sessions.c.session_hash == sha256(session_id))
                             .values(seen_at=_iso(now)))
        return StoredKey(row.key_id, row.role, row.seller_id)

    def close(self, session_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(web_sessions).where(web_sessions.c.session_hash == sha256(session_id)))
