"""The monthly service-point ledger (SPEC §6.3): one entry per scoring fact, booked in its Tokyo month,
and the Q-cash exchanges recorded on the Seller aggregate. Queries: projections/points_queries.py."""

from typing import Any

from domain.calendar import tokyo_date, tokyo_month
from domain.money import amount_paid
from domain.order import Order
from domain.points import CLAIM_SCORED_AT, delivery_points
from domain.policy import DEFAULT_POLICY, Policy
from domain.seller import Seller
from projections.base import Projection, handles
from projections.points_tables import TABLES, points_entries, points_exchanges, points_orders, points_sellers
from projections.rows import Row, Rows


def tenths(points: float) -> int:
    return round(points * 10)


class Points(Projection):
    name = "points"
    tables = TABLES
    prefetch_by = (points_orders.c.order_id, points_sellers.c.seller_uuid)

    def __init__(self, policy: Policy = DEFAULT_POLICY):
        self.policy = policy

    @handles(Order.Placed)
    def placed(self, e: Order.Placed, rows: Rows) -> None:
        rows.insert(
            points_orders,
            order_id=str(e.originator_id), order_no=e.order_no, seller_id=e.seller_id, item_no=e.item["item_no"],
            item_name=e.item["name"], item_kind=e.item_kind, region=e.region,
            paid=amount_paid(e.quantity, e.unit_price, e.shipping_fee), placed_at=e.at, shipped_at=None,
        )

    @handles(Order.Shipped)
    def shipped(self, e: Order.Shipped, rows: Rows) -> None:
        rows.update_by(points_orders.c.order_id, str(e.originator_id), shipped_at=e.at)

    @handles(Order.Delivered)
    def delivered(self, e: Order.Delivered, rows: Rows) -> None:
        order = _order(rows, e)
        scored = delivery_points(order.placed_at, order.shipped_at, e.at, e.by, order.item_kind, self.policy)
        _book(rows, order, e, "delivery", scored.total, amount=order.paid, detail=f"{scored.start_band}/{scored.speed_band}")

    @handles(Order.ClaimEvent)
    def claim_moved(self, e: Order.ClaimEvent, rows: Rows) -> None:
        """A claim scores when it reaches the status its type is scored at (a cancel completed, …)."""
        if e.status is not None and CLAIM_SCORED_AT.get(e.claim_type) == e.status:
            _book(rows, _order(rows, e), e, e.claim_type, self.policy.claim_points[e.claim_type])

    @handles(Order.FeedbackGiven)
    def feedback_given(self, e: Any, rows: Rows) -> None:
        _book(rows, _order(rows, e), e, f"feedback_{e.rating}", self.policy.feedback_points[e.rating])

    @handles(Seller.Registered)
    def seller_registered(self, e: Seller.Registered, rows: Rows) -> None:
        rows.insert(points_sellers, seller_uuid=str(e.originator_id), seller_id=e.seller_id)

    @handles(Seller.PointsExchanged)
    def points_exchanged(self, e: Seller.PointsExchanged, rows: Rows) -> None:
        seller_id = rows.one(points_sellers.c.seller_uuid, str(e.originator_id)).seller_id
        rows.insert(points_exchanges, seller_id=seller_id, month=e.month, points_tenths=tenths(e.points),
                    qcash=e.qcash, at=e.at)


def _order(rows: Rows, e: Any) -> Row:
    return rows.one(points_orders.c.order_id, str(e.originator_id))


def _book(rows: Rows, order: Row, e: Any, kind: str, points: float, amount: int = 0, detail: str = "") -> None:
    rows.insert(
        points_entries,
        seller_id=order.seller_id, month=tokyo_month(e.at), order_no=order.order_no, item_no=order.item_no,
        item_name=order.item_name, region=order.region, kind=kind, detail=detail, tenths=tenths(points),
        amount=amount, at=e.at, booked_on=tokyo_date(e.at),
    )
