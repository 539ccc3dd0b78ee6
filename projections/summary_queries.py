"""The marketplace-wide summary for analysts (SPEC §8, `serve` and `summary`): the dashboard's counts
of every seller side by side and summed, with refusal breaches and the yen settlement holds back,
sortable. Every number comes from a GROUP BY over all sellers at once, with the seller's own queries'
conditions (dashboard_queries.delayed_at / breached_at, settlement_queries.blocked): nothing here says
again what counts, what is delayed, breached or blocked, and nothing loops over the orders."""

from datetime import datetime
from collections import Counter
from functools import cache
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.engine import Connection

from domain.claims import CLOSED, STATUS_KEYS, Status
from domain.policy import DEFAULT_POLICY, Policy
from projections import dashboard_queries as dash
from projections import settlement_queries as settle
from projections.dashboard_tables import dash_claims, dash_orders
from projections.temporal import AS_OF, counted_as_of
from projections.temporal import as_of as as_of_rows

NUMBERS = ("delayed", "refusal_breaches", "held_back", "open", "orders", "claims", "claims_per_100_orders",
           "delayed_share")
SORT_KEYS = (*NUMBERS, "seller_id")
TOTAL = "total"
COUNTED = ("orders", "claims", "open", "delayed", "refusal_breaches", "held_back", "held_back_orders")
RATES = ("claims_per_100_orders", "delayed_share")  # from the line's counts (the total's: from its sums)
FIGURES = ("orders", "claims", "claims_per_100_orders", "open", "delayed", "delayed_share", "refusal_breaches",
           "held_back", "held_back_orders")
LINE_FIELDS = ("counts", "awaiting_refund", *COUNTED)
# The flat form (the .xlsx export): a column per dashboard count as TYPE.KEY, then the line's numbers.
COLUMNS = (
    "seller_id",
    *(f"{t}.{k}" for t, keys in STATUS_KEYS.items() for k in (*keys, "delayed")),
    "awaiting_refund.exchange", "awaiting_refund.non_receipt",
    *FIGURES,
)


class UnknownSortKey(ValueError):
    """A sort key that is not one of SORT_KEYS."""


@cache
def _sellers() -> Any:
    """An order's first version is from its placing, and an order is never removed: its seller is there
    from then on."""
    return (select(dash_orders.c.seller_id).where(dash_orders.c.placed_at <= AS_OF)
            .distinct().order_by(dash_orders.c.seller_id))


def sellers(conn: Connection, as_of: datetime) -> list[str]:
    """Every seller with an order placed by `as_of` in the dashboard's tables."""
    return list(conn.execute(_sellers(), {"as_of": as_of}).scalars())


@cache
def _statements(shape: tuple[bool, bool]) -> tuple:
    """Every seller's claims per type and key, with how many of them are delayed and how many await their
    refund; every seller's orders; refusal breaches. The claims and the orders as two GROUP BYs each whose
    sums add up (temporal.counted_as_of), each read from a covering index in its order."""
    def claims(t: Any, valid: list) -> Any:
        return (select(t.c.seller_id, t.c.type, t.c.status_key, func.count(),
                       func.sum(case((dash.delayed_at(t), 1), else_=0)),
                       func.sum(case((t.c.status == Status.REFUNDING, 1), else_=0)))
                .where(*valid, *dash.in_period(t.c.order_date, shape)).group_by(t.c.seller_id, t.c.type, t.c.status_key))

    def orders(t: Any, valid: list) -> Any:
        return (select(t.c.seller_id, func.count()).where(*valid, *dash.in_period(t.c.order_date, shape))
                .group_by(t.c.seller_id))

    as_of_orders = as_of_rows(dash_orders, one_seller=False)
    return (counted_as_of(dash_claims, False, claims), counted_as_of(dash_orders, False, orders),
            select(as_of_orders.c.seller_id, func.count()).where(dash.breached_at(as_of_orders))
            .group_by(as_of_orders.c.seller_id))


