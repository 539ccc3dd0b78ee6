"""Feeding projections from the store's log in-process (embedded mode), rebuilding them, reading them.
A past moment is read from the read models' history (projections/temporal.py); the log is replayed up
to a moment (LogFollower's `until`) only by the tests, as the oracle of that history."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, NamedTuple

from eventsourcing.persistence import IntegrityError as StoreConflict
from eventsourcing.persistence import Mapper, PersistenceError, StoredEvent
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.engine import Connection, Engine

from domain.application import Orders
from projections.base import Projection
from projections.parking import Unreadable
from projections.dashboard import Dashboard
from projections.inquiries import Inquiries
from projections.points import Points
from projections.settlement import Settlement
from projections.swap import drop_leftover, lock_live, swap_in
from projections.todo import Todo

PROJECTIONS: dict[str, type[Projection]] = {
    "dashboard": Dashboard, "settlement": Settlement, "points": Points, "inquiries": Inquiries, "todo": Todo,
}
CHUNK = 10000


def all_projections() -> list[Projection]:
    return [cls() for cls in PROJECTIONS.values()]


def handled_topics(projections: list[Projection]) -> set[str]:
    return set().union(*(p.topics for p in projections))


RACE_ATTEMPTS = 8


def _racing_others(action: Callable[[], Any]) -> Any:
    """Run `action`, again after a conflict with another writer of the same rows or tables."""
    for attempt in range(1, RACE_ATTEMPTS + 1):
        try:
            return action()
        except (StoreConflict, IntegrityError, OperationalError):
            if attempt == RACE_ATTEMPTS:
                raise
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


def prepare_read(mapper: Mapper, stored: list[StoredEvent], unseal: bool = True) -> None:
    """Let a mapper that unseals personal data read the keys of a whole chunk at once."""
    prepare = getattr(mapper, "prepare_read", None)
    if prepare is not None and unseal:
        prepare(stored)


def decode(mapper: Mapper, stored: StoredEvent, unseal: bool = True) -> Any:
    """The domain event, or Unreadable (parked by the projection) if it cannot be decoded;
    `unseal=False`: its personal data left sealed (no projection that reads it is fed)."""
    try:
        if unseal or getattr(mapper, "sealer", None) is None:
            return mapper.to_domain_event(stored)
        return mapper.to_domain_event(stored, unseal=False)
    except (PersistenceError, DBAPIError):
        raise  # the database away (the buyer keys are read there): transient, never parked
    except Exception as error:  # a defect of the event or of this code: the projection goes on
        return Unreadable(stored.topic, f"{type(error).__name__}: {error}")


def reads_personal_data(projections: list[Projection]) -> bool:
    return any(p.reads_personal_data for p in projections)


class CaughtUp(NamedTuple):
    stored_events: int  # positions of the store's log read through
    applied: int  # the events among them of the projections' types


class LogFollower:
    """Applies the store's notifications to projections, a chunk per transaction."""

    def __init__(self, app: Orders, engine: Engine, projections: list[Projection], until: datetime | None = None):
        self.app = app
        self.engine = engine
        self.projections = projections
        self.until = until  # only events that happened at or before this moment (the tests' replay oracle)
        self.topics = sorted(handled_topics(projections))
        self.unseal = reads_personal_data(projections)
        for projection in projections:
            _racing_others(lambda p=projection: p.create_tables(engine))  # another query may create them too

    def head(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def catch_up(self, on_progress: Callable[[int], None] | None = None) -> CaughtUp:
        """Apply everything up to the store's head. Another process catching up the same read models
        at the same time (queries started at once) makes a chunk conflict: it is read again from
        where the other one got to."""
        return _racing_others(lambda: self._catch_up(on_progress))

    def _catch_up(self, on_progress: Callable[[int], None] | None) -> CaughtUp:
        with self.engine.connect() as conn:
            start = min(p.position(conn)[0] for p in self.projections)
        done = CaughtUp(0, 0)
        for chunk in self._chunks(start, self.head()):
            with self.engine.begin() as conn:
                self._apply(conn, chunk)
            covered = chunk[-1][0] - start
            done = CaughtUp(done.stored_events + covered, done.applied + sum(e is not None for _, e in chunk))
            if on_progress:
                on_progress(covered)
            start = chunk[-1][0]
        return done

    def catch_up_in(self, conn: Connection) -> CaughtUp:
        """Apply everything up to the store's head in the caller's transaction."""
        start = min(p.position(conn)[0] for p in self.projections)
        done = CaughtUp(0, 0)
        for chunk in self._chunks(start, self.head()):
            self._apply(conn, chunk)
            done = CaughtUp(done.stored_events + chunk[-1][0] - start, done.applied + sum(e is not None for _, e in chunk))
            start = chunk[-1][0]
        return done

    def _apply(self, conn: Connection, chunk: list) -> None:
        for projection in self.projections:
            projection.apply_batch(conn, chunk)

    def _chunks(self, start: int, head: int) -> Iterator[list]:
        """(position, event) pairs up to `head`. The store sends only the events of the handled
        topics (a Receipt per message is two events in five); the last chunk ends with
        (head, None), so the position moves past the events that were not sent."""
        while start < head:
            notifications = self.app.recorder.select_notifications(start + 1, limit=CHUNK, stop=head, topics=self.topics)
            prepare_read(self.app.mapper, notifications, self.unseal)
            chunk = [(n.id, self._decode(n)) for n in notifications]
            if len(notifications) < CHUNK and (not chunk or chunk[-1][0] < head):
                chunk.append((head, None))
            yield chunk
            start = chunk[-1][0]

    def _decode(self, notification):
        domain_event = decode(self.app.mapper, notification, self.unseal)
        if self.until is not None and getattr(domain_event, "at", None) is not None and domain_event.at > self.until:
            return None
        return domain_event


class Rebuilt(NamedTuple):
    stored_events: int  # positions of the store's log read through
    applied: int  # the events among them of the projection's types
    leftover: list[str]  # what a killed rebuild had left, dropped first


def rebuild(app: Orders, engine: Engine, projection: Projection, on_progress: Callable[[int], None] | None = None) -> Rebuilt:
    """Build a projection again from the first event into shadow tables, and swap them in whole, in one
    transaction with what the store got meanwhile (projections/swap.py); until then the live read model
    answers as before. What a killed rebuild left is dropped first."""
    leftover = _racing_others(lambda: drop_leftover(engine, projection))
    follower = LogFollower(app, engine, [projection.rebuilding()])
    done = follower.catch_up(on_progress)

    def swap() -> CaughtUp:
        with engine.begin() as conn:  # SQLite: BEGIN IMMEDIATE, no other writer until it commits
            lock_live(conn, projection)
            tail = follower.catch_up_in(conn)
            swap_in(conn, projection)
        return tail

    tail = _racing_others(swap)
    return Rebuilt(done.stored_events + tail.stored_events, done.applied + tail.applied, leftover)


@contextmanager
def reading(app: Orders, engine: Engine, projection: Projection, as_of: datetime | None = None,
            follow: bool = True) -> Iterator[Connection]:
    """A connection to read the projection, brought up to the store's head first (`follow`). Its queries
    read any moment from the tables' own history (projections/temporal.py): `as_of` changes nothing
    here; no past moment is answered by replaying the log."""
    if follow:
        LogFollower(app, engine, [projection]).catch_up()
    with engine.connect() as conn:
        yield conn
