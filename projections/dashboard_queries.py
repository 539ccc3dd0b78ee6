"""What a seller asks of the dashboard (SPEC §6.1): the counts of every claim type and status with
`delayed` at an as-of time, the list behind each count, lookup by order or cart, refusal breaches.
Every query takes the seller: a seller sees only its own orders; and the moment it reads the rows as of
(projections/temporal.py)."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Connection

from domain.calendar import tokyo_date, tokyo_iso
from domain.claims import STATUS_KEYS, Status
from domain.policy import DEFAULT_POLICY, Policy
from projections.dashboard import dash_claims, dash_orders
from projections.temporal import as_of as as_of_rows

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
    claims = as_of_rows(dash_claims, as_of, seller_id)
    rows = conn.execute(
        select(claims.c.type, claims.c.status_key, func.count())
        .where(*period.where(claims.c.order_date))
        .group_by(claims.c.type, claims.c.status_key)
    )
    for claim_type, key, n in rows:
        if key in result[claim_type]:
            result[claim_type][key] = n
    delayed = conn.execute(
        select(claims.c.type, func.count())
        .where(delayed_at(claims, as_of, policy), *period.where(claims.c.order_date))
        .group_by(claims.c.type)
    )
    for claim_type, n in delayed:
        result[claim_type]["delayed"] = n
    return result


def delayed_at(claims: Any, as_of: datetime, policy: Policy = DEFAULT_POLICY) -> Any:
    """Open, and filed more than the delay threshold before `as_of` (SPEC §9)."""
    return and_(claims.c.is_open == 1, claims.c.filed_at <= as_of - policy.claim_delay)


def awaiting_refund(conn: Connection, seller_id: str, as_of: datetime, period: Period = Period()) -> dict:
    """Open exchange / non-receipt claims refunded in full, waiting for the payment (no key of their own)."""
    claims = as_of_rows(dash_claims, as_of, seller_id)
    rows = conn.execute(
        select(claims.c.type, func.count())
        .where(claims.c.status == Status.REFUNDING, *period.where(claims.c.order_date))
        .group_by(claims.c.type)
    )
    return {"exchange": 0, "non_receipt": 0} | dict(rows.all())


def _list_query(seller_id: str, as_of: datetime):
    claims, orders = as_of_rows(dash_claims, as_of, seller_id), as_of_rows(dash_orders, as_of, seller_id)
    query = (
        select(claims, orders.c.cart_no, orders.c.item_no, orders.c.item_name,
               orders.c.buyer_name, orders.c.quantity, orders.c.refund_to, orders.c.shipped_at)
        .join(orders, orders.c.order_no == claims.c.order_no)
        .order_by(claims.c.filed_at, claims.c.order_no)
    )
    return query, claims, orders


def claim_list(
    conn: Connection, seller_id: str, claim_type: str, key: str, as_of: datetime,
    period: Period = Period(), policy: Policy = DEFAULT_POLICY,
) -> list[dict]:
    """The orders behind one count (TYPE.STATUS, or TYPE.delayed), with the seeds' columns."""
    query, claims, _ = _list_query(seller_id, as_of)
    query = query.where(claims.c.type == claim_type, *period.where(claims.c.order_date))
    if key == "delayed":
        query = query.where(delayed_at(claims, as_of, policy))
    else:
        query = query.where(claims.c.status_key == key)
    return [_row(r) for r in conn.execute(query)]


def lookup(conn: Connection, seller_id: str, as_of: datetime, order_no: str | None = None,
           cart_no: str | None = None) -> list[dict]:
    """Every claim of one order, or of every order in a cart — the seller's own only."""
    query, claims, orders = _list_query(seller_id, as_of)
    if order_no:
        query = query.where(claims.c.order_no == order_no)
    if cart_no:
        query = query.where(orders.c.cart_no == cart_no)
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


def breached_at(orders: Any, as_of: datetime) -> Any:
    """A refused cancel whose order was not shipped by the end of the refusal's Tokyo day, that day
    over at `as_of` (domain.rules.cancel.refusal_breached, on the rows)."""
    return and_(orders.c.refused_on.is_not(None), orders.c.refused_on < tokyo_date(as_of),
                or_(orders.c.shipped_at.is_(None), orders.c.shipped_at >= orders.c.breach_from))


def refusal_breaches(conn: Connection, seller_id: str, as_of: datetime) -> list[dict]:
    """Refused cancels whose order was not shipped by the end of the refusal's Tokyo day."""
    orders = as_of_rows(dash_orders, as_of, seller_id)
    rows = conn.execute(
        select(orders.c.order_no, orders.c.refused_on, orders.c.shipped_at)
        .where(breached_at(orders, as_of)).order_by(orders.c.order_no)
    )
    return [
        {"order_no": r.order_no, "refused_on": r.refused_on.isoformat(), "shipped_at": tokyo_iso(r.shipped_at)}
        for r in rows
    ]
