"""The read models a query reads, by name, with their tables and none of their handlers; and whether one
is current: its tables as the code makes them and its position at the store's head.

A query at the store's head (the everyday case) then needs SQLAlchemy and the query modules only: the
event store, the domain's aggregates and the projections' handlers are imported (and the application
built) only when a read model has events to catch up on (entrypoints/documents.py, docs/decisions/0019).
The projections (projections/dashboard.py, ...) take their tables from the same modules, and
`Projection._drop_outdated` the same column check, so the two paths cannot disagree on a table.
"""

import weakref
from typing import NamedTuple

from sqlalchemy import Table, inspect, select
from sqlalchemy.engine import Connection, Engine

from projections import dashboard_tables, points_tables, settlement_tables, todo_tables
from projections.schema import LOG, positions


class ReadModel(NamedTuple):
    """A projection's name and tables (the projection's own `name` and `tables`)."""

    name: str
    tables: tuple[Table, ...]


DASHBOARD = ReadModel("dashboard", dashboard_tables.TABLES)
SETTLEMENT = ReadModel("settlement", settlement_tables.TABLES)
TODO = ReadModel("todo", todo_tables.TABLES)
POINTS = ReadModel("points", points_tables.TABLES)

# every projection's name, in the order `orderclaims rebuild` builds them (projections/runner.PROJECTIONS)
NAMES = ("dashboard", "settlement", "points", "inquiries", "todo")

_MATCHING: "weakref.WeakKeyDictionary[Engine, set[str]]" = weakref.WeakKeyDictionary()  # `current`, once found


def outdated(conn: Connection, tables: tuple[Table, ...]) -> list[Table]:
    """The tables that exist with other columns than the code's (made by an earlier release); or, when the
    code has a table the store lacks (settle_refunds, docs/decisions/0023), every one that exists: the read
    model is built again from the first event."""
    found = inspect(conn)
    existing = set(found.get_table_names())
    made = [t for t in tables if t.name in existing]
    if made and len(made) < len(tables):
        return made
    return [t for t in made if {c["name"] for c in found.get_columns(t.name)} != set(t.c.keys())]


def _as_made(conn: Connection, model: ReadModel) -> bool:
    """Every table of the read model exists with the code's columns: looked at until found so, per engine."""
    matching = _MATCHING.setdefault(conn.engine, set())
    if model.name not in matching:
        existing = set(inspect(conn).get_table_names())
        if not {t.name for t in model.tables} <= existing or outdated(conn, model.tables):
            return False
        matching.add(model.name)
    return True


def current(conn: Connection, model: ReadModel, head: int) -> bool:
    """The read model has applied the store's log up to `head` and its tables are the code's: nothing to
    catch up on, nothing to build. Raises the database's error when no read model was made yet."""
    position = conn.execute(select(positions.c.position)
                            .where(positions.c.name == model.name, positions.c.stream == LOG)).scalar()
    return position is not None and position >= head and _as_made(conn, model)
