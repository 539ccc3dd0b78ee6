"""The marketplace-wide summary for analysts (SPEC §8, `serve` and `summary`): the dashboard's counts
of every seller side by side and summed, with refusal breaches and the yen settlement holds back,
sortable. Each number is the seller's own query's (dashboard_queries, settlement_queries): nothing
here says again what counts, what is delayed, breached or blocked."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from domain.claims import CLOSED, STATUS_KEYS
from domain.policy import DEFAULT_POLICY, Policy
from projections import dashboard_queries as dash
from projections import settlement_queries as settle
from projections.dashboard import dash_orders

NUMBERS = ("delayed", "refusal_breaches", "held_back", "open")
SORT_KEYS = (*NUMBERS, "seller_id")
TOTAL = "total"
FIGURES = ("open", "delayed", "refusal_breaches", "held_back", "held_back_orders")
LINE_FIELDS = ("counts", "awaiting_refund", *FIGURES)
# The flat form (the .xlsx export): a column per dashboard count as TYPE.KEY, then the line's numbers.
COLUMNS = (
    "seller_id",
    *(f"{t}.{k}" for t, keys in STATUS_KEYS.items() for k in (*keys, "delayed")),
    "awaiting_refund.exchange", "awaiting_refund.non_receipt",
    *FIGURES,
)


class UnknownSortKey(ValueError):
    """A sort key that is not one of SORT_KEYS."""


def sellers(conn: Connection) -> list[str]:
    """Every seller with an order in the dashboard's tables."""
    return list(conn.execute(select(dash_orders.c.seller_id).distinct().order_by(dash_orders.c.seller_id)).scalars())


def seller_line(
    dash_conn: Connection, settlement_conn: Connection, seller_id: str, as_of: datetime,
    period: dash.Period = dash.Period(), policy: Policy = DEFAULT_POLICY,
) -> dict:
    """One seller's line: its dashboard counts, open and delayed claims, breaches, yen held back."""
    counts = dash.counts(dash_conn, seller_id, as_of, period, policy)
    awaiting = dash.awaiting_refund(dash_conn, seller_id, period)
    blocked = settle.settlement(settlement_conn, seller_id, as_of, policy)["summary"]["blocked"]
    return {
        "seller_id": seller_id,
        "counts": counts,
        "awaiting_refund": awaiting,
        # every open claim is under one open key of the dashboard, or waiting for its refund payment
        "open": sum(n for keys in counts.values() for k, n in keys.items() if k != "delayed" and k not in CLOSED)
        + sum(awaiting.values()),
        "delayed": sum(keys["delayed"] for keys in counts.values()),
        "refusal_breaches": len(dash.refusal_breaches(dash_conn, seller_id, as_of)),
        "held_back": blocked["amount"],
        "held_back_orders": blocked["orders"],
    }


def summary(
    dash_conn: Connection, settlement_conn: Connection, as_of: datetime, period: dash.Period = dash.Period(),
    sort_by: str = "delayed", policy: Policy = DEFAULT_POLICY,
) -> dict:
    """Every seller's line, sorted by `sort_by` (numbers largest first, then seller id), and their sum."""
    if sort_by not in SORT_KEYS:
        raise UnknownSortKey(f"{sort_by!r} is not one of {', '.join(SORT_KEYS)}")
    lines = [seller_line(dash_conn, settlement_conn, s, as_of, period, policy) for s in sellers(dash_conn)]
    if sort_by in NUMBERS:
        lines.sort(key=lambda line: (-line[sort_by], line["seller_id"]))
    # no seller yet: the total of nothing, shaped by the queries of a seller without orders
    blank = [] if lines else [seller_line(dash_conn, settlement_conn, "", as_of, period, policy)]
    return {
        "as_of": as_of.isoformat(),
        "from": period.start.isoformat() if period.start else None,
        "to": period.end.isoformat() if period.end else None,
        "sort_by": sort_by,
        "sellers": lines,
        "total": {"seller_id": TOTAL} | {k: _sum([line[k] for line in lines or blank]) for k in LINE_FIELDS},
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
