"""Any past moment is answered from the read models' own history (docs/decisions/0022): for random
streams and random as-of times, every as-of answer — the dashboard's counts and lists, refusal
breaches, settlement, the to-do list, the summary — equals the answer of a replay up to that time,
and settlement and the summary equal the domain's rules applied order by order to that replay."""

from datetime import datetime, timedelta

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

from consumers.ingest import ingest_lines
from domain.application import Orders
from domain.privacy import ERASED
from projections import dashboard_queries as dash
from projections.dashboard_tables import dash_orders, dash_orders_history
from producers.simulator import simulate
from projections.runner import LogFollower, all_projections
from tests.projections.as_of_oracle import (
    answers, replayed, sellers_of, settlement_by_rules, summary_line_by_rules,
)
from tests.projections.stories import delivered, step, t


def followed(app: Orders, engine: Engine, stream: list[bytes], pieces: int) -> None:
    """The stream ingested in `pieces`, the projections caught up after each (incremental, in chunks)."""
    follower = LogFollower(app, engine, all_projections())
    size = -(-len(stream) // pieces)
    for start in range(0, len(stream), size):
        ingest_lines(app, stream[start:start + size], batch_size=50)
        follower.catch_up()


def span(stream: list[bytes]) -> tuple[datetime, datetime]:
    times = [datetime.fromisoformat(orjson.loads(line)["occurred_at"]) for line in stream]
    return min(times), max(times)


def assert_answers_as_the_replay(app: Orders, engine: Engine, moments: list[datetime]) -> None:
    for as_of in moments:
        with replayed(app, as_of).connect() as oracle, engine.connect() as conn:
            sellers = sellers_of(oracle)
            expected = answers(oracle, sellers, as_of)
            assert answers(conn, sellers, as_of) == expected, as_of
            assert sq_sellers(expected) == sellers
            for seller in sellers:
                assert expected[seller]["settlement"] == settlement_by_rules(oracle, seller, as_of), (seller, as_of)
                line = next(line for line in expected["summary"]["sellers"] if line["seller_id"] == seller)
                assert line == summary_line_by_rules(oracle, seller, as_of), (seller, as_of)


def sq_sellers(document: dict) -> list[str]:
    return sorted(line["seller_id"] for line in document["summary"]["sellers"])


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(orders=st.integers(min_value=20, max_value=90), seed=st.integers(min_value=0, max_value=10_000),
       pieces=st.integers(min_value=1, max_value=4),
       fractions=st.lists(st.floats(min_value=-0.05, max_value=1.05), min_size=3, max_size=3))
def test_every_as_of_answer_equals_a_replay_up_to_that_moment(orders, seed, pieces, fractions):
    stream = [orjson.dumps(m) for m in simulate(orders=orders, seed=seed)]
    app = Orders(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    engine = create_engine("sqlite://", poolclass=StaticPool)
    followed(app, engine, stream, pieces)
    first, last = span(stream)
    moments = [first + (last - first) * f for f in fractions]
    assert_answers_as_the_replay(app, engine, [m.replace(microsecond=0) for m in moments] + [last, last - timedelta(seconds=1)])


def test_an_erasure_rewrites_every_version_of_the_buyers_orders(world):
    """No version of the past keeps a masked copy of an erased buyer's name (SPEC §7)."""
    world.send(*delivered("E1"), step("return.requested", "E1", "buyer", "10-03 10:00", reason="damaged",
                                      responsibility="buyer"))
    buyer = world.app.order_events("E1")[0].buyer["id"]
    world.app.forget_buyer(buyer, by="marketplace", at=datetime.fromisoformat(t("10-05 10:00")))
    world.follower.catch_up()
    with world.conn() as conn:
        versions = conn.execute(select(dash_orders_history.c.buyer_name)).scalars().all()
        names = {*conn.execute(select(dash_orders.c.buyer_name)).scalars(), *versions}
        before_the_erasure = dash.lookup(conn, "S1", datetime.fromisoformat(t("10-04 10:00")), order_no="E1")
    assert versions and names == {ERASED}
    assert [r["buyer_name"] for r in before_the_erasure] == [ERASED]
