"""Settlement eligibility (SPEC §6.2): per order its money and what blocks it, per seller its level.
Queries: projections/settlement_queries.py."""

from typing import Any

from sqlalchemy import BigInteger, Column, Date, Index, Integer, String, Table

from domain.calendar import tokyo_date
from domain.claims import CLOSED
from domain.money import amount_paid
from domain.order import Order
from domain.rules.guards import Outcome
from domain.seller import Seller
from projections.base import Projection, handles
from projections.schema import UTCDateTime, metadata
from projections.temporal import history_of
from projections.rows import Rows

settle_orders = Table(
    "settle_orders",
    metadata,
    Column("order_id", String(36), primary_key=True),
    Column("order_no", String(64), nullable=False, unique=True),
    Column("seller_id", String(64), nullable=False),
    Column("item_no", String(64), nullable=False),
    Column("paid", BigInteger, nullable=False),
    Column("refunded", BigInteger, nullable=False, default=0),
    Column("charges_paid", BigInteger, nullable=False, default=0),
    Column("delivered_at", UTCDateTime),
    Column("delivered_on", Date),
    Column("cancelled", Integer, nullable=False, default=0),
    Column("claim", String(64)),  # the open claim as TYPE.STATUS, or NULL
    Column("partial_refund_pending", Integer, nullable=False, default=0),
    Column("return_charge_pending", Integer, nullable=False, default=0),
    Column("valid_from", UTCDateTime, nullable=False),  # projections/temporal.py
)
Index("settle_orders_by_seller", settle_orders.c.seller_id, settle_orders.c.order_no)
Index("settle_orders_delivered", settle_orders.c.seller_id, settle_orders.c.delivered_on,  # the trends: holds
      settle_orders.c.valid_from)  # what they read
Index("settle_orders_delivered_every", settle_orders.c.delivered_on, settle_orders.c.valid_from)  # holds what it reads
settle_orders_history = history_of(settle_orders)

# Every refund decided, a fact at its time (never changed: "as of T" is `at <= T`), with the claim it
# refunds (or `partial_refund`): the trends' refund yen per week or month and claim type.
PARTIAL_REFUND = "partial_refund"
settle_refunds = Table(
    "settle_refunds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_no", String(64), nullable=False),
    Column("seller_id", String(64), nullable=False),
    Column("item_no", String(64), nullable=False),
    Column("claim_type", String(20), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("refunded_on", Date, nullable=False),  # the Tokyo day of `at`
)
# each holds what the trends read (no row is read)
Index("settle_refunds_by_seller", settle_refunds.c.seller_id, settle_refunds.c.refunded_on, settle_refunds.c.claim_type,
      settle_refunds.c.at, settle_refunds.c.amount)
Index("settle_refunds_by_day", settle_refunds.c.refunded_on, settle_refunds.c.claim_type, settle_refunds.c.at,
      settle_refunds.c.amount)

settle_sellers = Table(
    "settle_sellers",
    metadata,
    Column("seller_id", String(64), primary_key=True),
    Column("seller_uuid", String(36), nullable=False, unique=True),
    Column("level", String(20), nullable=False),
    Column("valid_from", UTCDateTime, nullable=False),
)
settle_sellers_history = history_of(settle_sellers)

