"""`orderclaims export`: read-model tables written as Parquet (pyarrow) or CSV (the csv module) for an
analyst's own tools, with only the columns projections/analyst_columns.py exports, and manifest.json.

Each table is read with a streaming cursor and written a chunk at a time (a Parquet row group per
chunk): no table is ever whole in memory. Each file is written under a hidden temporary name in the
folder and renamed into place when complete (store/files.writing_whole; the manifest last), so a
reader finds a whole file or none. "As of T" reads the versioned tables' history and the facts added
by T, never a replay; a table that cannot answer is not written and the manifest lists it as left out,
with why."""

import csv
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import BigInteger, Date, DateTime, Integer, Select, Table, select, type_coerce
from sqlalchemy.engine import Connection

from projections.analyst_columns import POLICY, answers_as_of, exported
from projections.schema import UTCDateTime
from projections.temporal import AS_OF
from projections.temporal import as_of as as_of_rows
from store.files import writing_whole

FORMATS = ("parquet", "csv")
CHUNK = 10_000
MANIFEST = "manifest.json"


class CannotAnswerAsOf(ValueError):
    """A table asked for by name, as of a moment, that keeps no history of its rows."""


def statement(table: Table, as_of: datetime | None) -> Select:
    """The exported columns of the table's rows, now or as of the parameter `as_of`. Times are read as
    the database gives them (UTC; naive on SQLite), not through UTCDateTime's per-value conversion: the
    writers say they are UTC once per column."""
    policy = POLICY[table]
    rows = table if as_of is None or policy.added_at else as_of_rows(table, one_seller=False)
    query = select(*(_raw(rows.c[c.name]) for c in exported(table)))
    return query.where(table.c[policy.added_at] <= AS_OF) if as_of is not None and policy.added_at else query


def _raw(column: Any) -> Any:
    return type_coerce(column, DateTime()).label(column.name) if isinstance(column.type, UTCDateTime) else column


def arrow_type(column: Any) -> pa.DataType:
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return pa.timestamp("us", tz="UTC")
    if isinstance(kind, Date):
        return pa.date32()
    if isinstance(kind, (Integer, BigInteger)):
        return pa.int64()
    return pa.string()


def export_tables(conn: Connection, tables: list[Table], fmt: str, out: Path, as_of: datetime | None = None,
                  refuse_as_of: frozenset[Table] = frozenset()) -> dict:
    """Write each table to OUT/TABLE.FORMAT and OUT/manifest.json; returns the manifest. As of a moment, a
    table that cannot answer is left out, or refused with CannotAnswerAsOf if it is in `refuse_as_of` (the
    tables asked for by their own name), before anything is written."""
    if fmt not in FORMATS:
        raise ValueError(f"{fmt!r} is not one of {', '.join(FORMATS)}")
    if as_of is not None:
        cannot = [t for t in tables if not answers_as_of(t)]
        if refused := [t for t in cannot if t in refuse_as_of]:
            raise CannotAnswerAsOf("; ".join(f"{t.name}: {POLICY[t].as_of}" for t in refused))
    else:
        cannot = []
    out.mkdir(parents=True, exist_ok=True)
    written, left_out = [], [{"table": t.name, "why": POLICY[t].as_of} for t in cannot]
    for table in tables:
        if table in cannot:
            continue
        file = out / f"{table.name}.{fmt}"
        columns = exported(table)
        result = conn.execution_options(stream_results=True, yield_per=CHUNK).execute(
            statement(table, as_of), {"as_of": as_of})
        chunks = (chunk for chunk in result.partitions(CHUNK))
        rows = _write_parquet(file, columns, chunks) if fmt == "parquet" else _write_csv(file, columns, chunks)
        written.append({"table": table.name, "file": file.name, "rows": rows, "format": fmt,
                        "as_of": as_of.isoformat() if as_of else None,
                        "columns": [{"name": c.name, "type": str(arrow_type(c))} for c in columns]})
    manifest = {"format": fmt, "as_of": as_of.isoformat() if as_of else None,
                "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "tables": written, "left_out": left_out}
    with writing_whole(out / MANIFEST, "wb") as file:
        file.write(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    return manifest


def _write_parquet(path: Path, columns: list, chunks: Iterator[list]) -> int:
    schema = pa.schema([pa.field(c.name, arrow_type(c), nullable=c.nullable) for c in columns])
    rows = 0
    with writing_whole(path, "wb") as file:
        with pq.ParquetWriter(file, schema) as writer:
            for chunk in chunks:  # a naive time is UTC to pyarrow, an aware one is converted to UTC
                columns_of_chunk = [pa.array(values, type=field.type) for values, field in zip(zip(*chunk), schema)]
                writer.write_table(pa.Table.from_arrays(columns_of_chunk, schema=schema))
                rows += len(chunk)
            if rows == 0:
                writer.write_table(schema.empty_table())
    return rows


def csv_text(value: Any) -> Any:
    """A value as the CSV holds it: times in ISO 8601 with their offset (UTC), dates ISO, no value empty."""
    if isinstance(value, datetime):  # naive: UTC as SQLite keeps it (projections/schema.UTCDateTime)
        return (value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else value


def _write_csv(path: Path, columns: list, chunks: Iterator[list]) -> int:
    rows = 0
    with writing_whole(path, "w") as file:
        writer = csv.writer(file)
        writer.writerow([c.name for c in columns])
        for chunk in chunks:
            writer.writerows([csv_text(v) for v in r] for r in chunk)
            rows += len(chunk)
    return rows
