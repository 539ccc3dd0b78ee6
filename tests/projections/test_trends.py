"""The trends (projections/trends_queries.py): a claim open past the delay threshold counts as delayed in
the week it was filed, whenever it closed; a week starts on Monday and a month on the 1st (Tokyo); and,
for random streams and moments, the trends as of a moment equal the trends of a replay up to it."""

from datetime import datetime, timedelta

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, select, text
from sqlalchemy.pool import StaticPool

from producers.simulator import simulate
from projections.base import _CHECKED
from projections.dashboard import dash_claims
from projections.runner import LogFollower, all_projections
from projections.settlement_tables import settle_refunds
from projections import trends_queries as tq
from tests.projections.as_of_oracle import replayed
from tests.projections.stories import delivered, paid, step, t
from tests.projections.test_as_of import followed, span
from domain.application import Orders


def at(when: str) -> datetime:
    return datetime.fromisoformat(t(when))


def trends(world, when: str, period: str = "week", **where) -> dict:
    with world.conn() as conn:
        return tq.trends(conn, conn, conn, at(when), period, tq.Filter(**where))


def returned(no: str, filed: str, completed: str | None = None) -> list[dict]:
    """A return filed; `completed`: collected, and its refund paid an hour later (the claim closes then)."""
    messages = [*delivered(no), step("return.requested", no, "buyer", filed, reason="damaged", responsibility="seller")]
    if completed:
        messages += [step("return.approved", no, "seller", filed.replace("10:00", "11:00")),
                     step("return.collected", no, "seller", completed.replace("10:00", "09:00")), paid(no, completed)]
    return messages


def test_a_claim_is_delayed_in_its_week_when_it_stayed_open_past_the_threshold_at_any_time(world):
    world.send(*returned("A", "10-05 10:00", completed="10-08 10:00"),  # 3 days: not delayed
               *returned("B", "10-05 10:00", completed="10-10 10:00"),  # 5 days: delayed, though closed now
               *returned("C", "10-06 10:00"),  # open: delayed once 4 days are over
               *returned("D", "10-12 10:00"))  # the next week
    week = trends(world, "10-20 10:00")["buckets"]
    first = next(b for b in week if b["start"] == "2026-10-05")["claims"]["return"]
    assert (first["filed"], first["delayed"], first["delayed_share"]) == (3, 2, round(2 / 3, 4))
    assert next(b for b in week if b["start"] == "2026-10-12")["claims"]["return"]["delayed"] == 1
    before = trends(world, "10-09 10:00")  # B open 4 days (delayed), C 3 days
    assert next(b for b in before["buckets"] if b["start"] == "2026-10-05")["claims"]["return"]["delayed"] == 1
    assert trends(world, "10-09 09:59")["total"]["claims"]["return"]["delayed"] == 0


def test_weeks_start_on_monday_months_on_the_first_and_rates_divide_by_orders_delivered(world):
    world.send(*delivered("A", at="10-04 23:30"), *delivered("B", at="10-05 00:30"),  # Sunday, then Monday (Tokyo)
               step("return.requested", "B", "buyer", "10-05 01:00", reason="damaged", responsibility="seller"))
    weeks = trends(world, "10-06 10:00")["buckets"]
    assert [(b["start"], b["end"], b["orders_delivered"]) for b in weeks] == [
        ("2026-09-28", "2026-10-04", 1), ("2026-10-05", "2026-10-06", 1)]
    assert weeks[1]["claims"]["return"]["per_100_delivered"] == 100.0 and weeks[0]["all"]["per_100_delivered"] == 0.0
    assert weeks[1]["complete"] is False
    [month] = trends(world, "10-06 10:00", "month")["buckets"]
    assert (month["start"], month["end"], month["orders_delivered"], month["all"]["filed"]) == \
        ("2026-10-01", "2026-10-06", 2, 1)


def test_refunds_are_counted_per_claim_type_on_the_day_they_were_decided(world):
    world.send(*returned("A", "10-05 10:00", completed="10-08 10:00"),
               *delivered("B", seller="S2"))
    document = trends(world, "10-20 10:00")
    refunded = {b["start"]: b["claims"]["return"]["refund_yen"] for b in document["buckets"]}
    assert refunded["2026-10-05"] > 0 and sum(refunded.values()) == refunded["2026-10-05"]
    assert trends(world, "10-20 10:00", seller_id="S2")["total"]["all"]["refund_yen"] == 0
    assert trends(world, "10-07 10:00")["total"]["all"]["refund_yen"] == 0  # not decided yet then


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(orders=st.integers(min_value=20, max_value=80), seed=st.integers(min_value=0, max_value=10_000),
       pieces=st.integers(min_value=1, max_value=3),
       fractions=st.lists(st.floats(min_value=-0.05, max_value=1.05), min_size=2, max_size=2),
       period=st.sampled_from(tq.PERIODS))
def test_the_trends_as_of_a_moment_equal_the_trends_of_a_replay_up_to_it(orders, seed, pieces, fractions, period):
    stream = [orjson.dumps(m) for m in simulate(orders=orders, seed=seed)]
    app = Orders(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    engine = create_engine("sqlite://", poolclass=StaticPool)
    followed(app, engine, stream, pieces)
    first, last = span(stream)
    for moment in [(first + (last - first) * f).replace(microsecond=0) for f in fractions] + [last - timedelta(seconds=1)]:
        with replayed(app, moment).connect() as oracle, engine.connect() as conn:
            for where in (tq.Filter(), tq.Filter(seller_id="S001")):
                expected = tq.trends(oracle, oracle, oracle, moment, period, where)
                assert tq.trends(conn, conn, conn, moment, period, where) == expected, (moment, where)


def test_a_store_made_before_the_trends_tables_is_built_again_with_them(world):
    """A release without `settle_refunds` (or the new columns): the projection is built again from the
    first event the first time it is followed, and holds what an incremental build held."""
    world.send(*returned("A", "10-05 10:00", completed="10-08 10:00"), *returned("B", "10-06 10:00"))
    with world.engine.begin() as conn:
        refunds = conn.execute(select(settle_refunds)).all()
        claims = conn.execute(select(dash_claims).order_by(dash_claims.c.order_no)).all()
        conn.execute(text("DROP TABLE settle_refunds"))
        conn.execute(text("DROP INDEX dash_claims_filed_every"))  # an earlier release had neither
        conn.execute(text("ALTER TABLE dash_claims DROP COLUMN open_seconds"))
    _CHECKED.pop(world.engine, None)  # a new process
    LogFollower(world.app, world.engine, all_projections()).catch_up()
    with world.conn() as conn:
        assert refunds and conn.execute(select(settle_refunds)).all() == refunds
        assert conn.execute(select(dash_claims).order_by(dash_claims.c.order_no)).all() == claims