class Settlement(Projection):
    name = "settlement"
    tables = (settle_orders, settle_sellers, settle_orders_history, settle_sellers_history, settle_refunds)
    prefetch_by = (settle_orders.c.order_id, settle_sellers.c.seller_uuid)

    @handles(Order.Placed)
    def placed(self, e: Order.Placed, rows: Rows) -> None:
        rows.insert(
            settle_orders,
            order_id=str(e.originator_id), order_no=e.order_no, seller_id=e.seller_id, item_no=e.item["item_no"],
            paid=amount_paid(e.quantity, e.unit_price, e.shipping_fee), refunded=0, charges_paid=0, cancelled=0,
            partial_refund_pending=0, return_charge_pending=0,
        )

    @handles(Order.Delivered)
    def delivered(self, e: Order.Delivered, rows: Rows) -> None:
        _update(rows, e, delivered_at=e.at, delivered_on=tokyo_date(e.at))

    @handles(Order.ClaimEvent)
    def claim_moved(self, e: Order.ClaimEvent, rows: Rows) -> None:
        """The open claim as TYPE.STATUS, or none once it closed."""
        if e.status is None:  # a refund paid that completes no claim
            return
        if e.status in CLOSED:
            _update(rows, e, claim=None)
            return
        claim_type = e.claim_type or _open_claim_type(rows, e)  # release 0.1 did not always record it
        _update(rows, e, claim=f"{claim_type}.{e.status}")

    @handles(Order.RefundDecided)
    def refund_decided(self, e: Order.RefundDecided, rows: Rows) -> None:
        if e.refund:
            _refund(rows, e, e.claim_type or _open_claim_type(rows, e), e.refund)
            _update(rows, e, add={"refunded": e.refund})
        self.claim_moved(e, rows)

    @handles(Order.RefundPaid)
    def refund_paid(self, e: Order.RefundPaid, rows: Rows) -> None:
        self.claim_moved(e, rows)
        if e.outcome == Outcome.CANCELLED:
            _update(rows, e, cancelled=1)

    @handles(Order.PartialRefundRequested)
    def partial_refund_requested(self, e: Any, rows: Rows) -> None:
        _update(rows, e, partial_refund_pending=1)

    @handles(Order.PartialRefundApproved)
    def partial_refund_approved(self, e: Any, rows: Rows) -> None:
        _refund(rows, e, PARTIAL_REFUND, e.amount)
        _update(rows, e, add={"refunded": e.amount}, partial_refund_pending=0)

    @handles(Order.PartialRefundRejected, Order.PartialRefundCancelled)
    def partial_refund_dropped(self, e: Any, rows: Rows) -> None:
        _update(rows, e, partial_refund_pending=0)

    @handles(Order.ReturnChargeRequested)
    def return_charge_requested(self, e: Any, rows: Rows) -> None:
        _update(rows, e, return_charge_pending=1)

    @handles(Order.ReturnChargePaid)
    def return_charge_paid(self, e: Any, rows: Rows) -> None:
        _update(rows, e, add={"charges_paid": e.amount}, return_charge_pending=0)

    @handles(Order.ReturnChargeDeclined, Order.ReturnChargeCancelled)
    def return_charge_dropped(self, e: Any, rows: Rows) -> None:
        _update(rows, e, return_charge_pending=0)

    @handles(Seller.Registered)
    def seller_registered(self, e: Seller.Registered, rows: Rows) -> None:
        rows.insert(settle_sellers, seller_id=e.seller_id, seller_uuid=str(e.originator_id), level=e.level)

    @handles(Seller.LevelChanged)
    def level_changed(self, e: Seller.LevelChanged, rows: Rows) -> None:
        rows.update_by(settle_sellers.c.seller_uuid, str(e.originator_id), level=e.level)


def _update(rows: Rows, e: Any, add: dict[str, int] | None = None, **values: Any) -> None:
    rows.update_by(settle_orders.c.order_id, str(e.originator_id), add, **values)


def _refund(rows: Rows, e: Any, claim_type: str, amount: int) -> None:
    order = rows.one(settle_orders.c.order_id, str(e.originator_id))
    rows.insert(settle_refunds, order_no=order.order_no, seller_id=order.seller_id, item_no=order.item_no,
                claim_type=claim_type, amount=amount, at=e.at, refunded_on=tokyo_date(e.at))


def _open_claim_type(rows: Rows, e: Any) -> str:
    claim = rows.one(settle_orders.c.order_id, str(e.originator_id)).claim
    return claim.split(".")[0] if claim else ""
