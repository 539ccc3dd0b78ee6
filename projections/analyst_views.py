"""PostgreSQL: read-only analyst roles over views of the read models in schema `analyst` (docs/analysts.md).

Each view is `SELECT <the exported columns> FROM <table>` (projections/analyst_columns.py): no buyer
data, no event, receipt or key table. The views belong to the service's own role, so an analyst role
needs no privilege on the tables; it gets USAGE on the schema and SELECT on the views, through the
group role `orderclaims_analyst` that every analyst role is a member of. A rebuild's swap drops a live
table and renames its shadow into its place (projections/swap.py): in that same transaction the
table's view is dropped first and made again after, with its grant (`dropping_view`), so an analyst
never sees a view missing or pointing at a dropped table.
"""

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Table, text
from sqlalchemy.engine import Connection

from projections.analyst_columns import POLICY, exported

SCHEMA = "analyst"
GROUP = "orderclaims_analyst"
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class RoleExists(ValueError):
    """A role of that name is there already."""


def _q(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _view_sql(conn: Connection, table: Table) -> str:
    columns = ", ".join(_q(conn, c.name) for c in exported(table))
    return f"CREATE VIEW {SCHEMA}.{_q(conn, table.name)} AS SELECT {columns} FROM {_q(conn, table.name)}"


def _has_schema(conn: Connection) -> bool:
    return conn.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": SCHEMA}).first() is not None


def _has_view(conn: Connection, table: Table) -> bool:
    return conn.execute(text("SELECT 1 FROM pg_views WHERE schemaname = :s AND viewname = :v"),
                        {"s": SCHEMA, "v": table.name}).first() is not None


def _make_view(conn: Connection, table: Table) -> None:
    conn.execute(text(_view_sql(conn, table)))
    conn.execute(text(f"GRANT SELECT ON {SCHEMA}.{_q(conn, table.name)} TO {GROUP}"))


def make_views(conn: Connection) -> list[str]:
    """Schema `analyst`, the group role, and a view of every read-model table (made again: the policy
    may have changed). The tables must exist. Returns the views' names."""
    if not conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": GROUP}).first():
        conn.execute(text(f"CREATE ROLE {GROUP} NOLOGIN"))
    conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
    conn.execute(text(f"GRANT USAGE ON SCHEMA {SCHEMA} TO {GROUP}"))
    for table in POLICY:
        conn.execute(text(f"DROP VIEW IF EXISTS {SCHEMA}.{_q(conn, table.name)}"))
        _make_view(conn, table)
    return [f"{SCHEMA}.{table.name}" for table in POLICY]


def create_role(conn: Connection, name: str, login: bool) -> str | None:
    """An analyst role (a member of the group, nothing else); with `login` a generated password, returned
    to be shown once and kept nowhere. The views are made (again) first."""
    if not ROLE_NAME.fullmatch(name) or name.startswith("pg_") or name == GROUP:
        raise ValueError(f"{name!r}: a role name is lower-case letters, digits and _, not starting with pg_")
    if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": name}).first():
        raise RoleExists(f"a role {name!r} exists already")
    make_views(conn)
    password = secrets.token_urlsafe(24) if login else None  # letters, digits, - and _: safe in the literal
    can_log_in = f"LOGIN PASSWORD '{password}'" if login else "NOLOGIN"
    conn.execute(text(f"CREATE ROLE {_q(conn, name)} {can_log_in} NOSUPERUSER NOCREATEDB NOCREATEROLE "
                      f"NOREPLICATION INHERIT IN ROLE {GROUP}"))
    conn.execute(text(f"ALTER ROLE {_q(conn, name)} SET default_transaction_read_only = on"))
    conn.execute(text(f"ALTER ROLE {_q(conn, name)} SET search_path = {SCHEMA}"))
    return password


@contextmanager
def dropping_view(conn: Connection, table: Table) -> Iterator[None]:
    """Around a DROP of `table` in the caller's transaction: its analyst view (if there is one) dropped
    before and made again, with its grant, after (the table under the same name by then)."""
    had = conn.dialect.name == "postgresql" and table in POLICY and _has_schema(conn) and _has_view(conn, table)
    if had:
        conn.execute(text(f"DROP VIEW {SCHEMA}.{_q(conn, table.name)}"))
    yield
    if had:
        _make_view(conn, table)
