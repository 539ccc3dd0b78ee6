"""Event-store recorders that write several consumed positions in the transaction of the events.

A Kafka poll batch spans partitions, and each partition's offset is its own tracking record
(application_name = "TOPIC:PARTITION"). eventsourcing 9.5's process recorders write one tracking
record per transaction; these write every one passed as `trackings`, so a whole poll batch is one
transaction. Selected in store/engines.py (PROCESS_RECORDER_TOPIC, PERSISTENCE_MODULE); PostgreSQL's is in
store/recorders_postgres.py, so that a process on SQLite never imports psycopg.

For SQLite, `SQLiteStoreFactory` also tunes the connections (docs/decisions/0004): WAL with
synchronous=NORMAL, so a commit does not wait for the disk (a crash of the process loses nothing;
a power cut can lose the last transactions whole, events and positions together, never half of
one), checkpoints every 80 MB of log, a 64 MB page cache, and a statement cache (eventsourcing
passes `cached_statements=True`, which is a cache of one).
"""

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError
from eventsourcing.sqlite import (
    SQLiteAggregateRecorder,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteFactory,
    SQLiteProcessRecorder,
    SQLiteTransaction,
)

from store.chain import genesis, keyed_from, link, tag
from store.sqlite_settings import BUSY_TIMEOUT_S, WAL_AUTOCHECKPOINT_PAGES

LINKS_ASKED = 400  # chain links looked up in one statement
SCAN_CACHE_KIB = 8192  # SQLite's page cache for verify's pass over the log
PAGE_CACHE_KIB = 65_536  # each SQLite connection's page cache (64 MB; 32 MB read 38% more and ingested 9% slower: decision 0004)


