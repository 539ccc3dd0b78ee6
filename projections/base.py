"""A projection: SQLAlchemy tables, one handler per domain event, and its position in the store's log.

Rows and the position are written in one transaction, and an event at or below the stored
position is skipped, so each event is applied exactly once, whichever way it arrives (the store's
log in embedded mode, Kafka in distributed mode).
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from datetime import timezone

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.types import TypeDecorator

metadata = MetaData()


class UTCDateTime(TypeDecorator):
    """Aware datetimes stored as UTC on every database (SQLite keeps no offset) and read back aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value

positions = Table(
    "projection_positions",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("last_at", UTCDateTime),
)


class PositionConflict(Exception):
    """Two writers applied the same events; the later transaction is rolled back."""


class Projection:
    """Base: subclasses set `name` and `tables`, and define `apply` as their own
    `functools.singledispatchmethod` with one handler per event type (others are ignored)."""

    name: str = ""
    tables: tuple[Table, ...] = ()

    def apply(self, event: Any, conn: Connection) -> None:
        raise NotImplementedError

    def create_tables(self, engine: Engine) -> None:
        metadata.create_all(engine, tables=[positions, *self.tables])

    def drop_tables(self, engine: Engine) -> None:
        with engine.begin() as conn:
            for table in reversed(self.tables):
                table.drop(conn, checkfirst=True)
            positions.create(conn, checkfirst=True)
            conn.execute(positions.delete().where(positions.c.name == self.name))

    # ---- position -----------------------------------------------------------------------

    def position(self, conn: Connection) -> tuple[int, datetime | None]:
        row = conn.execute(select(positions.c.position, positions.c.last_at).where(positions.c.name == self.name)).first()
        return (row.position, row.last_at) if row else (0, None)

    def _save_position(self, conn: Connection, start: int, position: int, last_at: datetime | None) -> None:
        """Move the position from `start`; another writer that moved it first makes this transaction fail."""
        values = {"position": position, "last_at": last_at}
        if start == 0:
            conn.execute(positions.insert().values(name=self.name, **values))  # a second insert: IntegrityError
            return
        moved = conn.execute(
            positions.update().where(positions.c.name == self.name, positions.c.position == start).values(**values)
        )
        if moved.rowcount != 1:
            raise PositionConflict(f"{self.name} moved past {start} under this writer")

    def apply_batch(self, conn: Connection, events: Iterable[tuple[int, Any]]) -> int:
        """Apply (position, event) pairs past the stored position, in the caller's transaction."""
        start, last_at = self.position(conn)
        position = start
        for at_position, event in events:
            if at_position <= position:
                continue  # a repeat: applied already
            if event is not None:
                self.apply(event, conn)
                event_at = getattr(event, "at", None)
                if event_at is not None and (last_at is None or event_at > last_at):
                    last_at = event_at
            position = at_position
        if position != start:
            self._save_position(conn, start, position, last_at)
        return position

