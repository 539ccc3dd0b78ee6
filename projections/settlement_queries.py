"""What a seller asks of settlement (SPEC §6.2): every order pending / blocked (by what) / eligible /
due / closed at an as-of time, with its due date and amount. The state of every order is one SQL
expression over its row as of that time (domain/settlement.py's settlement_state, on the rows), so a
seller's totals and every seller's yen held back are a GROUP BY, not a loop over the orders."""

from collections import defaultdict
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import and_, bindparam, case, func, literal, or_, select
from sqlalchemy.engine import Connection

from domain.calendar import tokyo_date
from domain.policy import DEFAULT_POLICY, Policy
from domain.policy import DEFAULT_LEVEL
from domain.settlement import due_date, last_due_delivery
from projections.settlement_tables import settle_orders, settle_sellers
from projections.temporal import as_of as as_of_rows
from projections.temporal import counted_as_of

STATES = ("pending", "blocked", "eligible", "due", "closed")


@cache
def _level() -> Any:
    return select(as_of_rows(settle_sellers).c.level)


def seller_level(conn: Connection, seller_id: str, as_of: datetime) -> str:
    return conn.execute(_level(), {"seller_id": seller_id, "as_of": as_of}).scalar() or DEFAULT_LEVEL


def amount(orders: Any) -> Any:
    """paid − refunded (owed or paid) + return charges paid."""
    return orders.c.paid - orders.c.refunded + orders.c.charges_paid


def blocker(orders: Any) -> Any:
    """An open claim, a pending partial refund or a pending return charge."""
    return or_(orders.c.claim.is_not(None), orders.c.partial_refund_pending == 1, orders.c.return_charge_pending == 1)


def blocked(orders: Any) -> Any:
    """Held back: not cancelled, delivered, and blocked (the `blocked` state, whatever the level)."""
    return and_(orders.c.cancelled == 0, blocker(orders), orders.c.delivered_on.is_not(None))


def state(orders: Any) -> Any:
    """The order's state; the parameter `last_due`: the latest delivery date that is due (last_due_delivery)."""
    return case(
        (orders.c.cancelled == 1, literal("closed")),
        (blocker(orders), case((orders.c.delivered_on.is_(None), literal("pending")), else_=literal("blocked"))),
        (amount(orders) <= 0, literal("closed")),
        (orders.c.delivered_on.is_(None), literal("pending")),
        (orders.c.delivered_on <= bindparam("last_due"), literal("due")),
        else_=literal("eligible"),
    )


def _listing(orders: Any) -> Any:
    """What a listed order shows (`_listed`), with its state and amount."""
    return select(orders.c.order_no, orders.c.claim, orders.c.partial_refund_pending, orders.c.return_charge_pending,
                  orders.c.delivered_on, amount(orders).label("amount"), state(orders).label("state"))


@cache
def _orders() -> Any:
    return _listing(as_of_rows(settle_orders)).order_by("order_no")


def _params(seller_id: str, as_of: datetime, level: str, policy: Policy) -> dict:
    return {"seller_id": seller_id, "as_of": as_of, "last_due": last_due_delivery(level, tokyo_date(as_of), policy)}


def settlement(conn: Connection, seller_id: str, as_of: datetime, policy: Policy = DEFAULT_POLICY) -> dict:
    """Every order of the seller with its state, due date, amount and what blocks it."""
    level = seller_level(conn, seller_id, as_of)
    return {
        "seller_id": seller_id,
        "as_of": as_of.isoformat(),
        "level": level,
        "summary": totals(conn, seller_id, as_of, policy, level),
        "orders": _listed(conn.execute(_orders(), _params(seller_id, as_of, level, policy)), level, policy),
    }


# The list's order: what the seller can act on first, then the money soonest paid (a later delivery is
# never due earlier), then the orders not delivered and those closed.
LISTED_FIRST = ("blocked", "due", "eligible", "pending", "closed")


@cache
def _page() -> Any:
    orders = as_of_rows(settle_orders)
    states = state(orders)
    return (_listing(orders).where(states.in_(bindparam("states", expanding=True)))
            .order_by(case({s: i for i, s in enumerate(LISTED_FIRST)}, value=states), orders.c.delivered_on.is_(None),
                      orders.c.delivered_on, orders.c.order_no)
            .limit(bindparam("limit")).offset(bindparam("offset")))


def settlement_page(conn: Connection, seller_id: str, as_of: datetime, states: tuple[str, ...], limit: int,
                    offset: int = 0, policy: Policy = DEFAULT_POLICY) -> dict:
    """As `settlement`, with only the orders in `states` from `offset` on, at most `limit`, in the list's
    order (LISTED_FIRST), and how many there are in all (`listed`): a page of a seller with thousands of
    orders costs its rows, not the seller's."""
    level = seller_level(conn, seller_id, as_of)
    summary = totals(conn, seller_id, as_of, policy, level)
    rows = conn.execute(_page(), {**_params(seller_id, as_of, level, policy), "states": list(states),
                                  "limit": limit, "offset": offset})
    return {"seller_id": seller_id, "as_of": as_of.isoformat(), "level": level, "summary": summary,
            "orders": _listed(rows, level, policy), "listed": sum(summary[s]["orders"] for s in states)}


def _listed(rows: Any, level: str, policy: Policy) -> list[dict]:
    due = lru_cache(maxsize=None)(lambda day: due_date(day, level, policy).isoformat())
    return [{
        "order_no": r.order_no,
        "state": r.state,
        "due_date": due(r.delivered_on) if r.delivered_on and r.state in ("blocked", "eligible", "due") else None,
        "amount": r.amount,
        "blocked_by": _blocked_by(r) if r.state == "blocked" else [],  # SPEC §9: for a blocked order only
    } for r in rows]


@cache
def _totals() -> Any:
    orders = as_of_rows(settle_orders)
    states = state(orders)
    return select(states, func.count(), func.sum(amount(orders))).group_by(states)


def totals(conn: Connection, seller_id: str, as_of: datetime, policy: Policy = DEFAULT_POLICY,
           level: str | None = None) -> dict:
    """Orders and yen per state of one seller, counted by the database."""
    level = level or seller_level(conn, seller_id, as_of)
    found = {r[0]: (r[1], r[2]) for r in conn.execute(_totals(), _params(seller_id, as_of, level, policy))}
    return {s: {"orders": found.get(s, (0, 0))[0], "amount": int(found.get(s, (0, 0))[1] or 0)} for s in STATES}


@cache
def _held_back() -> tuple:
    """The blocked orders' sellers and amounts as of the moment, from the current rows and the versions
    valid then (temporal.counted_as_of's branches). Added up here: a GROUP BY would have the database walk
    the seller's index and look up every order, where the blocked ones are a few in a hundred."""
    def held(t: Any, valid: list) -> Any:
        return select(t.c.seller_id, amount(t)).where(*valid, blocked(t))
    return counted_as_of(settle_orders, False, held)


def held_back(conn: Connection, as_of: datetime) -> dict[str, dict]:
    """Every seller's blocked orders and yen as of a moment."""
    found = defaultdict(lambda: {"orders": 0, "amount": 0})
    for query in _held_back():
        for seller, yen in conn.execute(query, {"as_of": as_of}):
            line = found[seller]
            line["orders"] += 1
            line["amount"] += yen
    return found


def _blocked_by(r: Any) -> list[str]:
    return [b for b in (
        r.claim,
        "partial_refund" if r.partial_refund_pending else None,
        "return_charge" if r.return_charge_pending else None,
    ) if b]