class ChainWriter:
    """Writes, in the events' own transaction, the buyer keys made for them (store/keys.py; passed by
    the mapper as `buyer_keys`) and each stored event's link of its aggregate's hash chain
    (store/chain.py). The previous link comes from the same batch or from the table; an aggregate
    stored before chaining existed (release 02f388d) is adopted: its chain is computed from its
    stored events, as they are then, the first time a new event joins it.

    With a chain key (set by entrypoints/bootstrap.py), each link also gets its key tag, over the link
    and the latest checkpoint's size (store/chain.tag); the first batch written with a key records
    where keyed links begin (`store_settings`: chain_keyed_from), if no batch did before."""

    stores_mapper_rows = True  # the mapper's `buyer_keys` are written with the events
    placeholder = "?"
    chain_key: bytes | None = None
    _keyed_from_known = False

    def _mark_keyed(self, c: Any, position: int) -> None:
        """Record, once per store, that links are keyed from `position` on (before the batch's links)."""
        if self.chain_key is None or self._keyed_from_known:
            return
        p = self.placeholder
        c.execute(f"SELECT value FROM {self._settings_table} WHERE name = 'chain_keyed_from'")
        if c.fetchone() is None:  # known once committed: the next batch reads it back
            c.execute(f"INSERT INTO {self._settings_table} (name, value) VALUES ('chain_keyed_from', {p})",
                      (keyed_from(self.chain_key, position),))
        else:
            self._keyed_from_known = True

    def _latest_checkpoint(self, c: Any) -> int:
        c.execute(f"SELECT MAX(size) AS size FROM {self._checkpoints_table}")
        row = c.fetchone()
        return row["size"] or 0

    def _insert_buyer_keys(self, c: Any, keys: Any) -> None:
        """The keys the mapper made for this batch (store/keys.NewKey), in the events' transaction."""
        if keys:
            p = self.placeholder
            c.executemany(f"INSERT INTO buyer_keys (key_id, buyer_id, created_at, wrapped) VALUES ({p}, {p}, {p}, {p})",
                          [(k.key_id, k.buyer_id, self._stored_time(k.created_at), k.wrapped) for k in keys])

    def _stored_time(self, at: Any) -> Any:
        return at

    # ---- orders' and carts' ids (domain/ids.py) ---------------------------------------------------

    _id_scheme: str | None = None

    @property
    def id_scheme(self) -> str:
        """The store's id scheme, recorded in `store_settings` (id_scheme) the first time it is asked: a
        store with no event yet gets uuid7, one written before (an earlier release's) keeps uuid5."""
        if self._id_scheme is None:
            self._id_scheme = self._recorded_id_scheme()
        return self._id_scheme

    def _id_scheme_from(self, c: Any) -> str | None:
        c.execute(f"SELECT value FROM {self._settings_table} WHERE name = 'id_scheme'")
        row = c.fetchone()
        return bytes(row[0] if isinstance(row, tuple) else row["value"]).decode() if row is not None else None

    def _insert_aggregate_ids(self, c: Any, rows: Any) -> None:
        """The natural key → id of each order and cart first stored in this batch; a key another writer
        stored first is refused (the unique key), and the batch runs again and reads that one's id."""
        if rows:
            p = self.placeholder
            c.executemany(f"INSERT INTO aggregate_ids (kind, natural_key, originator_id) VALUES ({p}, {p}, {p})",
                          [(kind, key, self._stored_id(oid)) for (kind, key), oid in rows])

    def _stored_id(self, oid: UUID) -> Any:
        return oid

    def _chain_rows(self, c: Any, stored_events: Any) -> list[tuple[UUID, int, bytes, bytes | None]]:
        """(aggregate, version, link, key tag or None) of each new link."""
        rows = self._links(c, stored_events)
        if self.chain_key is None:
            return [(*row, None) for row in rows]
        seen = self._latest_checkpoint(c)
        return [(*row, tag(self.chain_key, row[2], seen)) for row in rows]

    def _links(self, c: Any, stored_events: Any) -> list[tuple[UUID, int, bytes]]:
        heads: dict[UUID, tuple[int, bytes]] = {}
        wanted = {(s.originator_id, s.originator_version - 1) for s in stored_events if s.originator_version > 1}
        batch = {(s.originator_id, s.originator_version) for s in stored_events}
        stored = self._stored_links(c, [key for key in wanted if key not in batch]) if wanted - batch else {}
        rows = []
        for s in stored_events:
            oid, version = s.originator_id, s.originator_version
            if version == 1:
                previous = genesis(oid)
            elif oid in heads and heads[oid][0] == version - 1:
                previous = heads[oid][1]
            elif (oid, version - 1) in stored:
                previous = stored[(oid, version - 1)]
            else:
                adopted = self._adopt(c, oid, version - 1)
                rows.extend(adopted)
                previous = adopted[-1][2]
            value = link(previous, oid, version, s.topic, s.state)
            heads[oid] = (version, value)
            rows.append((oid, version, value))
        return rows

    def _adopt(self, c: Any, oid: UUID, up_to: int) -> list[tuple[UUID, int, bytes]]:
        rows, previous = [], genesis(oid)
        for version, topic, state in self._stored_events_of(c, oid, up_to):
            previous = link(previous, oid, version, topic, state)
            rows.append((oid, version, previous))
        return rows


