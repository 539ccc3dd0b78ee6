"""Exactly once, rebuildable: rebuild = incremental, repeats change nothing, as-of uses only earlier events."""

from datetime import datetime

import orjson
import pytest
from sqlalchemy import create_engine, inspect, select
from sqlalchemy.pool import StaticPool

from consumers.ingest import ingest_lines
from domain.application import Orders
from domain.calendar import TOKYO
from projections import dashboard_queries as dash
from projections.dashboard import Dashboard
from projections.base import PositionConflict
from projections.schema import metadata
from projections.runner import PROJECTIONS, LogFollower, all_projections, rebuild, reading
from producers.simulator import simulate


def snapshot(engine) -> dict:
    """Every row of every projection table, in a comparable form."""
    with engine.connect() as conn:
        return {
            table.name: sorted(tuple(str(v) for v in row if v is not None) for row in conn.execute(select(table)))
            for table in metadata.sorted_tables
            if table.name != "projection_positions"
        }


def memory_engine():
    return create_engine("sqlite://", poolclass=StaticPool)


@pytest.fixture(scope="module")
def stream() -> list[bytes]:
    return [orjson.dumps(m) for m in simulate(orders=600, seed=21)]


def test_a_rebuilt_projection_equals_the_incrementally_built_one(stream):
    app = Orders(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    incremental = memory_engine()
    follower = LogFollower(app, incremental, all_projections())
    for start in range(0, len(stream), 700):  # ingest in pieces, catching up after each
        ingest_lines(app, stream[start:start + 700], batch_size=100)
        follower.catch_up()
    rebuilt = memory_engine()
    for name, cls in PROJECTIONS.items():
        rebuild(app, rebuilt, cls())
    assert snapshot(rebuilt) == snapshot(incremental)
    assert sum(len(rows) for rows in snapshot(rebuilt).values()) > 2000
    # rebuilding in place (dropping the tables) gives the same again
    rebuild(app, incremental, PROJECTIONS["dashboard"]())
    assert snapshot(incremental) == snapshot(rebuilt)


def test_a_repeated_event_position_changes_nothing(stream):
    app = Orders(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    ingest_lines(app, stream[:2000])
    engine = memory_engine()
    projections = all_projections()
    LogFollower(app, engine, projections).catch_up()
    before = snapshot(engine)
    notifications = app.recorder.select_notifications(1, limit=500)
    chunk = [(n.id, app.mapper.to_domain_event(n)) for n in notifications]
    with engine.begin() as conn:
        for projection in projections:
            projection.apply_batch(conn, chunk)  # every position here was applied already
    assert snapshot(engine) == before


def test_repeats_inside_one_batch_are_applied_once(stream):
    """A partition of the events topic can carry an event twice in one poll batch (the relay
    publishes at least once): positions that go back are dropped."""
    app = Orders(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    ingest_lines(app, stream[:1500])
    chunk = [(n.id, app.mapper.to_domain_event(n)) for n in app.recorder.select_notifications(1, limit=3000)]
    once, twice = memory_engine(), memory_engine()
    for engine, batch in ((once, chunk), (twice, chunk[:2000] + chunk[1000:])):
        with engine.begin() as conn:
            for projection in all_projections():
                projection.create_tables(engine)
                projection.apply_batch(conn, batch, stream="kafka:0")
    assert snapshot(twice) == snapshot(once)
    assert sum(len(rows) for rows in snapshot(once).values()) > 500


def test_a_caught_up_projection_stands_at_the_stores_head_past_the_events_it_does_not_read(stream):
    """Only the handled topics are read from the store; the position still covers the rest."""
    app = Orders(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    ingest_lines(app, stream[:500])
    head = app.recorder.max_notification_id()
    last = app.recorder.select_notifications(head, limit=1)[0]
    assert last.topic == "domain.receipt:Receipt.Processed"  # the last event is one no projection reads
    engine = memory_engine()
    follower = LogFollower(app, engine, all_projections())
    done = follower.catch_up()
    assert done.stored_events == head and 0 < done.applied < head
    with engine.connect() as conn:
        assert [p.position(conn)[0] for p in follower.projections] == [head] * len(follower.projections)
    assert follower.catch_up() == (0, 0)


def test_a_second_writer_that_applied_the_same_events_is_refused():
    app = Orders(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    ingest_lines(app, [orjson.dumps(m) for m in simulate(orders=5, seed=1)])
    engine = memory_engine()
    projection = PROJECTIONS["dashboard"]()
    projection.create_tables(engine)
    chunk = [(n.id, app.mapper.to_domain_event(n)) for n in app.recorder.select_notifications(1, limit=10)]
    with engine.begin() as conn:
        projection.apply_batch(conn, chunk[:5])
    with engine.connect() as conn:
        stale_start = projection.position(conn)[0]  # a second writer read the position here …
    with engine.begin() as conn:
        projection.apply_batch(conn, chunk[5:])  # … while the first writer moved it on
    with pytest.raises(PositionConflict):
        with engine.begin() as conn:
            projection._save_position(conn, stale_start, chunk[-1][0], None)


def test_a_dashboard_as_of_a_past_moment_equals_one_built_from_the_messages_up_to_then(stream):
    cut = datetime(2026, 10, 15, 12, 0, tzinfo=TOKYO)
    earlier = [line for line in stream if datetime.fromisoformat(orjson.loads(line)["occurred_at"]) <= cut]
    assert 0 < len(earlier) < len(stream)

    whole = Orders(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    ingest_lines(whole, stream)
    engine = memory_engine()
    part = Orders(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    ingest_lines(part, earlier)
    part_engine = memory_engine()
    LogFollower(part, part_engine, all_projections()).catch_up()

    for seller in ("S001", "S002", "S003"):
        with reading(whole, engine, Dashboard(), cut) as conn:
            as_of = dash.counts(conn, seller, cut)
        with part_engine.connect() as conn:
            truth = dash.counts(conn, seller, cut)
        assert as_of == truth


def test_opening_a_projection_makes_the_indexes_a_table_of_an_earlier_release_lacks(tmp_path):
    """create_all makes a table's indexes only with the table: an index added later is made on opening."""
    url = f"sqlite:///{tmp_path / 'read.db'}"
    Dashboard().create_tables(create_engine(url))
    with create_engine(url).begin() as conn:
        conn.exec_driver_sql("DROP INDEX dash_claims_by_seller_every")
    reopened = create_engine(url)
    Dashboard().create_tables(reopened)
    with reopened.connect() as conn:
        assert "dash_claims_by_seller_every" in {i["name"] for i in inspect(conn).get_indexes("dash_claims")}
