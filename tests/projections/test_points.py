"""The service-point ledger: speed bands, general vs reservation, local vs overseas, claims, feedback,
the Tokyo month boundary, the per-item breakdown, and the Q-cash exchange."""

from datetime import datetime

import pytest

from domain.errors import Rejected
from domain.points import exchangeable
from projections import points_queries as pts
from tests.projections.stories import deliver, delivered, order, paid, ship, step, t


def ledger(world, month="2026-10", items=False, seller="S1"):
    with world.conn() as conn:
        return pts.ledger(conn, seller, month, items=items)


@pytest.mark.parametrize(
    "shipped_at, delivered_at, points",
    [
        ("10-01 15:00", "10-02 12:00", 3.0),   # quick start +1 (0 days), best delivery +2 (1 day)
        ("10-02 15:00", "10-04 12:00", 2.0),   # quick +1 (1 day), good +1 (2 days)
        ("10-03 15:00", "10-06 12:00", 0.5),   # good start +0.5 (2 days), not bad 0 (3 days)
        ("10-04 15:00", "10-09 12:00", -0.9),  # normal +0.1 (3 days), slow −1 (5 days)
        ("10-05 15:00", "10-11 12:00", -2.0),  # later start 0 (4 days), very slow −2 (6 days)
    ],
)
def test_delivery_points_for_a_general_item_by_start_and_delivery_speed(world, shipped_at, delivered_at, points):
    world.send(*delivered("D", "10-01 10:00", shipped_at, delivered_at))
    assert ledger(world)["delivery_points"] == points


@pytest.mark.parametrize(
    "delivered_at, points",
    [("10-02 12:00", 1.0), ("10-03 12:00", 1.0), ("10-04 12:00", 1.0), ("10-06 12:00", -1.0), ("10-07 12:00", -2.0)],
)
def test_reservation_items_have_their_own_delivery_table(world, delivered_at, points):
    world.send(*delivered("R", "10-01 10:00", "10-01 15:00", delivered_at, item_kind="reservation"))
    assert ledger(world)["delivery_points"] == points  # quick start +1 with best 0 / good 0 / not bad 0 / slow −2 / very slow −3


def test_an_auto_completed_delivery_scores_minus_2(world):
    world.send(order("A"), ship("A", "10-01 15:00"), deliver("A", "10-20 00:00", by="auto"))
    assert ledger(world)["delivery_points"] == -1.0  # quick start +1, auto completed −2


def test_local_and_overseas_delivery_points_are_kept_apart(world):
    world.send(*delivered("L"), *delivered("O", region="overseas", shipped_at="10-02 15:00", at="10-04 12:00"))
    document = ledger(world)
    assert document["delivery"] == {"local": {"orders": 1, "points": 3.0}, "overseas": {"orders": 1, "points": 2.0}}


def test_points_are_booked_in_the_tokyo_month_of_delivery(world):
    world.send(*delivered("E", "10-30 10:00", "10-31 09:00", "10-31 23:30"),   # 14:30 UTC on 10-31: October
               *delivered("F", "10-30 10:00", "10-31 09:00", "11-01 00:30"))   # 15:30 UTC on 10-31: November in Tokyo
    assert ledger(world, "2026-10")["delivery"]["local"]["orders"] == 1
    assert ledger(world, "2026-11")["delivery"]["local"]["orders"] == 1


def test_claim_points_minus_3_per_completed_cancel_or_return_and_minus_2_per_non_receipt(world):
    world.send(
        order("C"), step("cancel.requested", "C", "buyer", "10-01 11:00", reason="x"), paid("C", "10-02 10:00"),
        *delivered("R"), step("return.requested", "R", "buyer", "10-03 10:00", reason="x", responsibility="seller"),
        step("return.approved", "R", "seller", "10-03 11:00"), step("return.collected", "R", "seller", "10-04 11:00"),
        paid("R", "10-05 10:00"),
        *delivered("N"), step("non_receipt.reported", "N", "buyer", "10-03 10:00", note=""),
        *delivered("W"), step("return.requested", "W", "buyer", "10-03 10:00", reason="x", responsibility="buyer"),
        step("claim.withdrawn", "W", "buyer", "10-03 12:00", note=""),  # withdrawn: no points
    )
    assert ledger(world)["claims"] == {"cancel": -3.0, "return": -3.0, "non_receipt": -2.0}
    assert ledger(world)["claim_points"] == -8.0


