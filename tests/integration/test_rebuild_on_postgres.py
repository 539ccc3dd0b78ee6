"""A rebuild on PostgreSQL swaps its shadow tables in whole, indexes, keys and sequences under the live
names, so the next rebuild swaps in again; the read model is the one followed from the log."""

import orjson
from sqlalchemy import select, text

from consumers.ingest import ingest_lines
from producers.simulator import simulate
from projections.runner import PROJECTIONS, LogFollower, rebuild


def test_rebuilding_twice_on_postgresql_gives_the_followed_read_model_and_leaves_no_shadow(stack):
    ingest_lines(stack.app, (orjson.dumps(m) for m in simulate(orders=300, seed=31)))
    projections = [PROJECTIONS[name]() for name in ("dashboard", "points", "settlement")]
    LogFollower(stack.app, stack.engine, projections).catch_up()
    followed = _rows(stack.engine, projections)
    names_before = _relations(stack.engine)
    for _ in range(2):
        for projection in projections:
            rebuild(stack.app, stack.engine, type(projection)())
        assert _rows(stack.engine, projections) == followed
        assert _relations(stack.engine) == names_before  # same tables, indexes, keys and sequences, by name


def _rows(engine, projections) -> dict:
    with engine.connect() as conn:
        return {t.name: sorted(tuple(map(str, r)) for r in conn.execute(select(*[c for c in t.c if c.name != "id"])))
                for p in projections for t in p.tables}


def _relations(engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(text("SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                        "WHERE n.nspname = current_schema()")).scalars())
