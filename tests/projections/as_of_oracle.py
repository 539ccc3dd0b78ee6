"""The oracle of the read models' history (docs/decisions/0022): the projections replayed from the
log up to a moment into a scratch database, and every as-of answer read there, the settlement and
the summary also by the domain's own rules over that replay's rows (the loops the product replaced
with SQL). The product never replays; only these tests do."""

from collections import Counter
from datetime import datetime

from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

from domain.calendar import tokyo_date
from domain.claims import CLOSED, STATUS_KEYS
from domain.rules.cancel import refusal_breached
from domain.settlement import Money, settlement_state
from projections import dashboard_queries as dash
from projections import settlement_queries as settle
from projections import summary_queries as sq
from projections import todo_queries as td
from projections.dashboard import dash_orders
from projections.runner import LogFollower, all_projections
from projections.settlement import settle_orders, settle_sellers


def replayed(app, as_of: datetime) -> Engine:
    """Every projection built from the events that happened at or before `as_of`."""
    engine = create_engine("sqlite://", poolclass=StaticPool)
    LogFollower(app, engine, all_projections(), until=as_of).catch_up()
    return engine


def sellers_of(conn: Connection) -> list[str]:
    return list(conn.execute(select(dash_orders.c.seller_id).distinct().order_by(dash_orders.c.seller_id)).scalars())


def answers(conn: Connection, sellers: list[str], as_of: datetime) -> dict:
    """Every as-of answer of every seller, read through the product's queries."""
    found = {}
    for seller in sellers:
        lists = {f"{t}.{k}": dash.claim_list(conn, seller, t, k, as_of)
                 for t, keys in STATUS_KEYS.items() for k in (*keys, "delayed")}
        found[seller] = {
            "counts": dash.counts(conn, seller, as_of),
            "awaiting_refund": dash.awaiting_refund(conn, seller, as_of),
            "lists": lists,
            "every claim": dash.lookup(conn, seller, as_of),
            "breaches": dash.refusal_breaches(conn, seller, as_of),
            "settlement": settle.settlement(conn, seller, as_of),
            "a settlement page": settle.settlement_page(conn, seller, as_of, settle.STATES, 7, 3),
            "todo": td.todo(conn, conn, seller, as_of),
        }
    found["summary"] = sq.summary(conn, conn, as_of)
    return found


def settlement_by_rules(conn: Connection, seller: str, as_of: datetime) -> dict:
    """The settlement document by domain.settlement's rules, order by order, over a replay's rows."""
    level = conn.execute(select(settle_sellers.c.level).where(settle_sellers.c.seller_id == seller)).scalar() or "general"
    orders = []
    for r in conn.execute(select(settle_orders).where(settle_orders.c.seller_id == seller).order_by(settle_orders.c.order_no)):
        blocked_by = [b for b in (r.claim, "partial_refund" if r.partial_refund_pending else None,
                                  "return_charge" if r.return_charge_pending else None) if b]
        money = Money(paid=r.paid, refunded=r.refunded, charges_paid=r.charges_paid, cancelled=bool(r.cancelled),
                      delivered_on=r.delivered_on, blocked_by=tuple(blocked_by))
        state, due = settlement_state(money, level, tokyo_date(as_of))
        orders.append({"order_no": r.order_no, "state": state, "due_date": due.isoformat() if due else None,
                       "amount": money.amount, "blocked_by": blocked_by if state == "blocked" else []})
    counts, amounts = Counter(o["state"] for o in orders), Counter()
    for o in orders:
        amounts[o["state"]] += o["amount"]
    return {"seller_id": seller, "as_of": as_of.isoformat(), "level": level,
            "summary": {s: {"orders": counts[s], "amount": amounts[s]} for s in settle.STATES}, "orders": orders}


def breaches_by_rules(conn: Connection, seller: str, as_of: datetime) -> set[str]:
    rows = conn.execute(select(dash_orders).where(dash_orders.c.seller_id == seller))
    return {r.order_no for r in rows if refusal_breached(r.refused_on, r.shipped_at, as_of)}


def summary_line_by_rules(conn: Connection, seller: str, as_of: datetime) -> dict:
    """One seller's summary line as the seller's own queries give it (the summary's old loop)."""
    counts = dash.counts(conn, seller, as_of)
    awaiting = dash.awaiting_refund(conn, seller, as_of)
    blocked = settlement_by_rules(conn, seller, as_of)["summary"]["blocked"]
    orders = conn.execute(select(func.count()).where(dash_orders.c.seller_id == seller)).scalar()
    return sq.with_rates({
        "seller_id": seller, "orders": orders, "claims": len(dash.lookup(conn, seller, as_of)),
        "counts": counts, "awaiting_refund": awaiting,
        "open": sum(n for keys in counts.values() for k, n in keys.items() if k != "delayed" and k not in CLOSED)
        + sum(awaiting.values()),
        "delayed": sum(keys["delayed"] for keys in counts.values()),
        "refusal_breaches": len(breaches_by_rules(conn, seller, as_of)),
        "held_back": blocked["amount"], "held_back_orders": blocked["orders"],
    })
