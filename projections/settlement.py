"""Settlement eligibility (SPEC §6.2): per order its money and what blocks it, per seller its level.
Queries: projections/settlement_queries.py."""

from typing import Any

from domain.calendar import tokyo_date
from domain.claims import CLOSED
from domain.money import amount_paid
from domain.order import Order
from domain.rules.guards import Outcome
from domain.seller import Seller
from projections.base import Projection, handles
from projections.settlement_tables import PARTIAL_REFUND, TABLES, settle_orders, settle_refunds, settle_sellers
from projections.rows import Rows


class Settlement(Projection):
    name = "settlement"
    tables = TABLES
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
