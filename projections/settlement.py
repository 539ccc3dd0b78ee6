"""Settlement eligibility (SPEC §6.2): per seller, each order pending / blocked / eligible / due / closed."""

from collections import Counter
from datetime import datetime
from functools import singledispatchmethod
from typing import Any

from sqlalchemy import Column, Date, Integer, String, Table, select
from sqlalchemy.engine import Connection

from domain.calendar import tokyo_date
from domain.claims import CLOSED
from domain.order import Order
from domain.policy import DEFAULT_POLICY, Policy
from domain.seller import DEFAULT_LEVEL, Seller
from domain.settlement import Money, settlement_state
from projections.base import Projection, UTCDateTime, insert_row, metadata, row_by, update_by
from projections.claim_changes import CLAIM_EVENTS, Opened, claim_changes

settle_orders = Table(
    "settle_orders",
    metadata,
    Column("order_id", String(36), primary_key=True),
    Column("order_no", String(40), nullable=False, unique=True),
    Column("seller_id", String(40), nullable=False, index=True),
    Column("paid", Integer, nullable=False),
    Column("refunded", Integer, nullable=False, default=0),
    Column("charges_paid", Integer, nullable=False, default=0),
    Column("delivered_at", UTCDateTime),
    Column("delivered_on", Date),
    Column("cancelled", Integer, nullable=False, default=0),
    Column("claim", String(40)),  # the open claim as TYPE.STATUS, or NULL
    Column("partial_refund_pending", Integer, nullable=False, default=0),
    Column("return_charge_pending", Integer, nullable=False, default=0),
)

settle_sellers = Table(
    "settle_sellers",
    metadata,
    Column("seller_id", String(40), primary_key=True),
    Column("seller_uuid", String(36), nullable=False, unique=True),
    Column("level", String(20), nullable=False),
)

REFUND_OWED = (
    Order.CancelRequested, Order.CancelApproved, Order.CancelledBySeller, Order.ReturnCollected, Order.RefundedInFull,
)


class Settlement(Projection):
    name = "settlement"
    tables = (settle_orders, settle_sellers)
    prefetch_by = (settle_orders.c.order_id, settle_sellers.c.seller_uuid)

    @singledispatchmethod
    def apply(self, event: Any, conn: Connection) -> None:
        """Other events do not move money."""

    @apply.register
    def _(self, e: Order.Placed, conn: Connection) -> None:
        insert_row(
            conn, settle_orders,
            order_id=str(e.originator_id), order_no=e.order_no, seller_id=e.seller_id,
            paid=e.quantity * e.unit_price + e.shipping_fee, refunded=0, charges_paid=0, cancelled=0,
            partial_refund_pending=0, return_charge_pending=0,
        )

    @apply.register
    def _(self, e: Order.Delivered, conn: Connection) -> None:
        _update(conn, e, delivered_at=e.at, delivered_on=tokyo_date(e.at))

    def _claim_event(self, e: Any, conn: Connection) -> None:
        if isinstance(e, REFUND_OWED) and e.refund:
            _update(conn, e, add={"refunded": e.refund})
        changes = claim_changes(e)
        claim = None
        for change in changes:
            claim_type = change.type if isinstance(change, Opened) else _open_claim_type(conn, e)
            claim = None if change.status in CLOSED else f"{claim_type}.{change.status}"
        if changes:
            _update(conn, e, claim=claim)
        if isinstance(e, Order.RefundPaid) and e.completes == "cancel":
            _update(conn, e, cancelled=1)

    for _claim_event_class in CLAIM_EVENTS:
        apply.register(_claim_event_class)(_claim_event)
    del _claim_event_class

    @apply.register
    def _(self, e: Order.PartialRefundRequested, conn: Connection) -> None:
        _update(conn, e, partial_refund_pending=1)

    @apply.register
    def _(self, e: Order.PartialRefundDecided, conn: Connection) -> None:
        _update(conn, e, add={"refunded": e.amount} if e.status == "approved" else None, partial_refund_pending=0)

    @apply.register
    def _(self, e: Order.ReturnChargeRequested, conn: Connection) -> None:
        _update(conn, e, return_charge_pending=1)

    @apply.register
    def _(self, e: Order.ReturnChargeSettled, conn: Connection) -> None:
        _update(conn, e, add={"charges_paid": e.amount} if e.status == "paid" else None, return_charge_pending=0)

    @apply.register
    def _(self, e: Seller.Registered, conn: Connection) -> None:
        insert_row(conn, settle_sellers, seller_id=e.seller_id, seller_uuid=str(e.originator_id), level=e.level)

    @apply.register
    def _(self, e: Seller.LevelChanged, conn: Connection) -> None:
        update_by(conn, settle_sellers.c.seller_uuid, str(e.originator_id), level=e.level)


def _update(conn: Connection, e: Any, add: dict[str, int] | None = None, **values: Any) -> None:
    update_by(conn, settle_orders.c.order_id, str(e.originator_id), add, **values)


def _open_claim_type(conn: Connection, e: Any) -> str:
    claim = row_by(conn, settle_orders.c.order_id, str(e.originator_id)).claim
    return claim.split(".")[0] if claim else ""


# ---- queries -------------------------------------------------------------------------------

STATES = ("pending", "blocked", "eligible", "due", "closed")


def seller_level(conn: Connection, seller_id: str) -> str:
    level = conn.execute(select(settle_sellers.c.level).where(settle_sellers.c.seller_id == seller_id)).scalar()
    return level or DEFAULT_LEVEL


def settlement(conn: Connection, seller_id: str, as_of: datetime, policy: Policy = DEFAULT_POLICY) -> dict:
    """Every order of the seller with its state, due date, amount and what blocks it."""
    level = seller_level(conn, seller_id)
    today = tokyo_date(as_of)
    orders = []
    for r in conn.execute(select(settle_orders).where(settle_orders.c.seller_id == seller_id).order_by(settle_orders.c.order_no)):
        blocked_by = [b for b in (
            r.claim,
            "partial_refund" if r.partial_refund_pending else None,
            "return_charge" if r.return_charge_pending else None,
        ) if b]
        money = Money(
            paid=r.paid, refunded=r.refunded, charges_paid=r.charges_paid, cancelled=bool(r.cancelled),
            delivered_on=r.delivered_on, blocked_by=tuple(blocked_by),
        )
        state, due = settlement_state(money, level, today, policy)
        orders.append({
            "order_no": r.order_no,
            "state": state,
            "due_date": due.isoformat() if due else None,
            "amount": money.amount,
            "blocked_by": blocked_by,
        })
    counts = Counter(o["state"] for o in orders)
    amounts = Counter()
    for o in orders:
        amounts[o["state"]] += o["amount"]
    return {
        "seller_id": seller_id,
        "as_of": as_of.isoformat(),
        "level": level,
        "summary": {s: {"orders": counts[s], "amount": amounts[s]} for s in STATES},
        "orders": orders,
    }
