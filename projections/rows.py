"""The rows one chunk of events reads and writes, kept in memory and written back in a few statements.

A projection's handlers change rows one event at a time; done in SQL, that is a round trip per
change (across the network, for PostgreSQL). Within one chunk, `Rows` reads a row at most once,
applies every change to it in memory, and at the end writes new rows with one executemany
INSERT per table and changed rows with one executemany UPDATE per table and set of columns.
Writing happens in the chunk's transaction, before its position moves, so nothing changes about
exactly-once. The handlers look rows up by key columns only, and never change those columns.

`prefetch` reads, before the chunk is applied, every row of a table whose column holds one of
the given values (the chunk's aggregates), in a few SELECTs. Those values are then complete:
a lookup that names one of them and finds no row in memory needs no SELECT, the row does not
exist. Without it, each aggregate a chunk touches costs a SELECT per table, a round trip each.

A versioned table (projections/temporal.py) keeps what a change replaces: `at` is the time of the
event being applied; a change at a later time than the row's `valid_from` first adds the row as it
was to the table's history (valid until `at`), then moves `valid_from` to `at`. Changes at the
row's own time change it in place: as of any moment, all of them happened or none did.
"""

from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from typing import Any

from sqlalchemy import Column, Table, and_, bindparam, select
from sqlalchemy.engine import Connection

from projections.temporal import HISTORY, UNVERSIONED

Key = tuple[str, ...]
PREFETCH_SLICE = 500  # values per SELECT ... IN (SQLite allows 32,766 parameters)


