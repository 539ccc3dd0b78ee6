"""What a seller asks of the dashboard (SPEC §6.1): the counts of every claim type and status with
`delayed` at an as-of time, the list behind each count, lookup by order or cart, refusal breaches.
Every query takes the seller: a seller sees only its own orders."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from domain.calendar import tokyo_iso
from domain.claims import STATUS_KEYS, Status
from domain.policy import DEFAULT_POLICY, Policy
from domain.rules.cancel import refusal_breached
from projections.dashboard import dash_claims, dash_orders

LIST_COLUMNS = (
    "status", "completed_at", "reason", "requested_at", "order_date", "shipped_at",
    "order_no", "cart_no", "item", "buyer_name", "quantity", "refund_to",
)


@dataclass(frozen=True)
class Period:
    """An order-date filter (Tokyo dates, inclusive)."""

    start: date | None = None
    end: date | None = None

    def where(self, column: Any) -> list:
        clauses = []
        if self.start:
            clauses.append(column >= self.start)
        if self.end:
            clauses.append(column <= self.end)
        return clauses


def counts(conn: Connection, seller_id: str, as_of: datetime, period: Period = Period(), policy: Policy = DEFAULT_POLICY) -> dict:
    """Every status key of SPEC §3 per claim type, plus `delayed` judged at `as_of`."""
    result = {t: {k: 0 for k in keys} | {"delayed": 0} for t, keys in STATUS_KEYS.items()}
    rows = conn.execute(
        select(dash_claims.c.type, dash_claims.c.status_key, func.count())
        .where(dash_claims.c.seller_id == seller_id, *period.where(dash_claims.c.order_date))
        .group_by(dash_claims.c.type, dash_claims.c.status_key)
    )
    for claim_type, key, n in rows:
        if key in result[claim_type]:
            result[claim_type][key] = n
    delayed = conn.execute(
        select(dash_claims.c.type, func.count())
        .where(
            dash_claims.c.seller_id == seller_id,
            dash_claims.c.is_open == 1,
            dash_claims.c.filed_at <= as_of - policy.claim_delay,
            *period.where(dash_claims.c.order_date),
        )
        .group_by(dash_claims.c.type)
    )
    for claim_type, n in delayed:
        result[claim_type]["delayed"] = n
    return result


def awaiting_refund(conn: Connection, seller_id: str, period: Period = Period()) -> dict:
    """Open exchange / non-receipt claims refunded in full, waiting for the payment (no key of their own)."""
    rows = conn.execute(
        select(dash_claims.c.type, func.count())
        .where(dash_claims.c.seller_id == seller_id, dash_claims.c.status == Status.REFUNDING, *period.where(dash_claims.c.order_date))
        .group_by(dash_claims.c.type)
    )
    return {"exchange": 0, "non_receipt": 0} | dict(rows.all())


def _list_query(seller_id: str):
    return (
        select(dash_claims, dash_orders.c.cart_no, dash_orders.c.item_no, dash_orders.c.item_name,
               dash_orders.c.buyer_name, dash_orders.c.quantity, dash_orders.c.refund_to, dash_orders.c.shipped_at)
        .join(dash_orders, dash_orders.c.order_no == dash_claims.c.order_no)
        .where(dash_claims.c.seller_id == seller_id)
        .order_by(dash_claims.c.filed_at, dash_claims.c.order_no)
    )


def claim_list(
    conn: Connection, seller_id: str, claim_type: str, key: str, as_of: datetime,
    period: Period = Period(), policy: Policy = DEFAULT_POLICY,
) -> list[dict]:
    """The orders behind one count (TYPE.STATUS, or TYPE.delayed), with the seeds' columns."""
    query = _list_query(seller_id).where(dash_claims.c.type == claim_type, *period.where(dash_claims.c.order_date))
    if key == "delayed":
        query = query.where(dash_claims.c.is_open == 1, dash_claims.c.filed_at <= as_of - policy.claim_delay)
    else:
        query = query.where(dash_claims.c.status_key == key)
    return [_row(r) for r in conn.execute(query)]


def lookup(conn: Connection, seller_id: str, order_no: str | None = None, cart_no: str | None = None) -> list[dict]:
    """Every claim of one order, or of every order in a cart — the seller's own only."""
    query = _list_query(seller_id)
    if order_no:
        query = query.where(dash_claims.c.order_no == order_no)
    if cart_no:
        query = query.where(dash_orders.c.cart_no == cart_no)
    return [_row(r) for r in conn.execute(query)]


def _row(r: Any) -> dict:
    return {
        "status": f"{r.type}.{r.status}",
        "completed_at": tokyo_iso(r.closed_at) if r.status == "completed" else None,
        "reason": r.reason,
        "requested_at": tokyo_iso(r.filed_at),
        "order_date": r.order_date.isoformat(),
        "shipped_at": tokyo_iso(r.shipped_at),
        "order_no": r.order_no,
        "cart_no": r.cart_no,
        "item": f"{r.item_no} {r.item_name}",
        "buyer_name": r.buyer_name,
        "quantity": r.quantity,
        "refund_to": r.refund_to,
    }


def refusal_breaches(conn: Connection, seller_id: str, as_of: datetime) -> list[dict]:
    """Refused cancels whose order was not shipped by the end of the refusal's Tokyo day."""
    rows = conn.execute(
        select(dash_orders.c.order_no, dash_orders.c.refused_on, dash_orders.c.shipped_at).where(
            dash_orders.c.seller_id == seller_id, dash_orders.c.refused_on.is_not(None)
        )
    )
    return [
        {"order_no": r.order_no, "refused_on": r.refused_on.isoformat(),
         "shipped_at": tokyo_iso(r.shipped_at)}
        for r in rows
        if refusal_breached(r.refused_on, r.shipped_at, as_of)
    ]
