"""The monthly service-point ledger (SPEC §6.3): one entry per scoring fact, booked in its Tokyo month,
and the Q-cash exchanges recorded on the Seller aggregate."""

from collections import defaultdict
from functools import singledispatchmethod
from typing import Any

from sqlalchemy import Column, Index, Integer, String, Table, func, select
from sqlalchemy.engine import Connection

from domain.calendar import tokyo_month
from domain.order import Order
from domain.points import delivery_points, exchangeable
from domain.policy import DEFAULT_POLICY, Policy
from domain.seller import Seller
from projections.base import Projection, UTCDateTime, insert_row, metadata, row_by, update_by

points_orders = Table(
    "points_orders",
    metadata,
    Column("order_id", String(36), primary_key=True),
    Column("order_no", String(40), nullable=False),
    Column("seller_id", String(40), nullable=False),
    Column("item_no", String(40), nullable=False),
    Column("item_name", String(200), nullable=False),
    Column("item_kind", String(20), nullable=False),
    Column("region", String(20), nullable=False),
    Column("paid", Integer, nullable=False),
    Column("placed_at", UTCDateTime, nullable=False),
    Column("shipped_at", UTCDateTime),
)

points_entries = Table(
    "points_entries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("seller_id", String(40), nullable=False),
    Column("month", String(7), nullable=False),
    Column("order_no", String(40), nullable=False),
    Column("item_no", String(40), nullable=False),
    Column("item_name", String(200), nullable=False),
    Column("region", String(20), nullable=False),
    Column("kind", String(20), nullable=False),  # delivery | cancel | return | non_receipt | feedback_<rating>
    Column("detail", String(40), nullable=False, default=""),  # the speed bands of a delivery
    Column("tenths", Integer, nullable=False),  # points × 10: exact decimal sums
    Column("amount", Integer, nullable=False, default=0),
    Column("at", UTCDateTime, nullable=False),
)

points_sellers = Table(
    "points_sellers",
    metadata,
    Column("seller_uuid", String(36), primary_key=True),
    Column("seller_id", String(40), nullable=False),
)

