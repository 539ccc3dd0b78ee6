"""What every read model shares in the database: the metadata, aware datetimes, the positions table."""

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, MetaData, String, Table
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
    Column("stream", String(120), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("last_at", UTCDateTime),
)
LOG = "log"  # the stream of the store's log, read in-process
