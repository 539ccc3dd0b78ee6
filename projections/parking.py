"""Stored events a projection could not apply (SPEC §8 Parking): parked for that projection, in the
transaction of the rows it did apply, so it goes on; `rebuild` after a fix applies them again."""

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import BigInteger, Column, String, Table, Text, delete, select
from sqlalchemy.engine import Connection

from messaging.metrics import PARKED_EVENTS
from projections.schema import UTCDateTime, metadata

parked_events = Table(
    "projection_parked",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("position", BigInteger, primary_key=True),
    Column("stream", String(120), nullable=False),
    Column("topic", Text, nullable=False),
    Column("error", Text, nullable=False),
    Column("parked_at", UTCDateTime, nullable=False),
)


@dataclass(frozen=True)
class Unreadable:
    """A stored event that could not be decoded (its place in a chunk, so that it is parked)."""

    topic: str
    error: str


def park(conn: Connection, name: str, stream: str, position: int, topic: str, error: str) -> None:
    conn.execute(parked_events.insert().values(name=name, position=position, stream=stream, topic=topic,
                                               error=error[:2000], parked_at=datetime.now(timezone.utc)))
    PARKED_EVENTS.labels(name).inc()  # counted again if the transaction fails and the batch runs again


def parked(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(parked_events).order_by(parked_events.c.name, parked_events.c.position))
    return [{"projection": r.name, "position": r.position, "stream": r.stream, "event": r.topic, "error": r.error,
             "parked_at": r.parked_at.isoformat()} for r in rows]


def forget(conn: Connection, name: str) -> None:
    """A rebuild applies every event again: what it cannot apply is parked again."""
    conn.execute(delete(parked_events).where(parked_events.c.name == name))
