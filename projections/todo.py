"""The seller's to-do list (SPEC §6.4): one row per order (its promised ship date, whether it shipped,
whether a cancel was decided) and one per claim with the facts domain/todo.py reads. No buyer data.
Queries: projections/todo_queries.py."""

from datetime import datetime
from typing import Any

from domain.claims import CANCEL, CLOSED, Status
from domain.order import Order
from projections.base import Projection, handles
from projections.order_claims import add_claim, current_claim, prefetch_orders_and_claims
from projections.rows import Row, Rows
from projections.todo_tables import TABLES, todo_claims, todo_messages, todo_orders

# A cancel that reached these statuses has its refund decided: the order is cancelled, never shipped.
CANCEL_DECIDED = frozenset({Status.IN_PROGRESS, Status.COMPLETED})


class Todo(Projection):
    name = "todo"
    tables = TABLES

    def prefetch(self, rows: Rows, events: list[Any]) -> None:
        prefetch_orders_and_claims(rows, todo_orders, todo_claims, events)

    @handles(Order.Placed)
    def placed(self, e: Order.Placed, rows: Rows) -> None:
        rows.insert(
            todo_orders,
            order_no=e.order_no, order_id=str(e.originator_id), seller_id=e.seller_id, cart_no=e.cart_no,
            item_no=e.item["item_no"], promised_ship_date=e.promised_ship_date, shipped_at=None, cancelled=0, claims=0,
        )

    @handles(Order.Prepared)
    def prepared(self, e: Any, rows: Rows) -> None:
        if e.promised_ship_date is not None:  # the seller entered a new ship date
            _update_order(rows, e, promised_ship_date=e.promised_ship_date)

    @handles(Order.Shipped)
    def shipped(self, e: Order.Shipped, rows: Rows) -> None:
        _update_order(rows, e, shipped_at=e.at)

    @handles(Order.BuyerMessaged)
    def buyer_messaged(self, e: Any, rows: Rows) -> None:
        """A bulk message is not checked for time order (SPEC §9): each is kept with its time."""
        rows.insert(todo_messages, order_no=_order(rows, e).order_no, at=e.at)

    @handles(Order.ClaimEvent)
    def claim_moved(self, e: Order.ClaimEvent, rows: Rows) -> None:
        if e.status is None:  # a refund paid that completes no claim
            return
        order = _order(rows, e)
        if e.opens_claim:
            _open_claim(rows, order, e)
        else:
            _move_claim(rows, order, e.status, e.at)
        if e.claim_type == CANCEL and e.status in CANCEL_DECIDED:
            _update_order(rows, e, cancelled=1)

    @handles(Order.NonReceiptAnswered)
    def non_receipt_answered(self, e: Order.NonReceiptAnswered, rows: Rows) -> None:
        order = _order(rows, e)
        _move_claim(rows, order, e.status, e.at, wait_until=e.answer.get("until"))

    @handles(Order.ExchangeConvertedToReturn)
    def exchange_converted(self, e: Order.ExchangeConvertedToReturn, rows: Rows) -> None:
        order = _order(rows, e)
        _move_claim(rows, order, e.exchange_status, e.at)
        _open_claim(rows, order, e)


def _order(rows: Rows, e: Any) -> Row:
    return rows.one(todo_orders.c.order_id, str(e.originator_id))


def _update_order(rows: Rows, e: Any, **values: Any) -> None:
    rows.update_by(todo_orders.c.order_id, str(e.originator_id), **values)


def _open_claim(rows: Rows, order: Row, e: Order.ClaimEvent) -> None:
    add_claim(
        rows, todo_orders, todo_claims, order,
        seller_id=order.seller_id, type=e.claim_type, status=e.status,
        is_open=0 if e.status in CLOSED else 1, filed_at=e.at, since=e.at, wait_until=None,
    )


def _move_claim(rows: Rows, order: Row, status: Status, at: datetime, **values: Any) -> None:
    """The order's current claim reaches `status` at `at`."""
    rows.update(todo_claims, current_claim(order), status=status, is_open=0 if status in CLOSED else 1, since=at, **values)
