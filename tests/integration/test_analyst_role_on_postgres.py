"""`orderclaims analyst-role create` on a real PostgreSQL: the role logs in with the password printed once,
SELECTs the views of schema `analyst` (the policy's columns, no buyer data), cannot read any table of the
store (events, receipts, keys, the read models themselves), cannot write, and its views still answer —
the rebuilt rows — after `orderclaims rebuild` swapped every read model's tables, and after an upgrade
made an outdated table again."""

import uuid
from datetime import datetime, timezone

import orjson
import psycopg
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import make_url

from consumers.ingest import ingest_lines
from producers.simulator import simulate
from projections.analyst_columns import POLICY
from projections.dashboard import Dashboard
from projections.runner import LogFollower, all_projections


def analyst_connection(stack, role: str, password: str) -> psycopg.Connection:
    url = make_url(stack.env["ORDERCLAIMS_DATABASE_URL"])
    return psycopg.connect(host=url.host, port=url.port, dbname=url.database, user=role, password=password,
                           autocommit=True, connect_timeout=5)


def view_rows(conn: psycopg.Connection) -> dict[str, int]:
    return {t.name: conn.execute(f"SELECT count(*) FROM analyst.{t.name}").fetchone()[0] for t in POLICY}


def table_rows(stack) -> dict[str, int]:
    with stack.engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar() for t in POLICY}


@pytest.fixture
def analyst(stack):
    ingest_lines(stack.app, (orjson.dumps(m) for m in simulate(orders=200, seed=12)))
    LogFollower(stack.app, stack.engine, all_projections()).catch_up()
    role = f"analyst_{uuid.uuid4().hex[:8]}"
    created = orjson.loads(stack.cli("analyst-role", "create", "--name", role, "--login", "--json").stdout)
    assert created["role"] == role and len(created["password"]) >= 24
    with analyst_connection(stack, role, created["password"]) as conn:
        yield conn, role


def test_the_analyst_reads_every_view_with_the_policys_columns_only(stack, analyst):
    conn, _ = analyst
    assert view_rows(conn) == table_rows(stack) and view_rows(conn)["dash_orders"] == 200
    for table, policy in POLICY.items():
        columns = [c.name for c in conn.execute(f"SELECT * FROM analyst.{table.name} LIMIT 0").description]
        assert columns == list(policy.exported) and not [c for c in columns if "buyer" in c], table.name


def test_the_analyst_reads_no_table_of_the_store_and_writes_nothing(stack, analyst):
    conn, role = analyst
    with stack.engine.connect() as own:
        tables = inspect(own).get_table_names()
    assert {"dash_orders", "projection_positions"} <= set(tables) and len(tables) > len(POLICY) + 3
    for name in tables:  # events, receipts, keys, links, checkpoints … and the read models' own tables
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f'SELECT 1 FROM public."{name}" LIMIT 1')
    for statement in ("DELETE FROM analyst.dash_orders", "UPDATE analyst.settle_orders SET paid = 0",
                      "CREATE TABLE analyst.mine (n int)", "CREATE VIEW analyst.mine AS SELECT 1",
                      "DROP VIEW analyst.dash_claims"):
        with pytest.raises((psycopg.errors.InsufficientPrivilege, psycopg.errors.ReadOnlySqlTransaction)):
            conn.execute(statement)
    conn.execute("SET default_transaction_read_only = off")  # its own setting gives it no privilege
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("DELETE FROM analyst.dash_orders")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(f"CREATE ROLE {role}_2")


def test_the_views_answer_after_a_rebuild_swapped_every_read_model(stack, analyst):
    conn, _ = analyst
    before = view_rows(conn)
    stack.cli("rebuild")
    assert view_rows(conn) == before == table_rows(stack)
    with stack.engine.connect() as own:  # the views read the swapped-in tables, not dropped ones
        assert own.exec_driver_sql("SELECT count(*) FROM pg_views WHERE schemaname = 'analyst'").scalar() == len(POLICY)


def test_a_role_name_taken_or_unsafe_is_refused(stack, analyst):
    _, role = analyst
    taken = stack.cli("analyst-role", "create", "--name", role, check=False)
    assert taken.returncode == 1 and b"exists already" in taken.stderr
    unsafe = stack.cli("analyst-role", "create", "--name", 'x"; DROP TABLE dash_orders; --', check=False)
    assert unsafe.returncode == 1 and b"role name" in unsafe.stderr


def test_the_export_on_postgresql_holds_what_the_analyst_views_show(stack, analyst, tmp_path):
    conn, _ = analyst
    stack.cli("export", "all", "--out", str(tmp_path / "now"))
    stack.cli("export", "all", "--format", "csv", "--as-of", "2026-10-01T00:00:00+09:00", "--out", str(tmp_path / "then"))
    for table in POLICY:
        in_view = sorted(map(in_utc, conn.execute(f"SELECT * FROM analyst.{table.name}").fetchall()))
        in_file = sorted(in_utc(r.values()) for r in pq.read_table(tmp_path / "now" / f"{table.name}.parquet").to_pylist())
        assert in_file == in_view and (in_view or table.name in EMPTY), table.name
    then = orjson.loads((tmp_path / "then" / "manifest.json").read_bytes())
    rows = {t["table"]: t["rows"] for t in then["tables"]}
    assert 0 < rows["dash_orders"] < 200 and "inquiries" in {t["table"] for t in then["left_out"]}


def in_utc(row) -> tuple:
    """A row's values as sortable text, its times in UTC whatever the session's time zone."""
    return tuple(repr(v.astimezone(timezone.utc) if isinstance(v, datetime) else v) for v in row)


EMPTY = {"points_exchanges", "settle_sellers_history", "inquiries"}  # nothing of these in 200 orders


def test_the_views_answer_after_an_upgrade_dropped_an_outdated_read_model(stack, analyst):
    """A table of an earlier release (other columns) is dropped and made again (Projection._drop_outdated):
    its view is made again on the new table, which the projection then fills from the first event."""
    conn, _ = analyst
    before = view_rows(conn)
    with stack.engine.begin() as own:
        own.exec_driver_sql("ALTER TABLE dash_claims ADD COLUMN of_an_earlier_release int")
    Dashboard.create_tables.__globals__["_CHECKED"].pop(stack.engine, None)  # looked at again, as a new process does
    LogFollower(stack.app, stack.engine, [Dashboard()]).catch_up()
    assert view_rows(conn) == before
