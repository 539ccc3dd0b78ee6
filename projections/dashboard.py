"""The status-count dashboard (SPEC §6.1): counts per seller and claim type, the list behind each
count, lookup by order or cart, refusal breaches."""

from dataclasses import dataclass
from datetime import date, datetime
from functools import singledispatchmethod
from typing import Any

from sqlalchemy import Column, Date, Index, Integer, String, Table, and_, func, select
from sqlalchemy.engine import Connection

from domain.calendar import tokyo_date, tokyo_iso
from domain.claims import CLOSED, STATUS_KEYS, dashboard_key
from domain.order import Order
from domain.policy import DEFAULT_POLICY, Policy
from domain.privacy import mask_name
from projections.base import (
    Projection, UTCDateTime, insert_row, metadata, prefetch_rows, row_by, row_where, update_by, update_where,
)
from projections.claim_changes import CLAIM_EVENTS, Opened, claim_changes

dash_orders = Table(
    "dash_orders",
    metadata,
    Column("order_no", String(40), primary_key=True),
    Column("order_id", String(36), nullable=False, unique=True),
    Column("seller_id", String(40), nullable=False, index=True),
    Column("cart_no", String(40), nullable=False, index=True),
    Column("placed_at", UTCDateTime, nullable=False),
    Column("order_date", Date, nullable=False),
    Column("item_no", String(40), nullable=False),
    Column("item_name", String(200), nullable=False),
    Column("buyer_name", String(200), nullable=False),  # masked: the read model holds no personal data
    Column("quantity", Integer, nullable=False),
    Column("shipped_at", UTCDateTime),
    Column("refused_on", Date),
    Column("claims", Integer, nullable=False, default=0),
)

dash_claims = Table(
    "dash_claims",
    metadata,
    Column("order_no", String(40), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("seller_id", String(40), nullable=False),
    Column("order_date", Date, nullable=False),
    Column("type", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("status_key", String(20), nullable=False),
    Column("is_open", Integer, nullable=False),
    Column("reason", String(400), nullable=False),
    Column("filed_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime),
)
Index("dash_claims_by_seller", dash_claims.c.seller_id, dash_claims.c.type, dash_claims.c.status_key)

LIST_COLUMNS = (
    "status", "completed_at", "reason", "requested_at", "order_date", "shipped_at",
    "order_no", "cart_no", "item", "buyer_name", "quantity",
)


class Dashboard(Projection):
    name = "dashboard"
    tables = (dash_orders, dash_claims)
    prefetch_by = (dash_orders.c.order_id,)

    def prefetch(self, conn: Connection, events: list[Any]) -> None:
        """The chunk's orders, then every claim of those orders."""
        orders = prefetch_rows(conn, dash_orders.c.order_id, {str(e.originator_id) for e in events})
        prefetch_rows(conn, dash_claims.c.order_no, {order.order_no for order in orders})

    @singledispatchmethod
    def apply(self, event: Any, conn: Connection) -> None:
        """Other events do not change the dashboard."""

    @apply.register
    def _(self, e: Order.Placed, conn: Connection) -> None:
        insert_row(
            conn, dash_orders,
            order_no=e.order_no,
            order_id=str(e.originator_id),
            seller_id=e.seller_id,
            cart_no=e.cart_no,
            placed_at=e.at,
            order_date=tokyo_date(e.at),
            item_no=e.item["item_no"],
            item_name=e.item["name"],
            buyer_name=mask_name(e.buyer["name"]),
            quantity=e.quantity,
            claims=0,
        )

    @apply.register
    def _(self, e: Order.Shipped, conn: Connection) -> None:
        update_by(conn, dash_orders.c.order_id, str(e.originator_id), shipped_at=e.at)

    @apply.register
    def _(self, e: Order.CancelRefused, conn: Connection) -> None:
        order = _order(conn, e)
        if order.shipped_at is None:
            update_by(conn, dash_orders.c.order_no, order.order_no, refused_on=tokyo_date(e.at))
        self._track_claim(e, conn, order)

    def _track_claim(self, e: Any, conn: Connection, order: Any = None) -> None:
        order = order or _order(conn, e)
        seq = order.claims
        for change in claim_changes(e):
            if isinstance(change, Opened):
                seq += 1
                insert_row(
                    conn, dash_claims,
                    order_no=order.order_no, seq=seq, seller_id=order.seller_id, order_date=order.order_date,
                    type=change.type, status=change.status, status_key=dashboard_key(change.type, change.status),
                    is_open=1, reason=change.reason, filed_at=e.at, closed_at=None,
                )
                update_by(conn, dash_orders.c.order_no, order.order_no, claims=seq)
                continue
            claim = {"order_no": order.order_no, "seq": seq}
            claim_type = row_where(conn, dash_claims, **claim).type
            closed = change.status in CLOSED
            update_where(
                conn, dash_claims, claim,
                status=change.status,
                status_key=dashboard_key(claim_type, change.status),
                is_open=0 if closed else 1,
                closed_at=e.at if closed else None,
            )

    for _claim_event in CLAIM_EVENTS:
        if _claim_event is not Order.CancelRefused:
            apply.register(_claim_event)(_track_claim)
    del _claim_event


def _order(conn: Connection, e: Any) -> Any:
    return row_by(conn, dash_orders.c.order_id, str(e.originator_id))


# ---- queries -------------------------------------------------------------------------------


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
        .where(dash_claims.c.seller_id == seller_id, dash_claims.c.status == "refunding", *period.where(dash_claims.c.order_date))
        .group_by(dash_claims.c.type)
    )
    return {"exchange": 0, "non_receipt": 0} | dict(rows.all())


def _list_query(seller_id: str):
    return (
        select(dash_claims, dash_orders.c.cart_no, dash_orders.c.item_no, dash_orders.c.item_name,
               dash_orders.c.buyer_name, dash_orders.c.quantity, dash_orders.c.shipped_at)
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
    }


def refusal_breaches(conn: Connection, seller_id: str, as_of: datetime) -> list[dict]:
    """Refused cancels whose order was not shipped by the end of the refusal's Tokyo day."""
    today = tokyo_date(as_of)
    rows = conn.execute(
        select(dash_orders.c.order_no, dash_orders.c.refused_on, dash_orders.c.shipped_at).where(
            and_(dash_orders.c.seller_id == seller_id, dash_orders.c.refused_on.is_not(None), dash_orders.c.refused_on < today)
        )
    )
    return [
        {"order_no": r.order_no, "refused_on": r.refused_on.isoformat(),
         "shipped_at": tokyo_iso(r.shipped_at)}
        for r in rows
        if r.shipped_at is None or tokyo_date(r.shipped_at) > r.refused_on
    ]
