"""A projection: SQLAlchemy tables, one handler per domain event (reading and writing through the
chunk's `Rows`), and its position in the store's log.

Rows and the position are written in one transaction, and an event at or below the stored
position is skipped, so each event is applied exactly once, whichever way it arrives.
Positions are kept per stream: "log" for the store's log read in-process (embedded mode and
`rebuild`), one stream per Kafka partition of the events topic (distributed mode), where positions
rise within a partition but not across partitions. A partition's stream also skips what the
"log" stream applied, so a projection rebuilt from the store is not applied again from Kafka.
"""

from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any

from eventsourcing.persistence import IntegrityError
from sqlalchemy import BigInteger, Column, DateTime, MetaData, String, Table, func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.types import TypeDecorator

from domain.versions import stored_topics
from projections.rows import Rows

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
    Column("stream", String(120), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("last_at", UTCDateTime),
)
LOG = "log"  # the stream of the store's log, read in-process


class PositionConflict(IntegrityError):
    """Two writers applied the same events; the later transaction is rolled back (like any
    integrity conflict of a store: a transient fault, retried after re-reading the position)."""


def handles(*event_classes: type) -> Callable:
    """Marks a projection's method as the handler of these events (and of their subclasses)."""

    def mark(method: Callable) -> Callable:
        method.handles = event_classes
        return method

    return mark


def _with_subclasses(cls: type) -> set[type]:
    found = {cls}
    for sub in cls.__subclasses__():
        found |= _with_subclasses(sub)
    return found


class Projection:
    """Base: subclasses set `name` and `tables`, and mark one method per event type with `@handles`;
    `apply(event, rows)` runs the handler of the event's most specific class (others are ignored).
    `topics` are the stored topics of the handled events, for the store to send only those."""

    name: str = ""
    tables: tuple[Table, ...] = ()
    prefetch_by: tuple[Column, ...] = ()  # columns that hold the id of the aggregate an event is about
    handlers: dict[type, str] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.handlers = {
            event_class: name
            for name, method in vars(cls).items()
            for event_class in getattr(method, "handles", ())
        }
        cls.topics = frozenset(stored_topics({c for h in cls.handlers for c in _with_subclasses(h)}))
        cls._dispatch = {}

    def apply(self, event: Any, rows: Rows) -> None:
        handler = self._dispatch.get(type(event), False)
        if handler is False:
            handler = next((self.handlers[c] for c in type(event).__mro__ if c in self.handlers), None)
            self._dispatch[type(event)] = handler
        if handler is not None:
            getattr(self, handler)(event, rows)

    def prefetch(self, rows: Rows, events: list[Any]) -> None:
        """Read the rows the chunk's events are about, a few SELECTs for the whole chunk."""
        ids = {str(e.originator_id) for e in events}
        for column in self.prefetch_by:
            rows.prefetch(column, ids)

    def create_tables(self, engine: Engine) -> None:
        metadata.create_all(engine, tables=[positions, *self.tables])

    def drop_tables(self, engine: Engine) -> None:
        with engine.begin() as conn:
            for table in reversed(self.tables):
                table.drop(conn, checkfirst=True)
            positions.create(conn, checkfirst=True)
            conn.execute(positions.delete().where(positions.c.name == self.name))

    # ---- position -----------------------------------------------------------------------

    def _here(self, stream: str):
        return (positions.c.name == self.name) & (positions.c.stream == stream)

    def position(self, conn: Connection, stream: str = LOG) -> tuple[int, datetime | None]:
        row = conn.execute(select(positions.c.position, positions.c.last_at).where(self._here(stream))).first()
        return (row.position, row.last_at) if row else (0, None)

    def last_at(self, conn: Connection) -> datetime | None:
        """The time of the latest event applied, over every stream."""
        return conn.execute(select(func.max(positions.c.last_at)).where(positions.c.name == self.name)).scalar()

    def _save_position(self, conn: Connection, start: int, position: int, last_at: datetime | None, stream: str = LOG) -> None:
        """Move the position from `start`; another writer that moved it first makes this transaction fail."""
        values = {"position": position, "last_at": last_at}
        if start == 0:
            conn.execute(positions.insert().values(name=self.name, stream=stream, **values))  # twice: IntegrityError
            return
        moved = conn.execute(positions.update().where(self._here(stream), positions.c.position == start).values(**values))
        if moved.rowcount != 1:
            raise PositionConflict(f"{self.name} {stream} moved past {start} under this writer")

    def apply_batch(self, conn: Connection, events: Iterable[tuple[int, Any]], stream: str = LOG) -> int:
        """Apply (position, event) pairs past the stored position, in the caller's transaction."""
        start, last_at = self.position(conn, stream)
        floor = start if stream == LOG else max(start, self.position(conn, LOG)[0])
        position = start
        rows = Rows(conn)
        new = []
        for at_position, event in events:
            if at_position > floor:  # else a repeat (the relay publishes at least once): applied already
                new.append((at_position, event))
                floor = at_position
        self.prefetch(rows, [event for _, event in new if event is not None])
        for at_position, event in new:
            if event is not None:
                self.apply(event, rows)
                event_at = getattr(event, "at", None)
                if event_at is not None and (last_at is None or event_at > last_at):
                    last_at = event_at
            position = at_position
        rows.flush()
        if position != start:
            self._save_position(conn, start, position, last_at, stream)
        return position