class SQLiteOffsetsRecorder(ChainWriter, SQLiteProcessRecorder):
    """The links of the hash chains are kept by the position of their event (`event_links`): a new
    batch's links are appended at the end of the table, where its events are, instead of scattered
    over an index by random aggregate id (a store of 100,000 orders wrote each page of that index
    again for a handful of new rows, and read it back from disk). A store written with the earlier
    table (`event_hashes`, by aggregate and version) is moved over once, when it is opened."""

    records_several_trackings = True
    _settings_table = "store_settings"
    _checkpoints_table = "checkpoints"

    def _stored_time(self, at: Any) -> str:
        return at.strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLAlchemy writes an SQLite DateTime

    def _stored_id(self, oid: UUID) -> str:
        return oid.hex  # as the events' originator ids

    def _recorded_id_scheme(self) -> str:
        with self.datastore.transaction(commit=False) as c:
            scheme = self._id_scheme_from(c)
        if scheme is not None:
            return scheme
        with self.datastore.transaction(commit=True) as c:  # the write lock: one process decides
            scheme = self._id_scheme_from(c)
            if scheme is None:
                c.execute(f"SELECT 1 FROM {self.events_table_name} LIMIT 1")
                scheme = "uuid5" if c.fetchone() is not None else "uuid7"
                c.execute("INSERT INTO store_settings (name, value) VALUES ('id_scheme', ?)", (scheme.encode(),))
            return scheme

    def aggregate_id(self, kind: str, key: str) -> UUID | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT originator_id FROM aggregate_ids WHERE kind = ? AND natural_key = ?", (kind, key))
            row = c.fetchone()
        return UUID(row[0]) if row is not None else None

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(),
                "CREATE TABLE IF NOT EXISTS event_links (notification_id INTEGER PRIMARY KEY, "
                "originator_id TEXT NOT NULL, originator_version INTEGER NOT NULL, hash BLOB NOT NULL, tag BLOB)",
                "CREATE TABLE IF NOT EXISTS store_settings (name VARCHAR(64) NOT NULL PRIMARY KEY, value BLOB NOT NULL)",
                "CREATE TABLE IF NOT EXISTS aggregate_ids (kind VARCHAR(16) NOT NULL, natural_key TEXT NOT NULL, "
                "originator_id TEXT NOT NULL, PRIMARY KEY (kind, natural_key)) WITHOUT ROWID"]

    def create_table(self) -> None:
        super().create_table()
        with self.datastore.transaction(commit=True) as c:
            c.execute("SELECT name FROM pragma_table_info('event_links')")
            if "tag" not in {r[0] for r in c.fetchall()}:  # a store written before key tags
                c.execute("ALTER TABLE event_links ADD COLUMN tag BLOB")
            c.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'event_hashes'")
            if c.fetchone() is None:
                return
            events = self.events_table_name
            c.execute(f"INSERT INTO event_links (notification_id, originator_id, originator_version, hash) "
                      f"SELECT n.rowid, h.originator_id, h.originator_version, h.hash "
                      f"FROM event_hashes h JOIN {events} n ON n.originator_id = h.originator_id "
                      f"AND n.originator_version = h.originator_version")
            # A link whose event is gone is evidence of a removal: kept, at a position no event has.
            c.execute(f"INSERT INTO event_links (notification_id, originator_id, originator_version, hash) "
                      f"SELECT -ROW_NUMBER() OVER (ORDER BY h.originator_id, "
                      f"h.originator_version), h.originator_id, h.originator_version, h.hash FROM event_hashes h "
                      f"LEFT JOIN {events} n ON n.originator_id = h.originator_id "
                      f"AND n.originator_version = h.originator_version WHERE n.originator_id IS NULL")
            c.execute("DROP TABLE event_hashes")

    def _stored_links(self, c: Any, keys: list[tuple[UUID, int]]) -> dict[tuple[UUID, int], bytes]:
        found = {}
        for start in range(0, len(keys), LINKS_ASKED):
            part = keys[start:start + LINKS_ASKED]
            c.execute(f"WITH wanted(id, version) AS (VALUES {', '.join(['(?, ?)'] * len(part))}) "
                      f"SELECT n.originator_id, n.originator_version, l.hash FROM wanted CROSS JOIN "  # CROSS: wanted first,
                      f"{self.events_table_name} n ON n.originator_id = wanted.id "  # then the events' key
                      f"AND n.originator_version = wanted.version JOIN event_links l ON l.notification_id = n.rowid",
                      [value for oid, version in part for value in (oid.hex, version)])
            found.update({(UUID(r[0]), r[1]): r[2] for r in c.fetchall()})
        return found

    def _stored_events_of(self, c: Any, oid: UUID, up_to: int) -> list[tuple[int, str, bytes]]:
        c.execute(f"SELECT originator_version, topic, state FROM {self.events_table_name} WHERE originator_id = ? "
                  "AND originator_version <= ? ORDER BY originator_version", (oid.hex, up_to))
        return [(r[0], r[1], r[2]) for r in c.fetchall()]

    # ---- what verify and checkpoints read (store/audit.py) ----------------------------------------

    def chained_page(self, after: int, limit: int) -> list[tuple]:
        """(position, originator id, version, topic, state, stored link or None, key tag or None) past
        `after`, in log order."""
        with self.datastore.transaction(commit=False) as c:
            if after == 0:  # a pass over the whole log reads each page once: a page cache would only hold memory
                c.execute(f"PRAGMA cache_size=-{SCAN_CACHE_KIB}")
            c.execute(f"SELECT n.rowid, n.originator_id, n.originator_version, n.topic, n.state, l.hash, l.tag "
                      f"FROM {self.events_table_name} n LEFT JOIN event_links l ON l.notification_id = n.rowid "
                      f"WHERE n.rowid > ? ORDER BY n.rowid LIMIT ?", (after, limit))  # a notification id is a rowid
            return [(r[0], UUID(r[1]), r[2], r[3], r[4], r[5], r[6]) for r in c.fetchall()]

    def heads_between(self, after: int, upto: int, each: Callable[[UUID, int, bytes, str, bytes], None]) -> None:
        """(aggregate, version, link, first event's topic, its state) of each chain whose last link up to
        position `upto` lies past `after`, to `each`, streamed: what a checkpoint adds to the one before it
        (the first checkpoint of a large store names every aggregate: never all in memory)."""
        with self.datastore.transaction(commit=False) as c:
            # SQLite takes the bare columns from the row of the maximum
            c.execute(f"SELECT n.originator_id, MAX(n.originator_version), l.hash, f.topic, f.state "
                      f"FROM event_links l JOIN {self.events_table_name} n ON n.rowid = l.notification_id "
                      f"LEFT JOIN {self.events_table_name} f ON f.originator_id = n.originator_id "
                      f"AND f.originator_version = 1 WHERE l.notification_id > ? AND l.notification_id <= ? "
                      f"GROUP BY n.originator_id", (after, upto))
            for r in c.sqlite_cursor:  # row by row (eventsourcing's cursor has no fetchmany)
                each(UUID(r[0]), r[1], r[2], r[3], r[4])

    def orphan_links(self) -> list[tuple[UUID, int]]:
        """Chain links whose event is gone (or whose position another event holds)."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT l.originator_id, l.originator_version FROM event_links l LEFT JOIN "
                      f"{self.events_table_name} n ON n.rowid = l.notification_id WHERE n.originator_id IS NULL "
                      f"OR n.originator_id != l.originator_id OR n.originator_version != l.originator_version "
                      f"ORDER BY 1, 2")
            return [(UUID(r[0]), r[1]) for r in c.fetchall()]

    def chain_heads(self, each: Callable[[UUID, int, bytes], None]) -> int:
        """Every chain's last link to `each`, by aggregate id, streamed (never all in memory), and the
        log's size, in one snapshot."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT MAX(rowid) FROM {self.events_table_name}")
            size = c.fetchone()[0] or 0
            # In the order of the events' key, so nothing is sorted; SQLite takes `hash` from the row
            # of the maximum.
            c.execute(f"SELECT n.originator_id, MAX(n.originator_version), l.hash FROM {self.events_table_name} n "
                      f"JOIN event_links l ON l.notification_id = n.rowid GROUP BY n.originator_id "
                      f"ORDER BY n.originator_id")
            for r in c.sqlite_cursor:  # row by row (eventsourcing's cursor has no fetchmany)
                each(UUID(r[0]), r[1], r[2])
            return size

    def _insert_events(self, c: Any, stored_events: Any, **kwargs: Any) -> None:
        # One executemany, as for an aggregate recorder: the application recorder would fetch the new
        # notification ids one row at a time. They are known: the writer holds the store's lock, and
        # SQLite gives each new row the highest rowid plus one.
        c.execute(f"SELECT MAX(rowid) FROM {self.events_table_name}")
        last = c.fetchone()[0] or 0
        SQLiteAggregateRecorder._insert_events(self, c, stored_events)
        c.execute(f"SELECT MAX(rowid) FROM {self.events_table_name}")
        if (c.fetchone()[0] or 0) != last + len(stored_events):
            raise IntegrityError("the new events did not take the positions after the last one")
        for tracking in (kwargs.get("tracking"), *kwargs.get("trackings", ())):
            if tracking is not None:
                self._insert_tracking(c, tracking)
        self._insert_buyer_keys(c, kwargs.get("buyer_keys"))
        self._insert_aggregate_ids(c, kwargs.get("aggregate_ids"))
        self._mark_keyed(c, last + 1)
        positions = {(s.originator_id, s.originator_version): last + i for i, s in enumerate(stored_events, start=1)}
        c.executemany("INSERT INTO event_links (notification_id, originator_id, originator_version, hash, tag) "
                      "VALUES (?, ?, ?, ?, ?)",
                      [(positions.get((oid, version)) or self._position_of(c, oid, version), oid.hex, version, value,
                        key_tag) for oid, version, value, key_tag in self._chain_rows(c, stored_events)])

    def _position_of(self, c: Any, oid: UUID, version: int) -> int:
        """The position of a stored event (one of an adopted chain's, stored before chaining existed)."""
        c.execute(f"SELECT rowid FROM {self.events_table_name} WHERE originator_id = ? AND originator_version = ?",
                  (oid.hex, version))
        return c.fetchone()[0]