class Row(dict):
    """A row as a dict, readable as attributes like SQLAlchemy's rows (`order.seller_id`)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class Rows:
    """`tables`: where each table's rows are read and written instead (a rebuild's shadow tables);
    the handlers name the live tables either way."""

    def __init__(self, conn: Connection, tables: dict[Table, Table] | None = None):
        self.conn = conn
        self.at = None  # the time of the event being applied: the valid_from of what it changes
        self._tables = tables or {}
        self._known: dict[Table, list[Row]] = defaultdict(list)  # every row seen, loaded or new
        self._index: dict[tuple[Table, Key], dict[tuple, Row]] = {}
        self._new: set[int] = set()  # ids of rows to insert
        self._changed: dict[int, tuple[Table, Row, set[str]]] = {}  # loaded rows and what changed in them
        self._complete: dict[tuple[Table, str], set] = defaultdict(set)  # every row with column = value is known
        self._replaced: dict[Table, list[dict]] = defaultdict(list)  # versions for a history table: only inserted

    # ---- reading ------------------------------------------------------------------------------

    def get(self, table: Table, **where: Any) -> Row | None:
        """The one row with these key values, or None."""
        key = tuple(sorted(where))
        index = self._index_of(table, key)
        values = tuple(where[c] for c in key)
        row = index.get(values)
        if row is None:
            if any(where[c] in self._complete.get((table, c), ()) for c in key):
                return None  # prefetched: no such row
            found = self.conn.execute(_select_by(self._stored(table), key), dict(zip(key, values))).first()
            if found is not None:
                row = self._remember(table, Row(found._mapping))
        return row

    def one(self, column: Column, key: Any) -> Row:
        """The one row whose `column` is `key`; it must exist."""
        row = self.get(column.table, **{column.name: key})
        if row is None:
            raise LookupError(f"{column.table.name}: no row with {column.name} = {key!r}")
        return row

    def prefetch(self, column: Column, values: Iterable[Any]) -> list[Row]:
        """Read every row whose `column` is one of `values` (and mark those values complete)."""
        table, complete = column.table, self._complete[(column.table, column.name)]
        wanted = [v for v in set(values) if v not in complete]
        pk = tuple(sorted(c.name for c in table.primary_key))
        known = self._index_of(table, pk)
        found = []
        for start in range(0, len(wanted), PREFETCH_SLICE):
            part = wanted[start:start + PREFETCH_SLICE]
            for record in self.conn.execute(_select_in(self._stored(table).c[column.name]), {"values": part}):
                row = Row(record._mapping)
                in_memory = known.get(tuple(row[c] for c in pk))  # read earlier in this chunk: keep that one
                found.append(in_memory if in_memory is not None else self._remember(table, row))
            complete.update(part)
        return found

    def _stored(self, table: Table) -> Table:
        return self._tables.get(table, table)

    def _index_of(self, table: Table, key: Key) -> dict[tuple, Row]:
        index = self._index.get((table, key))
        if index is None:
            index = self._index[(table, key)] = {tuple(r[c] for c in key): r for r in self._known[table]}
        return index

    def _remember(self, table: Table, row: Row) -> Row:
        self._known[table].append(row)
        for (indexed_table, key), index in self._index.items():
            if indexed_table is table:
                index[tuple(row[c] for c in key)] = row
        return row

    # ---- writing ------------------------------------------------------------------------------

    def insert(self, table: Table, **values: Any) -> None:
        if table in HISTORY and values.get("valid_from") is None:
            values["valid_from"] = self.at
        row = Row({c.name: values.get(c.name, _default(c)) for c in table.columns})
        self._new.add(id(self._remember(table, row)))

    def update(self, table: Table, where: dict[str, Any], add: dict[str, int] | None = None, **values: Any) -> None:
        """On the row with these key values: add to the columns of `add`, set the other `values`."""
        row = self.get(table, **where)
        if row is None:
            return  # like an UPDATE that matches no row
        if table in HISTORY:
            values = self._versioned(table, row, add, values)
        for column, amount in (add or {}).items():
            row[column] += amount
        row.update(values)
        if id(row) not in self._new:
            self._changed.setdefault(id(row), (table, row, set()))[2].update(values, add or {})

    def _versioned(self, table: Table, row: Row, add: dict[str, int] | None, values: dict[str, Any]) -> dict[str, Any]:
        """Before a change at a later time than the row's: the row as it was goes to the history."""
        at, since = self.at, row["valid_from"]
        if at is None or since is None or at <= since:  # the same moment (or an event out of time order): in place
            return values
        changed = {c for c, v in values.items() if row[c] != v} | {c for c, n in (add or {}).items() if n}
        if changed <= UNVERSIONED[table]:
            return values  # nothing changes that a moment's reader sees
        self._replaced[HISTORY[table]].append({**row, "valid_to": at})
        return {**values, "valid_from": at}

    def update_every(self, column: Column, key: Any, **values: Any) -> None:
        """On every row whose `column` is `key` — in memory and in the database — set `values`; on a
        versioned table, on every version (an erasure rewrites history too)."""
        table = column.table
        if table in HISTORY:
            self.update_every(HISTORY[table].c[column.name], key, **values)
        for version in self._replaced.get(table, ()):
            if version[column.name] == key:
                version.update(values)
        for row in self._known[table]:
            if row[column.name] == key:
                row.update(values)
                if id(row) not in self._new:
                    self._changed.setdefault(id(row), (table, row, set()))[2].update(values)
        stored = self._stored(table)
        self.conn.execute(stored.update().where(stored.c[column.name] == key).values(**values))

    def update_by(self, column: Column, key: Any, add: dict[str, int] | None = None, **values: Any) -> None:
        self.update(column.table, {column.name: key}, add, **values)

    def flush(self) -> None:
        """Write every new and changed row; the chunk's transaction commits them with its position."""
        for table, rows in self._known.items():
            new = [r for r in rows if id(r) in self._new]
            if new:
                columns = [c.name for c in table.columns if not (c.autoincrement is True and c.primary_key)]
                self.conn.execute(self._stored(table).insert(), [{c: r[c] for c in columns} for r in new])
        for table, versions in self._replaced.items():
            if versions:
                self.conn.execute(self._stored(table).insert(), versions)
        by_statement: dict[tuple[Table, tuple[str, ...]], list[dict]] = defaultdict(list)
        for table, row, columns in self._changed.values():
            pk = [c.name for c in table.primary_key]
            by_statement[(table, tuple(sorted(columns)))].append(
                {**{f"pk_{c}": row[c] for c in pk}, **{c: row[c] for c in columns}}
            )
        for (table, columns), params in by_statement.items():
            stored = self._stored(table)
            where = and_(*(c == bindparam(f"pk_{c.name}") for c in stored.primary_key))
            self.conn.execute(stored.update().where(where).values({c: bindparam(c) for c in columns}), params)
        self._known.clear()
        self._index.clear()
        self._new.clear()
        self._changed.clear()
        self._complete.clear()
        self._replaced.clear()


@cache
def _select_in(column: Column) -> Any:
    return select(column.table).where(column.in_(bindparam("values", expanding=True)))


@cache
def _select_by(table: Table, key: Key) -> Any:
    """SELECT the row by these key columns, built once: SQLAlchemy then reuses its compiled form."""
    return select(table).where(and_(*(table.c[c] == bindparam(c) for c in key)))


def _default(column: Any) -> Any:
    default = column.default
    return default.arg if default is not None and default.is_scalar else None
