"""What a seller asks of the dashboard (SPEC §6.1): the counts of every claim type and status with
`delayed` at an as-of time, the list behind each count, lookup by order or cart, refusal breaches.
Every query takes the seller: a seller sees only its own orders; and the moment it reads the rows as of
(projections/temporal.py)."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from functools import cache

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.engine import Connection

from domain.calendar import tokyo_date, tokyo_iso
from domain.claims import STATUS_KEYS, Status
from domain.policy import DEFAULT_POLICY, Policy
from projections.dashboard_tables import dash_claims, dash_orders
from projections.schema import UTCDateTime
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

    @property
    def shape(self) -> tuple[bool, bool]:
        """Which bounds it has: the statements are made once per shape, the dates are parameters."""
        return bool(self.start), bool(self.end)

    @property
    def params(self) -> dict:
        return {"period_start": self.start, "period_end": self.end}


def in_period(column: Any, shape: tuple[bool, bool]) -> list:
    """The period's clauses on an order-date column, its dates the parameters period_start / period_end."""
    has_start, has_end = shape
    return [*([column >= bindparam("period_start")] if has_start else []),
            *([column <= bindparam("period_end")] if has_end else [])]


def at(seller_id: str | None, as_of: datetime, period: Period = Period(), policy: Policy = DEFAULT_POLICY) -> dict:
    """The parameters of a statement: the seller, the moment, the period, and the moments derived from it."""
    return {"seller_id": seller_id, "as_of": as_of, "delayed_before": as_of - policy.claim_delay,
            "today": tokyo_date(as_of), **period.params}


DELAYED_BEFORE = bindparam("delayed_before", type_=UTCDateTime)


def delayed_at(claims: Any) -> Any:
    """Open, and filed more than the delay threshold before the moment (SPEC §9): parameter delayed_before."""
    return and_(claims.c.is_open == 1, claims.c.filed_at <= DELAYED_BEFORE)


def breached_at(orders: Any) -> Any:
    """A refused cancel whose order was not shipped by the end of the refusal's Tokyo day, that day over
    on the parameter `today` (domain.rules.cancel.refusal_breached, on the rows)."""
    return and_(orders.c.refused_on.is_not(None), orders.c.refused_on < bindparam("today"),
                or_(orders.c.shipped_at.is_(None), orders.c.shipped_at >= orders.c.breach_from))


@cache
def _counts(shape: tuple[bool, bool]) -> tuple:
    claims = as_of_rows(dash_claims)
    by_key = (select(claims.c.type, claims.c.status_key, func.count())
              .where(*in_period(claims.c.order_date, shape)).group_by(claims.c.type, claims.c.status_key))
    delayed = (select(claims.c.type, func.count())
               .where(delayed_at(claims), *in_period(claims.c.order_date, shape)).group_by(claims.c.type))
    return by_key, delayed


def counts(conn: Connection, seller_id: str, as_of: datetime, period: Period = Period(), policy: Policy = DEFAULT_POLICY) -> dict:
    """Every status key of SPEC §3 per claim type, plus `delayed` judged at `as_of`."""
    result = {t: {k: 0 for k in keys} | {"delayed": 0} for t, keys in STATUS_KEYS.items()}
    by_key, delayed = _counts(period.shape)
    params = at(seller_id, as_of, period, policy)
    for claim_type, key, n in conn.execute(by_key, params):
        if key in result[claim_type]:
            result[claim_type][key] = n
    for claim_type, n in conn.execute(delayed, params):
        result[claim_type]["delayed"] = n
    return result


@cache
def _awaiting(shape: tuple[bool, bool]) -> Any:
    claims = as_of_rows(dash_claims)
    return (select(claims.c.type, func.count())
            .where(claims.c.status == Status.REFUNDING, *in_period(claims.c.order_date, shape)).group_by(claims.c.type))


def awaiting_refund(conn: Connection, seller_id: str, as_of: datetime, period: Period = Period()) -> dict:
    """Open exchange / non-receipt claims refunded in full, waiting for the payment (no key of their own)."""
    rows = conn.execute(_awaiting(period.shape), at(seller_id, as_of, period))
    return {"exchange": 0, "non_receipt": 0} | dict(rows.all())


@cache
def _list(kind: str, shape: tuple[bool, bool] = (False, False)) -> Any:
    """The list's statement: `kind` is "status" (parameters claim_type, key), "delayed" (claim_type),
    "order" (order_no) or "cart" (cart_no)."""
    claims, orders = as_of_rows(dash_claims), as_of_rows(dash_orders)
    query = (
        select(claims, orders.c.cart_no, orders.c.item_no, orders.c.item_name,
               orders.c.buyer_name, orders.c.quantity, orders.c.refund_to, orders.c.shipped_at)
        .join(orders, orders.c.order_no == claims.c.order_no)
        .order_by(claims.c.filed_at, claims.c.order_no)
    )
    if kind in ("status", "delayed"):
        query = query.where(claims.c.type == bindparam("claim_type"), *in_period(claims.c.order_date, shape))
    if kind == "status":
        query = query.where(claims.c.status_key == bindparam("key"))
    if kind == "delayed":
        query = query.where(delayed_at(claims))
    if kind == "order":
        query = query.where(claims.c.order_no == bindparam("order_no"))
    if kind == "cart":
        query = query.where(orders.c.cart_no == bindparam("cart_no"))
    return query


def claim_list(
    conn: Connection, seller_id: str, claim_type: str, key: str, as_of: datetime,
    period: Period = Period(), policy: Policy = DEFAULT_POLICY,
) -> list[dict]:
    """The orders behind one count (TYPE.STATUS, or TYPE.delayed), with the seeds' columns."""
    query = _list("delayed" if key == "delayed" else "status", period.shape)
    params = at(seller_id, as_of, period, policy) | {"claim_type": claim_type, "key": key}
    return [_row(r) for r in conn.execute(query, params)]


def lookup(conn: Connection, seller_id: str, as_of: datetime, order_no: str | None = None,
           cart_no: str | None = None) -> list[dict]:
    """Every claim of one order, or of every order in a cart — the seller's own only."""
    if order_no and cart_no:
        found = lookup(conn, seller_id, as_of, order_no=order_no)
        return [r for r in found if r["cart_no"] == cart_no]
    kind = "order" if order_no else "cart" if cart_no else "every"
    params = at(seller_id, as_of) | {"order_no": order_no, "cart_no": cart_no}
    return [_row(r) for r in conn.execute(_list(kind), params)]


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


@cache
def _breaches() -> Any:
    orders = as_of_rows(dash_orders)
    return (select(orders.c.order_no, orders.c.refused_on, orders.c.shipped_at)
            .where(breached_at(orders)).order_by(orders.c.order_no))


def refusal_breaches(conn: Connection, seller_id: str, as_of: datetime) -> list[dict]:
    """Refused cancels whose order was not shipped by the end of the refusal's Tokyo day."""
    return [
        {"order_no": r.order_no, "refused_on": r.refused_on.isoformat(), "shipped_at": tokyo_iso(r.shipped_at)}
        for r in conn.execute(_breaches(), at(seller_id, as_of))
    ]