class ImmediateSQLiteTransaction(SQLiteTransaction):
    """A writing transaction takes the write lock as it begins (`BEGIN IMMEDIATE`), waiting for it up to
    the busy timeout: eventsourcing's deferred `BEGIN` reads first (the last position, the chain heads)
    and fails at once with SQLITE_BUSY when another writer committed in between, which the busy
    handler cannot wait out (docs/decisions/0014). Reading transactions stay deferred. A failed BEGIN
    is raised as the store's OperationalError, a transient fault."""

    def __enter__(self) -> Any:
        cursor = self.connection.cursor()
        try:
            cursor.execute("BEGIN IMMEDIATE" if self.commit else "BEGIN")
        except sqlite3.OperationalError as e:
            cursor.sqlite_cursor.close()
            raise OperationalError(e) from e
        return cursor


class ImmediateSQLiteConnection(SQLiteConnection):
    @contextmanager
    def transaction(self, *, commit: bool) -> Iterator[Any]:
        with ImmediateSQLiteTransaction(self, commit=commit) as curs, curs:
            yield curs


class TunedSQLiteConnectionPool(SQLiteConnectionPool):
    def _create_connection(self) -> SQLiteConnection:
        try:
            c = sqlite3.connect(
                database=self.db_name,
                uri=True,
                check_same_thread=False,
                isolation_level=None,  # transactions are begun and ended by eventsourcing
                cached_statements=256,
                timeout=self.lock_timeout or BUSY_TIMEOUT_S,
            )
        except (sqlite3.Error, TypeError) as e:
            raise InterfaceError(e) from e
        try:
            if not self.is_sqlite_memory_mode:
                if c.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    c.execute("PRAGMA journal_mode=WAL")  # fails on a full disk or a busy new file
                c.execute("PRAGMA synchronous=NORMAL")
                c.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")  # fewer checkpoints, each one a sync
            c.execute(f"PRAGMA cache_size=-{PAGE_CACHE_KIB}")  # KiB: the hot pages of the indexes stay in memory
        except sqlite3.OperationalError as e:  # the store's error, as any other of the database's
            c.close()
            raise OperationalError(e) from e
        self.is_journal_mode_wal = not self.is_sqlite_memory_mode
        c.row_factory = sqlite3.Row
        return ImmediateSQLiteConnection(sqlite_conn=c, max_age=self.max_age)


class SQLiteStoreFactory(SQLiteFactory):
    process_recorder_class = SQLiteOffsetsRecorder

    def __init__(self, env: Any):
        super().__init__(env)
        pool = self.datastore.pool
        self.datastore.pool = TunedSQLiteConnectionPool(db_name=pool.db_name, lock_timeout=pool.lock_timeout)
