"""A projection: SQLAlchemy tables, one handler per domain event, and its position in the store's log.

Rows and the position are written in one transaction, and an event at or below the stored
position is skipped, so each event is applied exactly once, whichever way it arrives.
Positions are kept per stream: "log" for the store's log read in-process (embedded mode and
`rebuild`), one stream per Kafka partition of the events topic (distributed mode), where positions
rise within a partition but not across partitions. A partition's stream also skips what the
"log" stream applied, so a projection rebuilt from the store is not applied again from Kafka.
"""

from collections.abc import Iterable
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, MetaData, String, Table, func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.types import TypeDecorator

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


# ---- the handlers' reads and writes: through the chunk's rows (projections/rows.py) -----------

_chunk_rows: ContextVar[Rows] = ContextVar("chunk_rows")  # set by apply_batch for its chunk


def _rows(conn: Connection) -> Rows:
    rows = _chunk_rows.get()
    assert rows.conn is conn, "a handler wrote through another connection than its chunk's"
    return rows


def insert_row(conn: Connection, table: Table, **row: Any) -> None:
    _rows(conn).insert(table, row)


def row_where(conn: Connection, table: Table, **where: Any) -> Any:
    """The one row with these key values (or None)."""
    return _rows(conn).get(table, where)


def row_by(conn: Connection, column: Column, key: Any) -> Any:
    """The one row whose `column` is `key`; it must exist."""
    row = _rows(conn).get(column.table, {column.name: key})
    if row is None:
        raise LookupError(f"{column.table.name}: no row with {column.name} = {key!r}")
    return row


def update_where(conn: Connection, table: Table, where: dict[str, Any], add: dict[str, int] | None = None, **values: Any) -> None:
    """On the row with these key values: add to the columns of `add`, set the other `values`."""
    _rows(conn).update(table, where, add, values)


def update_by(conn: Connection, column: Column, key: Any, add: dict[str, int] | None = None, **values: Any) -> None:
    update_where(conn, column.table, {column.name: key}, add, **values)


def prefetch_rows(conn: Connection, column: Column, values: Iterable[Any]) -> list:
    """Read, before the chunk is applied, every row whose `column` is one of `values`."""
    return _rows(conn).prefetch(column, values)


positions = Table(
    "projection_positions",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("stream", String(120), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("last_at", UTCDateTime),
)
LOG = "log"  # the stream of the store's log, read in-process


class PositionConflict(Exception):
    """Two writers applied the same events; the later transaction is rolled back."""


class Projection:
    """Base: subclasses set `name` and `tables`, and define `apply` as their own
    `functools.singledispatchmethod` with one handler per event type (others are ignored)."""

    name: str = ""
    tables: tuple[Table, ...] = ()
    prefetch_by: tuple[Column, ...] = ()  # columns that hold the id of the aggregate an event is about

    def apply(self, event: Any, conn: Connection) -> None:
        raise NotImplementedError

    def prefetch(self, conn: Connection, events: list[Any]) -> None:
        """Read the rows the chunk's events are about, a few SELECTs for the whole chunk."""
        ids = {str(e.originator_id) for e in events}
        for column in self.prefetch_by:
            prefetch_rows(conn, column, ids)

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
        token = _chunk_rows.set(rows)
        apply = self.apply
        try:
            new = []
            for at_position, event in events:
                if at_position > floor:  # else a repeat (the relay publishes at least once): applied already
                    new.append((at_position, event))
                    floor = at_position
            self.prefetch(conn, [event for _, event in new if event is not None])
            for at_position, event in new:
                if event is not None:
                    apply(event, conn)
                    event_at = getattr(event, "at", None)
                    if event_at is not None and (last_at is None or event_at > last_at):
                        last_at = event_at
                position = at_position
            rows.flush()
        finally:
            _chunk_rows.reset(token)  # never touches the connection, which may have broken
        if position != start:
            self._save_position(conn, start, position, last_at, stream)
        return position

