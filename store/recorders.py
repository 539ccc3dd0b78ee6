"""Event-store recorders that write several consumed positions in the transaction of the events.

A Kafka poll batch spans partitions, and each partition's offset is its own tracking record
(application_name = "TOPIC:PARTITION"). eventsourcing 9.5's process recorders write one tracking
record per transaction; these write every one passed as `trackings`, so a whole poll batch is one
transaction. Selected in entrypoints/bootstrap.py (PROCESS_RECORDER_TOPIC, PERSISTENCE_MODULE).

For SQLite, `SQLiteStoreFactory` also tunes the connections (docs/decisions/0004): WAL with
synchronous=NORMAL, so a commit does not wait for the disk (a crash of the process loses nothing;
a power cut can lose the last transactions whole, events and positions together, never half of
one), checkpoints every 80 MB of log, a 64 MB page cache, and a statement cache (eventsourcing
passes `cached_statements=True`, which is a cache of one).
"""

import sqlite3
from typing import Any

from eventsourcing.persistence import InterfaceError
from eventsourcing.postgres import PostgresProcessRecorder
from eventsourcing.sqlite import (
    SQLITE3_DEFAULT_LOCK_TIMEOUT,
    SQLiteAggregateRecorder,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteFactory,
    SQLiteProcessRecorder,
)
from psycopg.sql import SQL, Identifier


class PostgresOffsetsRecorder(PostgresProcessRecorder):
    """Also inserts the events with one statement of four arrays, sent in binary:
    eventsourcing's array of composite values escapes every state as text with a regular
    expression, and fetches new notification ids nobody reads (one ingest worker: 48,389 messages
    in 8.5 s instead of 14.3 s).
    The table lock that keeps notification ids in commit order is taken as before."""

    records_several_trackings = True

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.insert_rows_statement = SQL(
            "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state)"
            " SELECT * FROM unnest(%b::{id_type}[], %b::bigint[], %b::text[], %b::bytea[])"
        ).format(
            schema=Identifier(self.datastore.schema),
            table=Identifier(self.events_table_name),
            id_type=Identifier(self.datastore.originator_id_type),
        )

    def _insert_events(self, curs: Any, stored_events: Any, **kwargs: Any) -> None:
        for tracking in kwargs.get("trackings", ()):
            self._insert_tracking(curs, tracking)  # refuses a position not past the stored one
        super()._insert_events(curs, stored_events, **kwargs)

    def _insert_stored_events(self, curs: Any, stored_events: Any, **_: Any) -> None:
        self._lock_table(curs)
        self._notify_channel(curs)
        curs.execute(
            self.insert_rows_statement,
            (
                [s.originator_id for s in stored_events],
                [s.originator_version for s in stored_events],
                [s.topic for s in stored_events],
                [s.state for s in stored_events],
            ),
        )

    def _fetch_ids_after_insert_events(self, curs: Any, stored_events: Any, **_: Any) -> None:
        return None


class SQLiteOffsetsRecorder(SQLiteProcessRecorder):
    records_several_trackings = True

    def _insert_events(self, c: Any, stored_events: Any, **kwargs: Any) -> None:
        # One executemany, as for an aggregate recorder: nothing here reads the new notification ids,
        # which the application recorder would fetch one row at a time.
        SQLiteAggregateRecorder._insert_events(self, c, stored_events)
        for tracking in (kwargs.get("tracking"), *kwargs.get("trackings", ())):
            if tracking is not None:
                self._insert_tracking(c, tracking)


class TunedSQLiteConnectionPool(SQLiteConnectionPool):
    def _create_connection(self) -> SQLiteConnection:
        try:
            c = sqlite3.connect(
                database=self.db_name,
                uri=True,
                check_same_thread=False,
                isolation_level=None,  # transactions are begun and ended by eventsourcing
                cached_statements=256,
                timeout=self.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT,
            )
        except (sqlite3.Error, TypeError) as e:
            raise InterfaceError(e) from e
        if not self.is_sqlite_memory_mode:
            if c.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                c.execute("PRAGMA journal_mode=WAL")
            c.execute("PRAGMA synchronous=NORMAL")
            c.execute("PRAGMA wal_autocheckpoint=20000")  # pages (80 MB): fewer checkpoints, each one a sync
        c.execute("PRAGMA cache_size=-65536")  # KiB: the hot pages of the indexes stay in memory
        self.is_journal_mode_wal = not self.is_sqlite_memory_mode
        c.row_factory = sqlite3.Row
        return SQLiteConnection(sqlite_conn=c, max_age=self.max_age)


class SQLiteStoreFactory(SQLiteFactory):
    process_recorder_class = SQLiteOffsetsRecorder

    def __init__(self, env: Any):
        super().__init__(env)
        pool = self.datastore.pool
        self.datastore.pool = TunedSQLiteConnectionPool(db_name=pool.db_name, lock_timeout=pool.lock_timeout)
