"""A rebuild's read model swapped in whole (docs/decisions/0014): the rebuild fills shadow tables
(TABLE__rebuild) under the name NAME__rebuild in the positions and parked tables, then one transaction
applies what the store got since, drops the live tables, renames the shadow ones and their indexes
into their place and hands the positions and parked events over (and, on PostgreSQL, makes the analysts'
views of the swapped tables again: projections/analyst_views.py). A rebuild killed at any moment
leaves the live read model as it was, or the new one, never a part: what a killed rebuild left is
dropped by the next one."""

from sqlalchemy import Table, delete, inspect, select, text, update
from sqlalchemy.engine import Connection, Engine

from projections.analyst_views import dropping_view
from projections.base import Projection
from projections.parking import parked_events
from projections.schema import SHADOW, positions


def drop_leftover(engine: Engine, projection: Projection) -> list[str]:
    """Drop what a killed rebuild of this projection left: its shadow tables, positions and parked
    events. Returns the tables found."""
    twin = projection.rebuilding()
    with engine.begin() as conn:
        existing = set(inspect(conn).get_table_names())
        found = [t.name for t in twin.stored_in.values() if t.name in existing]
        for name in found:
            conn.execute(text(f"DROP TABLE {_quoted(conn, name)}"))
        if positions.name in existing:
            moved = conn.execute(select(positions.c.stream).where(positions.c.name == twin.name)).first()
            if moved is not None and not found:
                found.append(f"{positions.name}: {twin.name}")
            conn.execute(delete(positions).where(positions.c.name == twin.name))
        if parked_events.name in existing:
            conn.execute(delete(parked_events).where(parked_events.c.name == twin.name))
    return found


def lock_live(conn: Connection, projection: Projection) -> None:
    """PostgreSQL: the live tables, then the positions, before anything else of the swap (SQLite's
    BEGIN IMMEDIATE already holds the only write lock). A writer holding rows of the live tables
    finishes first; no writer is left holding a table the swap waits for."""
    if conn.dialect.name != "postgresql":
        return
    names = ", ".join(_quoted(conn, t.name) for t in projection.tables)
    conn.execute(text(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE"))
    conn.execute(text(f"LOCK TABLE {_quoted(conn, positions.name)} IN EXCLUSIVE MODE"))


def swap_in(conn: Connection, projection: Projection) -> None:
    """In the caller's transaction: the shadow tables replace the live ones, with their positions (every
    stream of the live model's goes: the log's position covers them) and parked events."""
    twin = projection.rebuilding()
    for live, shadow in twin.stored_in.items():
        with dropping_view(conn, live):  # PostgreSQL: its analyst view, made again on the new table
            conn.execute(text(f"DROP TABLE IF EXISTS {_quoted(conn, live.name)}"))
            conn.execute(text(f"ALTER TABLE {_quoted(conn, shadow.name)} RENAME TO {_quoted(conn, live.name)}"))
        _rename_indexes(conn, live)
    for table in (positions, parked_events):
        conn.execute(delete(table).where(table.c.name == projection.name))
        conn.execute(update(table).where(table.c.name == twin.name).values(name=projection.name))


def _rename_indexes(conn: Connection, live: Table) -> None:
    """The renamed table's indexes (and PostgreSQL's constraints and sequences) under the live names."""
    if conn.dialect.name == "postgresql":
        owned = conn.execute(text(
            "SELECT c.relname FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid WHERE i.indrelid = CAST(:t AS regclass) "
            "UNION SELECT c.relname FROM pg_class c JOIN pg_depend d ON d.objid = c.oid "
            "WHERE c.relkind = 'S' AND d.refobjid = CAST(:t AS regclass)"), {"t": live.name}).scalars().all()
        for name in owned:
            if SHADOW in name:  # ALTER INDEX renames a key's constraint too; ALTER TABLE renames sequences
                kind = "TABLE" if name.endswith("_seq") else "INDEX"
                conn.execute(text(f"ALTER {kind} {_quoted(conn, name)} RENAME TO {_quoted(conn, name.replace(SHADOW, ''))}"))
        return
    # SQLite renames a key's own index with its table, but has no ALTER INDEX: the others are made again
    made = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :t AND sql IS NOT NULL"),
                        {"t": live.name}).scalars().all()
    for name in made:
        conn.execute(text(f"DROP INDEX {_quoted(conn, name)}"))
    for index in live.indexes:
        index.create(conn)


def _quoted(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)
