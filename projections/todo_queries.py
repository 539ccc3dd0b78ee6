"""What a seller asks of the to-do list (SPEC §6.4): every open claim with the next step expected of
the seller, its due time and whether it is overdue; the yen settlement holds back; the orders past
their promised ship date and not shipped. The rules are domain/todo.py's and settlement's."""

from datetime import datetime
from typing import Any

from functools import cache

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.engine import Connection

from domain.calendar import tokyo_date, tokyo_iso
from domain.claims import ClaimType, Status
from domain.policy import DEFAULT_POLICY, Policy
from domain.rules.claims_end import buyer_contacted
from domain.rules.guards import days_late
from domain.todo import ClaimFacts, Step, next_step
from projections.settlement_queries import totals
from projections.temporal import AS_OF
from projections.temporal import as_of as as_of_rows
from projections.todo_tables import todo_claims, todo_messages, todo_orders


def todo(todo_conn: Connection, settlement_conn: Connection, seller_id: str, as_of: datetime,
         policy: Policy = DEFAULT_POLICY) -> dict:
    """The seller's to-do list at `as_of` (each connection reads its projection as of that time)."""
    return {
        "seller_id": seller_id,
        "as_of": as_of.isoformat(),
        "steps": steps(todo_conn, seller_id, as_of, policy),
        "held_back": totals(settlement_conn, seller_id, as_of, policy)["blocked"],
        "late_shipments": late_shipments(todo_conn, seller_id, as_of),
    }


@cache
def _steps() -> Any:
    claims, orders = as_of_rows(todo_claims), as_of_rows(todo_orders)
    last_messaged = (select(func.max(todo_messages.c.at))
                     .where(todo_messages.c.order_no == orders.c.order_no, todo_messages.c.at <= AS_OF)
                     .scalar_subquery().label("last_messaged_at"))
    return (
        select(claims, orders.c.cart_no, orders.c.item_no, orders.c.shipped_at, last_messaged)
        .join(orders, and_(orders.c.order_no == claims.c.order_no,
                           orders.c.claims == claims.c.seq))  # the order's current claim
        .where(or_(claims.c.is_open == 1, claims.c.status == Status.REFUSED))  # a refusal: ship the same day
    )


def steps(conn: Connection, seller_id: str, as_of: datetime, policy: Policy = DEFAULT_POLICY) -> list[dict]:
    """Each order's current claim that asks something of the seller, by due time (none last), then order."""
    rows = conn.execute(_steps(), {"seller_id": seller_id, "as_of": as_of})
    found = [(step, r) for r in rows if (step := next_step(_facts(r), as_of, policy)) is not None]
    found.sort(key=lambda pair: (pair[0].due is None, pair[0].due or as_of, pair[1].order_no))
    return [_entry(r, step) for step, r in found]


@cache
def _late() -> Any:
    orders = as_of_rows(todo_orders)
    return (select(orders.c.order_no, orders.c.cart_no, orders.c.item_no, orders.c.promised_ship_date)
            .where(orders.c.shipped_at.is_(None), orders.c.cancelled == 0, orders.c.promised_ship_date < bindparam("today"))
            .order_by(orders.c.promised_ship_date, orders.c.order_no))


def late_shipments(conn: Connection, seller_id: str, as_of: datetime) -> list[dict]:
    """Orders past their promised ship date (Tokyo) and neither shipped nor being cancelled, latest first."""
    rows = conn.execute(_late(), {"seller_id": seller_id, "as_of": as_of, "today": tokyo_date(as_of)})
    return [
        {"order_no": r.order_no, "cart_no": r.cart_no, "item_no": r.item_no,
         "promised_ship_date": r.promised_ship_date.isoformat(), "days_late": days_late(r.promised_ship_date, as_of)}
        for r in rows
    ]


def _facts(r: Any) -> ClaimFacts:
    return ClaimFacts(
        type=ClaimType(r.type), status=Status(r.status), filed_at=r.filed_at, since=r.since,
        shipped=r.shipped_at is not None, wait_until=r.wait_until,
        messaged_buyer=buyer_contacted(r.last_messaged_at, r.filed_at),
    )


def _entry(r: Any, step: Step) -> dict:
    return {
        "order_no": r.order_no,
        "cart_no": r.cart_no,
        "item_no": r.item_no,
        "claim_type": r.type,
        "status": r.status,
        "filed_at": tokyo_iso(r.filed_at),
        "action": step.action,
        "due": tokyo_iso(step.due),
        "overdue": step.overdue,
        "withdraw_possible": step.withdraw_possible,  # null but for asking the marketplace to withdraw
    }
