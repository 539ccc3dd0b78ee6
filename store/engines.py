"""Where the event store and the read models live: eventsourcing's settings and SQLAlchemy engines,
both from one database URL (SQLite or PostgreSQL).

SQLite under concurrency (docs/decisions/0014): every connection waits up to BUSY_TIMEOUT_S for a
lock, and a transaction that writes takes the write lock when it begins (`BEGIN IMMEDIATE`): a
deferred transaction that read first and writes later fails at once with SQLITE_BUSY when another
writer committed in between, and no busy handler can wait that out. pysqlite's own transaction
handling is switched off (it begins nothing before DDL, so a DROP and a RENAME would not share a
transaction); SQLAlchemy's `begin` emits the BEGIN. A connection that is only read from
(`engine.connect()`, autobegun) begins a deferred transaction, so readers never queue for the
write lock.
"""

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url

from store.sqlite_settings import BUSY_TIMEOUT_S, WAL_AUTOCHECKPOINT_PAGES

CODECS = {  # every store: JSON written with orjson, events of every release read
    "TRANSCODER_TOPIC": "store.transcoding:OrjsonTranscoder",
    "MAPPER_TOPIC": "store.mapper:UpcastingMapper",
}


def event_store_env(database_url: str) -> dict[str, str]:
    """eventsourcing's settings for a SQLAlchemy-style database URL (SQLite or PostgreSQL)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return {
            **CODECS,
            "PERSISTENCE_MODULE": "store.recorders:SQLiteStoreFactory",
            "SQLITE_DBNAME": url.database or ":memory:",
            "SQLITE_LOCK_TIMEOUT": str(BUSY_TIMEOUT_S),
        }
    if url.get_backend_name() == "postgresql":
        return {
            **CODECS,
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": url.database or "postgres",
            "POSTGRES_HOST": url.host or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": url.username or "postgres",
            "POSTGRES_PASSWORD": url.password or "",
            "PROCESS_RECORDER_TOPIC": "store.recorders_postgres:PostgresOffsetsRecorder",
        }
    raise ValueError(f"unsupported database URL {database_url!r}: use sqlite:/// or postgresql+psycopg://")


# The events' table and the column whose maximum is the store's head, as eventsourcing's recorders name
# them (the application is "orderclaims"; `max_notification_id` reads the same).
_HEADS = {
    "sqlite": text("SELECT MAX(rowid) FROM stored_events"),
    "postgresql": text("SELECT MAX(notification_id) FROM orderclaims_events"),
}


def log_head(conn: Connection) -> int:
    """The position of the store's newest event (0: none), read on a read models' connection, without
    the event store's recorder (what `recorder.max_notification_id()` answers). Raises the database's
    error when the store has no events table yet."""
    return conn.execute(_HEADS[conn.dialect.name]).scalar() or 0


class _SQLiteConnection(Connection):
    """Knows whether its transaction was begun by a read (autobegin) or asked for (`engine.begin()`)."""

    reading = False

    def _autobegin(self) -> None:
        self.reading = True
        try:
            super()._autobegin()
        finally:
            self.reading = False


def make_engine(database_url: str) -> Engine:
    """A SQLAlchemy engine for the read models (psycopg 3 for PostgreSQL URLs)."""
    url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        serialize_sqlite_writes(engine)
    return engine


def serialize_sqlite_writes(engine: Engine) -> None:
    """The busy timeout, `BEGIN IMMEDIATE` for writing transactions, and the store's pragmas."""
    engine._connection_cls = _SQLiteConnection  # the class Engine.connect() makes (SQLAlchemy 2.0)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):  # as the event store's connections (decision 0004)
        dbapi_connection.isolation_level = None  # pysqlite begins nothing: `_begin` below does
        dbapi_connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        dbapi_connection.execute("PRAGMA synchronous = NORMAL")
        # as the event store's: a connection checkpoints the WAL when it commits past its own
        # threshold, so the default 1,000 pages made every small commit here (buyer keys, read
        # models) copy the events' whole WAL back and sync it
        dbapi_connection.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN" if getattr(conn, "reading", False) else "BEGIN IMMEDIATE")