points_exchanges = Table(
    "points_exchanges",
    metadata,
    Column("seller_id", String(40), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("points_tenths", Integer, nullable=False),
    Column("qcash", Integer, nullable=False),
    Column("at", UTCDateTime, nullable=False),
)

Index("points_entries_by_seller_month", points_entries.c.seller_id, points_entries.c.month)
CLAIM_KINDS = ("cancel", "return", "non_receipt")
RATINGS = ("great", "good", "bad")


def tenths(points: float) -> int:
    return round(points * 10)


class Points(Projection):
    name = "points"
    tables = (points_orders, points_entries, points_sellers, points_exchanges)
    prefetch_by = (points_orders.c.order_id, points_sellers.c.seller_uuid)

    def __init__(self, policy: Policy = DEFAULT_POLICY):
        self.policy = policy

    @singledispatchmethod
    def apply(self, event: Any, conn: Connection) -> None:
        """Other events score nothing."""

    @apply.register
    def _(self, e: Order.Placed, conn: Connection) -> None:
        insert_row(
            conn, points_orders,
            order_id=str(e.originator_id), order_no=e.order_no, seller_id=e.seller_id, item_no=e.item["item_no"],
            item_name=e.item["name"], item_kind=e.item_kind, region=e.region,
            paid=e.quantity * e.unit_price + e.shipping_fee, placed_at=e.at, shipped_at=None,
        )

    @apply.register
    def _(self, e: Order.Shipped, conn: Connection) -> None:
        update_by(conn, points_orders.c.order_id, str(e.originator_id), shipped_at=e.at)

    @apply.register
    def _(self, e: Order.Delivered, conn: Connection) -> None:
        order = _order(conn, e)
        scored = delivery_points(order.placed_at, order.shipped_at, e.at, e.by, order.item_kind, self.policy)
        _book(conn, order, e, "delivery", scored.total, amount=order.paid, detail=f"{scored.start_band}/{scored.speed_band}")

    @apply.register
    def _(self, e: Order.RefundPaid, conn: Connection) -> None:
        if e.completes in ("cancel", "return"):
            _book(conn, _order(conn, e), e, e.completes, self.policy.claim_points[e.completes])

    @apply.register
    def _(self, e: Order.NonReceiptReported, conn: Connection) -> None:
        _book(conn, _order(conn, e), e, "non_receipt", self.policy.claim_points["non_receipt"])

    @apply.register
    def _(self, e: Order.FeedbackGiven, conn: Connection) -> None:
        _book(conn, _order(conn, e), e, f"feedback_{e.rating}", self.policy.feedback_points[e.rating])

    @apply.register
    def _(self, e: Seller.Registered, conn: Connection) -> None:
        insert_row(conn, points_sellers, seller_uuid=str(e.originator_id), seller_id=e.seller_id)

    @apply.register
    def _(self, e: Seller.PointsExchanged, conn: Connection) -> None:
        seller_id = row_by(conn, points_sellers.c.seller_uuid, str(e.originator_id)).seller_id
        insert_row(conn, points_exchanges, seller_id=seller_id, month=e.month, points_tenths=tenths(e.points),
                   qcash=e.qcash, at=e.at)


def _order(conn: Connection, e: Any) -> Any:
    return row_by(conn, points_orders.c.order_id, str(e.originator_id))


def _book(conn: Connection, order: Any, e: Any, kind: str, points: float, amount: int = 0, detail: str = "") -> None:
    insert_row(
        conn, points_entries,
        seller_id=order.seller_id, month=tokyo_month(e.at), order_no=order.order_no, item_no=order.item_no,
        item_name=order.item_name, region=order.region, kind=kind, detail=detail, tenths=tenths(points),
        amount=amount, at=e.at,
    )


# ---- queries -------------------------------------------------------------------------------


def month_total(conn: Connection, seller_id: str, month: str) -> float:
    total = conn.execute(
        select(func.coalesce(func.sum(points_entries.c.tenths), 0)).where(
            points_entries.c.seller_id == seller_id, points_entries.c.month == month
        )
    ).scalar_one()
    return total / 10


def qcash_balance(conn: Connection, seller_id: str) -> int:
    return conn.execute(
        select(func.coalesce(func.sum(points_exchanges.c.qcash), 0)).where(points_exchanges.c.seller_id == seller_id)
    ).scalar_one()


def ledger(conn: Connection, seller_id: str, month: str, items: bool = False) -> dict:
    """The month's points: delivery (local and overseas apart), claims, feedback, total, the exchange."""
    entries = conn.execute(
        select(points_entries).where(points_entries.c.seller_id == seller_id, points_entries.c.month == month)
    ).all()
    delivery = {region: {"orders": 0, "points": 0} for region in ("local", "overseas")}
    claims = {kind: 0 for kind in CLAIM_KINDS}
    feedback = {rating: 0 for rating in RATINGS}
    per_item: dict[str, dict] = defaultdict(lambda: {"orders": 0, "amount": 0, "delivery": 0,
                                                     "claims": dict.fromkeys(CLAIM_KINDS, 0),
                                                     "feedback": dict.fromkeys(RATINGS, 0)})
    for e in entries:
        item = per_item[e.item_no]
        item["name"] = e.item_name
        if e.kind == "delivery":
            delivery[e.region]["orders"] += 1
            delivery[e.region]["points"] += e.tenths
            item["orders"] += 1
            item["amount"] += e.amount
            item["delivery"] += e.tenths
        elif e.kind in claims:
            claims[e.kind] += e.tenths
            item["claims"][e.kind] += e.tenths
        else:
            rating = e.kind.removeprefix("feedback_")
            feedback[rating] += e.tenths
            item["feedback"][rating] += e.tenths
    delivery_tenths = sum(d["points"] for d in delivery.values())
    total_tenths = delivery_tenths + sum(claims.values()) + sum(feedback.values())
    exchange = conn.execute(
        select(points_exchanges.c.qcash).where(points_exchanges.c.seller_id == seller_id, points_exchanges.c.month == month)
    ).scalar()
    document = {
        "seller_id": seller_id,
        "month": month,
        "delivery_points": delivery_tenths / 10,
        "claim_points": sum(claims.values()) / 10,
        "feedback_points": sum(feedback.values()) / 10,
        "total": total_tenths / 10,
        "exchangeable": exchangeable(total_tenths / 10),
        "exchanged": exchange,
        "delivery": {r: {"orders": d["orders"], "points": d["points"] / 10} for r, d in delivery.items()},
        "claims": {k: v / 10 for k, v in claims.items()},
        "feedback": {k: v / 10 for k, v in feedback.items()},
        "qcash_balance": qcash_balance(conn, seller_id),
    }
    if items:
        document["items"] = [
            {
                "item_no": item_no,
                "name": i["name"],
                "orders": i["orders"],
                "amount": i["amount"],
                "delivery_points": i["delivery"] / 10,
                "claim_points": {k: v / 10 for k, v in i["claims"].items()},
                "feedback_points": {k: v / 10 for k, v in i["feedback"].items()},
                "total": (i["delivery"] + sum(i["claims"].values()) + sum(i["feedback"].values())) / 10,
            }
            for item_no, i in sorted(per_item.items())
        ]
    return document
