"""The status-count dashboard (SPEC §6.1): its tables and how each event changes them — one row per
order and one per claim, with the status its events carry. Queries: projections/dashboard_queries.py."""

from datetime import datetime
from typing import Any

from domain.calendar import next_day_start, tokyo_date
from domain.claims import CLOSED, Status, dashboard_key
from domain.money import refund_destination
from domain.order import Order
from domain.buyer import Buyer
from domain.privacy import ERASED, mask_name
from projections.base import Projection, handles
from projections.order_claims import add_claim, current_claim, prefetch_orders_and_claims
from projections.dashboard_tables import TABLES, dash_claims, dash_orders
from projections.rows import Row, Rows


class Dashboard(Projection):
    name = "dashboard"
    tables = TABLES
    reads_personal_data = True  # the buyer's masked name

    def prefetch(self, rows: Rows, events: list[Any]) -> None:
        prefetch_orders_and_claims(rows, dash_orders, dash_claims, events)

    @handles(Order.Placed)
    def placed(self, e: Order.Placed, rows: Rows) -> None:
        rows.insert(
            dash_orders,
            order_no=e.order_no,
            order_id=str(e.originator_id),
            seller_id=e.seller_id,
            cart_no=e.cart_no,
            placed_at=e.at,
            order_date=tokyo_date(e.at),
            item_no=e.item["item_no"],
            item_name=e.item["name"],
            buyer_id=e.buyer["id"],
            buyer_name=mask_name(e.buyer["name"]),
            quantity=e.quantity,
            refund_to=refund_destination(e.payment_method),
            claims=0,
        )

    @handles(Buyer.Erased, Buyer.ErasedAgain)
    def buyer_erased(self, e: Buyer.Erased, rows: Rows) -> None:
        """Not even a masked copy of an erased buyer's name stays (SPEC §7)."""
        rows.update_every(dash_orders.c.buyer_id, e.buyer_id, buyer_name=ERASED)

    @handles(Order.Shipped)
    def shipped(self, e: Order.Shipped, rows: Rows) -> None:
        rows.update_by(dash_orders.c.order_id, str(e.originator_id), shipped_at=e.at)

    @handles(Order.ClaimEvent)
    def claim_moved(self, e: Order.ClaimEvent, rows: Rows) -> None:
        if e.status is None:  # a refund paid that completes no claim
            return
        order = _order(rows, e)
        if e.opens_claim:
            _open_claim(rows, order, e)
        else:
            _move_claim(rows, order, e.status, e.at)

    @handles(Order.CancelRefused)
    def cancel_refused(self, e: Order.CancelRefused, rows: Rows) -> None:
        order = _order(rows, e)
        if order.shipped_at is None:  # now the seller must ship by the end of this Tokyo day
            refused_on = tokyo_date(e.at)
            rows.update_by(dash_orders.c.order_no, order.order_no, refused_on=refused_on, breach_from=next_day_start(refused_on))
        _move_claim(rows, order, e.status, e.at)

    @handles(Order.ExchangeConvertedToReturn)
    def exchange_converted(self, e: Order.ExchangeConvertedToReturn, rows: Rows) -> None:
        order = _order(rows, e)
        _move_claim(rows, order, e.exchange_status, e.at)
        _open_claim(rows, order, e)


def _order(rows: Rows, e: Any) -> Row:
    return rows.one(dash_orders.c.order_id, str(e.originator_id))


def _open_claim(rows: Rows, order: Row, e: Order.ClaimEvent) -> None:
    """A new claim; one that completes as it is filed (a cancel that refunds 0 yen) is closed at once."""
    closed = e.status in CLOSED
    add_claim(
        rows, dash_orders, dash_claims, order,
        seller_id=order.seller_id, order_date=order.order_date,
        type=e.claim_type, status=e.status, status_key=dashboard_key(e.claim_type, e.status),
        is_open=0 if closed else 1, reason=e.reason, filed_at=e.at, filed_on=tokyo_date(e.at), item_no=order.item_no,
        closed_at=e.at if closed else None, open_seconds=0 if closed else None,
    )


def _move_claim(rows: Rows, order: Row, status: Status, at: datetime) -> None:
    """The order's current claim reaches `status` (its type is the claim's own, from its row)."""
    claim = current_claim(order)
    row = rows.get(dash_claims, **claim)
    closed = status in CLOSED
    rows.update(
        dash_claims, claim,
        status=status,
        status_key=dashboard_key(row.type, status),
        is_open=0 if closed else 1,
        closed_at=at if closed else None,
        open_seconds=int((at - row.filed_at).total_seconds()) if closed else None,
    )