def test_feedback_points_great_plus_1_good_0_bad_minus_1(world):
    world.send(*delivered("G1"), step("feedback.given", "G1", "buyer", "10-03 10:00", rating="great"),
               *delivered("G2"), step("feedback.given", "G2", "buyer", "10-03 10:00", rating="good"),
               *delivered("G3"), step("feedback.given", "G3", "buyer", "10-03 10:00", rating="bad"))
    document = ledger(world)
    assert document["feedback"] == {"great": 1.0, "good": 0.0, "bad": -1.0} and document["feedback_points"] == 0.0
    assert document["total"] == 9.0


def test_the_per_item_breakdown_has_orders_amount_and_points_by_kind(world):
    world.send(*delivered("I1"), *delivered("I2", item={"item_no": "I9", "name": "マスク", "option": ""}),
               step("feedback.given", "I2", "buyer", "10-03 10:00", rating="great"),
               step("non_receipt.reported", "I2", "buyer", "10-03 11:00", note=""))
    items = {i["item_no"]: i for i in ledger(world, items=True)["items"]}
    assert items["I9"] == {
        "item_no": "I9", "name": "マスク", "orders": 1, "amount": 2500, "delivery_points": 3.0,
        "claim_points": {"cancel": 0.0, "return": 0.0, "non_receipt": -2.0},
        "feedback_points": {"great": 1.0, "good": 0.0, "bad": 0.0}, "total": 2.0,
    }
    assert items["I1"]["total"] == 3.0


def test_exchangeable_points_are_whole_hundreds_and_nothing_carries_over():
    assert exchangeable(12352) == 12300
    assert exchangeable(99.9) == 0
    assert exchangeable(-5) == 0


def busy_month(world, orders: int = 40) -> None:
    stories = []
    for n in range(orders):  # 3 points each: 120 points in October
        stories += delivered(f"B{n}")
    world.send(*stories)


def exchange(world, when: str, month: str | None = None):
    at = datetime.fromisoformat(t(when))
    from domain.seller import previous_month

    month = month or previous_month(at)
    with world.conn() as conn:
        total = pts.month_total(conn, "S1", month)
    qcash = world.app.exchange_points(seller_id="S1", at=at, month=month, total=total)
    world.follower.catch_up()
    return qcash


def test_last_months_points_are_exchanged_once_in_100_point_units(world):
    busy_month(world)
    assert exchange(world, "11-05 10:00") == 100
    document = ledger(world)
    assert (document["total"], document["exchangeable"], document["exchanged"], document["qcash_balance"]) == (120.0, 100, 100, 100)
    with pytest.raises(Rejected) as twice:
        exchange(world, "11-20 10:00")
    assert twice.value.code == "already_exchanged"


def test_only_the_previous_month_can_be_exchanged(world):
    busy_month(world)
    with pytest.raises(Rejected) as late:
        exchange(world, "12-01 10:00", month="2026-10")
    assert late.value.code == "exchange_window_closed"
    with pytest.raises(Rejected) as early:
        exchange(world, "10-25 10:00", month="2026-10")
    assert early.value.code == "exchange_window_closed"


def test_fewer_than_100_points_exchange_nothing(world):
    busy_month(world, orders=30)  # 90 points
    with pytest.raises(Rejected) as small:
        exchange(world, "11-02 10:00")
    assert small.value.code == "nothing_to_exchange"


def test_the_exchange_is_an_event_of_the_seller_aggregate(world):
    busy_month(world)
    exchange(world, "11-05 10:00")
    seller = world.app.get_seller("S1")
    assert seller.exchanges == {"2026-10": 100} and seller.qcash_balance == 100