def seller_lines(
    dash_conn: Connection, settlement_conn: Connection, as_of: datetime,
    period: dash.Period = dash.Period(), policy: Policy = DEFAULT_POLICY,
) -> list[dict]:
    """Every seller's line (its dashboard counts, open and delayed claims, breaches, yen held back), by seller id."""
    claims_queries, orders_queries, breaches_query = _statements(period.shape)
    params = dash.at(None, as_of, period, policy)
    by_key, awaiting, claims, orders = Counter(), Counter(), Counter(), Counter()
    for query in claims_queries:
        for seller, t, k, n, delayed, refunding in dash_conn.execute(query, params):
            by_key[seller, t, k] += n
            by_key[seller, t, "delayed"] += delayed
            awaiting[seller, t] += refunding
            claims[seller] += n
    for query in orders_queries:
        for seller, n in dash_conn.execute(query, params):
            orders[seller] += n
    breaches = dict(dash_conn.execute(breaches_query, params).all())
    held = settle.held_back(settlement_conn, as_of)
    # without a period, the sellers with an order placed by then are those the orders' count found
    everyone = sorted(orders) if period.shape == (False, False) else sellers(dash_conn, as_of)
    return [_line(seller, by_key, awaiting, breaches.get(seller, 0), held[seller], orders[seller], claims[seller])
            for seller in everyone]


def with_rates(line: dict) -> dict:
    """Claims per 100 orders (placed in the period) and the share of open claims that are delayed: None
    where there is nothing to divide by."""
    return line | {
        "claims_per_100_orders": round(line["claims"] * 100 / line["orders"], 1) if line["orders"] else None,
        "delayed_share": round(line["delayed"] / line["open"], 4) if line["open"] else None,
    }


def _line(seller_id: str, by_key: dict, awaiting_by: dict, breaches: int, held: dict, orders: int = 0,
          claims: int = 0) -> dict:
    counts = {t: {k: by_key.get((seller_id, t, k), 0) for k in (*keys, "delayed")} for t, keys in STATUS_KEYS.items()}
    awaiting = {t: awaiting_by.get((seller_id, t), 0) for t in ("exchange", "non_receipt")}
    return with_rates({
        "seller_id": seller_id,
        "orders": orders,
        "claims": claims,
        "counts": counts,
        "awaiting_refund": awaiting,
        # every open claim is under one open key of the dashboard, or waiting for its refund payment
        "open": sum(n for keys in counts.values() for k, n in keys.items() if k != "delayed" and k not in CLOSED)
        + sum(awaiting.values()),
        "delayed": sum(keys["delayed"] for keys in counts.values()),
        "refusal_breaches": breaches,
        "held_back": held["amount"],
        "held_back_orders": held["orders"],
    })


def summary(
    dash_conn: Connection, settlement_conn: Connection, as_of: datetime, period: dash.Period = dash.Period(),
    sort_by: str = "delayed", policy: Policy = DEFAULT_POLICY,
) -> dict:
    """Every seller's line, sorted by `sort_by` (numbers largest first, then seller id), and their sum."""
    if sort_by not in SORT_KEYS:
        raise UnknownSortKey(f"{sort_by!r} is not one of {', '.join(SORT_KEYS)}")
    lines = seller_lines(dash_conn, settlement_conn, as_of, period, policy)
    if sort_by in NUMBERS:  # a rate of nothing (None) last
        lines.sort(key=lambda line: (line[sort_by] is None, -(line[sort_by] or 0), line["seller_id"]))
    # no seller yet: the total of nothing, shaped like a seller's line without orders
    blank = [] if lines else [_line("", {}, {}, 0, {"orders": 0, "amount": 0})]
    return {
        "as_of": as_of.isoformat(),
        "from": period.start.isoformat() if period.start else None,
        "to": period.end.isoformat() if period.end else None,
        "sort_by": sort_by,
        "sellers": lines,
        "total": with_rates({"seller_id": TOTAL} | {k: _sum([line[k] for line in lines or blank]) for k in LINE_FIELDS}),
    }


def _sum(values: list):
    """Numbers added up; dicts of numbers (the nested counts) key by key."""
    if isinstance(values[0], dict):
        return {k: _sum([v[k] for v in values]) for k in values[0]}
    return sum(values)


def flat_rows(document: dict) -> list[dict]:
    """One row per seller, in the document's order, then the total row; keys are COLUMNS."""
    return [
        {"seller_id": line["seller_id"]}
        | {f"{t}.{k}": n for t, keys in line["counts"].items() for k, n in keys.items()}
        | {f"awaiting_refund.{t}": n for t, n in line["awaiting_refund"].items()}
        | {k: line[k] for k in FIGURES}
        for line in (*document["sellers"], document["total"])
    ]
