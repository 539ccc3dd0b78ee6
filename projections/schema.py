"""What every read model shares in the database: the metadata, aware datetimes, the positions table."""

from datetime import datetime, timezone
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, MetaData, String, Table
from sqlalchemy.types import TypeDecorator

metadata = MetaData()
shadow_metadata = MetaData()  # a rebuild's copies of the read models' tables (projections/swap.py)
SHADOW = "__rebuild"  # what a rebuild's table, index and projection names end with


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


@cache
def shadow_of(table: Table) -> Table:
    """The table's copy a rebuild fills, named TABLE__rebuild, its indexes named after it too (index
    names are one namespace per database), so that it can be swapped in by renaming."""
    shadow = table.to_metadata(shadow_metadata, name=table.name + SHADOW)
    for index in shadow.indexes:
        if SHADOW not in str(index.name):  # an explicit name (`ix_` names are made from the table's)
            index.name = f"{index.name}{SHADOW}"
    return shadow
