"""A projection: SQLAlchemy tables, one handler per domain event (reading and writing through the
chunk's `Rows`), and its position in the store's log.

Rows and the position are written in one transaction, and an event at or below the stored
position is skipped, so each event is applied exactly once, whichever way it arrives.
Positions are kept per stream: "log" for the store's log read in-process (embedded mode and
`rebuild`), one stream per Kafka partition of the events topic (distributed mode), where positions
rise within a partition but not across partitions. A partition's stream also skips what the
"log" stream applied, so a projection rebuilt from the store is not applied again from Kafka.
"""

import copy
import weakref
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from eventsourcing.persistence import IntegrityError, PersistenceError
from sqlalchemy import Column, Table, func, inspect, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from domain.versions import stored_topics
from projections.parking import Unreadable, park, parked_events
from projections.read_models import outdated
from projections.rows import Rows
from projections.schema import LOG, SHADOW, metadata, positions, shadow_of

_CHECKED: "weakref.WeakKeyDictionary[Engine, set[str]]" = weakref.WeakKeyDictionary()  # _drop_outdated
_INDEXED: "weakref.WeakKeyDictionary[Engine, set[str]]" = weakref.WeakKeyDictionary()  # _create_missing_indexes


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
    reads_personal_data = False  # True: fed the masked buyer data; else it stays sealed (never decrypted)
    handlers: dict[type, str] = {}
    stored_in: dict[Table, Table] = {}  # a rebuild's twin: each table's rows kept in its shadow table

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

    def rebuilding(self) -> "Projection":
        """The same projection filling shadow tables, under the name NAME__rebuild (its positions and
        parked events): swapped in whole when it is done (projections/swap.py)."""
        twin = copy.copy(self)
        twin.name = self.name + SHADOW
        twin.stored_in = {table: shadow_of(table) for table in self.tables}
        return twin

    def create_tables(self, engine: Engine) -> None:
        if self.stored_in:  # a scratch rebuild's tables: made as they are
            metadata.create_all(engine, tables=[positions, parked_events, *self.tables])
            with engine.begin() as conn:
                for table in self.stored_in.values():
                    table.create(conn, checkfirst=True)
            return
        self._drop_outdated(engine)
        metadata.create_all(engine, tables=[positions, parked_events, *self.tables])
        self._create_missing_indexes(engine)

    def _create_missing_indexes(self, engine: Engine) -> None:
        """Indexes a later release added to a table that exists (create_all makes a table's indexes only with
        the table): made on opening, once per engine and projection."""
        checked = _INDEXED.setdefault(engine, set())
        if self.name in checked:
            return
        with engine.begin() as conn:
            for table in self.tables:
                existing = {index["name"] for index in inspect(conn).get_indexes(table.name)}
                for index in table.indexes:
                    if index.name not in existing:
                        index.create(conn)
        checked.add(self.name)

    def _drop_outdated(self, engine: Engine) -> None:
        """Tables an earlier release made with other columns (before the history of docs/decisions/0022, or
        the trends' columns of 0023), or without a table it has now: dropped with the projection's position,
        so that it is built again from the first event. Looked
        at once per engine and projection."""
        checked = _CHECKED.setdefault(engine, set())
        if self.name in checked:
            return
        with engine.begin() as conn:
            existing = set(inspect(conn).get_table_names())
            if not outdated(conn, self.tables):
                checked.add(self.name)
                return
            from projections.analyst_views import dropping_view  # it imports the projections' tables

            for table in self.tables:
                if table.name in existing:
                    with dropping_view(conn, table):  # PostgreSQL: the analysts' view, on the new table
                        conn.execute(text(f"DROP TABLE {conn.dialect.identifier_preparer.quote(table.name)}"))
                        table.create(conn)
            if positions.name in existing:
                conn.execute(positions.delete().where(positions.c.name == self.name))
        checked.add(self.name)

    # ---- position -----------------------------------------------------------------------

    def _here(self, stream: str):
        return (positions.c.name == self.name) & (positions.c.stream == stream)

    def position(self, conn: Connection, stream: str = LOG) -> tuple[int, datetime | None]:
        row = conn.execute(select(positions.c.position, positions.c.last_at).where(self._here(stream))).first()
        return (row.position, row.last_at) if row else (0, None)

    def highest_position(self, conn: Connection) -> int:
        """The highest position applied, over every stream."""
        return conn.execute(select(func.max(positions.c.position)).where(positions.c.name == self.name)).scalar() or 0

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
        """Apply (position, event) pairs past the stored position of `stream`, in the caller's transaction."""
        return self.apply_streams(conn, {stream: events})

    def apply_streams(self, conn: Connection, streams: dict[str, Iterable[tuple[int, Any]]]) -> int:
        """Apply each stream's (position, event) pairs past its stored position, in the caller's
        transaction: the streams one after the other, through one set of rows (a Kafka batch's
        partitions: read and written once for all of them), each stream's position moved. An event
        that cannot be decoded or applied (a defect) is parked for this projection, and the batch is
        applied again without it; a fault of the database is raised (transient). Returns the highest
        position applied."""
        stored = self._positions(conn)
        log_floor = stored.get(LOG, (0, None))[0]
        new: list[tuple[int, Any, str]] = []
        for stream, events in streams.items():
            floor = stored.get(stream, (0, None))[0]
            if stream != LOG:
                floor = max(floor, log_floor)
            for at_position, event in events:
                if at_position > floor:  # else a repeat (the relay publishes at least once): applied already
                    new.append((at_position, event, stream))
                    floor = at_position
        while True:
            try:
                self._apply_all(Rows(conn, self.stored_in), new)
                break
            except _Unapplied as unapplied:
                at_position, event, stream = new[unapplied.index]
                park(conn, self.name, stream, at_position, _topic_of(event), unapplied.error)
                new[unapplied.index] = (at_position, None, stream)
        highest = 0
        for stream in streams:
            start, last_at = stored.get(stream, (0, None))
            mine = [(at_position, event) for at_position, event, s in new if s == stream]
            if not mine:
                highest = max(highest, start)
                continue
            for _, event in mine:
                event_at = getattr(event, "at", None)
                if event_at is not None and not isinstance(event, Unreadable) and (last_at is None or event_at > last_at):
                    last_at = event_at
            self._save_position(conn, start, mine[-1][0], last_at, stream)
            highest = max(highest, mine[-1][0])
        return highest

    def _positions(self, conn: Connection) -> dict[str, tuple[int, datetime | None]]:
        """Every stream's position and latest event time, in one query."""
        rows = conn.execute(select(positions.c.stream, positions.c.position, positions.c.last_at)
                            .where(positions.c.name == self.name))
        return {row.stream: (row.position, row.last_at) for row in rows}

    def _apply_all(self, rows: Rows, new: list[tuple[int, Any, str]]) -> None:
        self.prefetch(rows, [event for _, event, _ in new if event is not None and not isinstance(event, Unreadable)])
        for index, (_, event, _) in enumerate(new):
            if event is None:
                continue
            if isinstance(event, Unreadable):
                if event.topic in self.topics:  # an event of a type this projection reads
                    raise _Unapplied(index, event.error)
                continue
            rows.at = getattr(event, "at", None)  # the validity of what the event changes
            try:
                self.apply(event, rows)
            except (DBAPIError, PersistenceError):
                raise  # the database away: transient
            except Exception as error:
                raise _Unapplied(index, f"{type(error).__name__}: {error}") from error
        rows.flush()


class _Unapplied(Exception):
    def __init__(self, index: int, error: str):
        super().__init__(error)
        self.index, self.error = index, error


def _topic_of(event: Any) -> str:
    return event.topic if isinstance(event, Unreadable) else f"{type(event).__module__}:{type(event).__qualname__}"
