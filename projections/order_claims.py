"""What the projections that keep one row per order and one per claim of it share (the dashboard,
the to-do list): the chunk's rows read at once, a new claim numbered after the order's last, and
the order's current claim."""

from typing import Any

from sqlalchemy import Table

from projections.rows import Row, Rows


def prefetch_orders_and_claims(rows: Rows, orders: Table, claims: Table, events: list[Any]) -> None:
    """The chunk's orders, then every claim of those orders."""
    found = rows.prefetch(orders.c.order_id, {str(e.originator_id) for e in events})
    rows.prefetch(claims.c.order_no, {order.order_no for order in found})


def add_claim(rows: Rows, orders: Table, claims: Table, order: Row, **values: Any) -> None:
    """The order's next claim, numbered after its last one, becomes its current claim."""
    seq = order.claims + 1
    rows.insert(claims, order_no=order.order_no, seq=seq, **values)
    rows.update_by(orders.c.order_no, order.order_no, claims=seq)


def current_claim(order: Row) -> dict:
    """The key of the order's current claim row."""
    return {"order_no": order.order_no, "seq": order.claims}
