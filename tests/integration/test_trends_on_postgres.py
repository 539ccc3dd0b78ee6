"""On PostgreSQL too, the trends' GROUP BYs (no date arithmetic in SQL: days folded in Python) give, as of
any moment, what a replay up to that moment gives on SQLite (tests/projections/test_trends.py)."""

import random

import orjson

from producers.simulator import simulate
from projections import trends_queries as tq
from tests.projections.as_of_oracle import replayed
from tests.projections.test_as_of import followed, span


def test_the_trends_on_postgresql_equal_a_replay_up_to_each_moment(stack):
    stream = [orjson.dumps(m) for m in simulate(orders=80, seed=33)]
    followed(stack.app, stack.engine, stream, pieces=2)
    first, last = span(stream)
    draw = random.Random(33)
    moments = [(first + (last - first) * draw.random()).replace(microsecond=0) for _ in range(2)]
    for moment in [*moments, last]:
        with replayed(stack.app, moment).connect() as oracle, stack.engine.connect() as conn:
            for period in tq.PERIODS:
                for where in (tq.Filter(), tq.Filter(seller_id="S001"), tq.Filter(start=first.date())):
                    expected = tq.trends(oracle, oracle, oracle, moment, period, where)
                    assert tq.trends(conn, conn, conn, moment, period, where) == expected, (moment, period, where)
            assert expected["total"]["all"]["filed"] > 0 or moment < last
