"""Where the event store and the read models live: eventsourcing's settings and SQLAlchemy engines,
both from one database URL (SQLite or PostgreSQL)."""

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

from store.recorders import WAL_AUTOCHECKPOINT_PAGES

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
            "PROCESS_RECORDER_TOPIC": "store.recorders:PostgresOffsetsRecorder",
        }
    raise ValueError(f"unsupported database URL {database_url!r}: use sqlite:/// or postgresql+psycopg://")


def make_engine(database_url: str) -> Engine:
    """A SQLAlchemy engine for the read models (psycopg 3 for PostgreSQL URLs)."""
    url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # as the event store's connections (decision 0004)
            dbapi_connection.execute("PRAGMA busy_timeout = 30000")
            dbapi_connection.execute("PRAGMA synchronous = NORMAL")
            # as the event store's: a connection checkpoints the WAL when it commits past its own
            # threshold, so the default 1,000 pages made every small commit here (buyer keys, read
            # models) copy the events' whole WAL back and sync it
            dbapi_connection.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
    return engine
