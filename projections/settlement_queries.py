"""What a seller asks of settlement (SPEC §6.2): every order pending / blocked (by what) / eligible /
due / closed at an as-of time, with its due date and amount."""

from collections import Counter
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from domain.calendar import tokyo_date
from domain.policy import DEFAULT_POLICY, Policy
from domain.seller import DEFAULT_LEVEL
from domain.settlement import Money, settlement_state
from projections.settlement import settle_orders, settle_sellers

STATES = ("pending", "blocked", "eligible", "due", "closed")


def seller_level(conn: Connection, seller_id: str) -> str:
    level = conn.execute(select(settle_sellers.c.level).where(settle_sellers.c.seller_id == seller_id)).scalar()
    return level or DEFAULT_LEVEL


def settlement(conn: Connection, seller_id: str, as_of: datetime, policy: Policy = DEFAULT_POLICY) -> dict:
    """Every order of the seller with its state, due date, amount and what blocks it."""
    level = seller_level(conn, seller_id)
    today = tokyo_date(as_of)
    orders = []
    for r in conn.execute(select(settle_orders).where(settle_orders.c.seller_id == seller_id).order_by(settle_orders.c.order_no)):
        blocked_by = [b for b in (
            r.claim,
            "partial_refund" if r.partial_refund_pending else None,
            "return_charge" if r.return_charge_pending else None,
        ) if b]
        money = Money(
            paid=r.paid, refunded=r.refunded, charges_paid=r.charges_paid, cancelled=bool(r.cancelled),
            delivered_on=r.delivered_on, blocked_by=tuple(blocked_by),
        )
        state, due = settlement_state(money, level, today, policy)
        orders.append({
            "order_no": r.order_no,
            "state": state,
            "due_date": due.isoformat() if due else None,
            "amount": money.amount,
            "blocked_by": blocked_by if state == "blocked" else [],  # SPEC §9: for a blocked order only
        })
    counts = Counter(o["state"] for o in orders)
    amounts = Counter()
    for o in orders:
        amounts[o["state"]] += o["amount"]
    return {
        "seller_id": seller_id,
        "as_of": as_of.isoformat(),
        "level": level,
        "summary": {s: {"orders": counts[s], "amount": amounts[s]} for s in STATES},
        "orders": orders,
    }
