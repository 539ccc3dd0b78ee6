"""The analysts' trends (issue 22, docs/decisions/0023): per Tokyo week or month and claim type, for every
seller or one (and one item): claims filed, claims per 100 orders delivered, the share of them delayed,
refund yen, refusal breaches and service points — as of any moment.

Each figure is one GROUP BY per Tokyo **day** over a read model as of the moment (the versioned tables of
projections/temporal.py, or facts with their time: refunds, point entries); the days are folded into
weeks or months here, so no date arithmetic runs in SQL (SQLite and PostgreSQL differ there). What counts
is said once, where the seller's own views say it: dashboard_queries.breached_at (a refusal breach), the
claim's delay threshold (Policy.claim_delay), a refund as settlement books it."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, case, func, or_, select
from sqlalchemy.engine import Connection

from domain.calendar import tokyo_date
from domain.claims import CLAIM_TYPES
from domain.policy import DEFAULT_POLICY, Policy
from projections import dashboard_queries as dash
from projections.dashboard_tables import dash_claims, dash_orders
from projections.points_tables import points_entries
from projections.settlement_tables import PARTIAL_REFUND, settle_orders, settle_refunds
from projections.temporal import AS_OF, SELLER, counted_as_of
from projections.temporal import as_of as as_of_rows

PERIODS = ("week", "month")
ALL = "all"  # every claim type together (refunds: partial refunds too)
TYPE_FIGURES = ("filed", "per_100_delivered", "delayed", "delayed_share", "refund_yen")
BUCKET_FIGURES = ("orders_delivered", "partial_refund_yen", "refusal_breaches", "points")


class UnknownPeriod(ValueError):
    """A period other than week or month."""


@dataclass(frozen=True)
class Filter:
    """Whose and which days: every seller (None) or one, every item or one, Tokyo days from / to (inclusive)."""

    seller_id: str | None = None
    item_no: str | None = None
    start: date | None = None
    end: date | None = None

    @property
    def shape(self) -> tuple[bool, bool, bool, bool]:
        """Which filters it has: a statement is built once per shape, the values are its parameters."""
        return self.seller_id is not None, self.item_no is not None, self.start is not None, self.end is not None


def _where(table: Any, day: Any, shape: tuple[bool, bool, bool, bool], seller: bool = True) -> list:
    one_seller, one_item, has_start, has_end = shape
    return [*([table.c.seller_id == SELLER] if one_seller and seller else []),
            *([table.c.item_no == bindparam("item_no")] if one_item else []),
            *([day >= bindparam("day_from")] if has_start else []),
            *([day <= bindparam("day_to")] if has_end else [])]


@cache
def _statements(shape: tuple[bool, bool, bool, bool]) -> dict[str, Any]:
    one_seller = shape[0]
    orders = as_of_rows(dash_orders, one_seller)

    def claims(t: Any, valid: list) -> Any:
        # delayed at any time until the moment: open past the threshold now, or closed after being open longer
        delayed = or_(dash.delayed_at(t), and_(t.c.is_open == 0, t.c.open_seconds > bindparam("delay_seconds")))
        return (select(t.c.filed_on, t.c.type, func.count(), func.sum(case((delayed, 1), else_=0)))
                .where(*valid, *_where(t, t.c.filed_on, shape, seller=False)).group_by(t.c.filed_on, t.c.type))

    def delivered(t: Any, valid: list) -> Any:
        return (select(t.c.delivered_on, func.count())
                .where(*valid, t.c.delivered_on.is_not(None), *_where(t, t.c.delivered_on, shape, seller=False))
                .group_by(t.c.delivered_on))

    return {
        "claims": counted_as_of(dash_claims, one_seller, claims),
        "delivered": counted_as_of(settle_orders, one_seller, delivered),
        "refunds": select(settle_refunds.c.refunded_on, settle_refunds.c.claim_type, func.sum(settle_refunds.c.amount))
        .where(settle_refunds.c.at <= AS_OF, *_where(settle_refunds, settle_refunds.c.refunded_on, shape))
        .group_by(settle_refunds.c.refunded_on, settle_refunds.c.claim_type),
        "breaches": select(orders.c.refused_on, func.count())
        .where(dash.breached_at(orders), *_where(orders, orders.c.refused_on, shape, seller=False))
        .group_by(orders.c.refused_on),
        "points": select(points_entries.c.booked_on, func.sum(points_entries.c.tenths))
        .where(points_entries.c.at <= AS_OF, *_where(points_entries, points_entries.c.booked_on, shape))
        .group_by(points_entries.c.booked_on),
    }


def bucket_start(day: date, period: str) -> date:
    """The first Tokyo day of the day's week (Monday) or month."""
    return day - timedelta(days=day.weekday()) if period == "week" else day.replace(day=1)


def _next(start: date, period: str) -> date:
    if period == "week":
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def trends(dash_conn: Connection, settlement_conn: Connection, points_conn: Connection, as_of: datetime,
           period: str = "week", where: Filter = Filter(), claim_type: str | None = None,
           policy: Policy = DEFAULT_POLICY) -> dict:
    """The trends document: one bucket per week or month from the first day with a figure (or `start`) to
    the moment's day (or `end`), each with its figures per claim type and for all together, and the total."""
    if period not in PERIODS:
        raise UnknownPeriod(f"{period!r} is not one of {', '.join(PERIODS)}")
    statements = _statements(where.shape)
    params = dash.at(where.seller_id, as_of, policy=policy) | {
        "item_no": where.item_no, "day_from": where.start, "day_to": where.end,
        "delay_seconds": int(policy.claim_delay.total_seconds())}
    by_day: dict[date, dict] = defaultdict(lambda: defaultdict(int))
    for statement in statements["claims"]:
        for day, claim_type_, filed, delayed in dash_conn.execute(statement, params):
            by_day[day][("filed", claim_type_)] += filed
            by_day[day][("delayed", claim_type_)] += delayed
    for statement in statements["delivered"]:
        for day, n in settlement_conn.execute(statement, params):
            by_day[day]["orders_delivered"] += n
    for day, claim_type_, yen in settlement_conn.execute(statements["refunds"], params):
        by_day[day][("refund_yen", claim_type_)] += int(yen)
    for day, n in dash_conn.execute(statements["breaches"], params):
        by_day[day]["refusal_breaches"] += n
    for day, tenths in points_conn.execute(statements["points"], params):
        by_day[day]["points_tenths"] += int(tenths)
    types = [claim_type] if claim_type else list(CLAIM_TYPES)
    folded = _fold(by_day, period, where.start, where.end or tokyo_date(as_of))
    buckets = [_bucket(start, end, figures, types, as_of) for start, end, figures in folded]
    everything = _sum_days([figures for _, _, figures in folded])
    return {
        "as_of": as_of.isoformat(), "period": period, "seller_id": where.seller_id, "item_no": where.item_no,
        "from": where.start.isoformat() if where.start else None, "to": where.end.isoformat() if where.end else None,
        "claim_type": claim_type, "claim_types": types,
        "buckets": buckets,
        "total": _figures(everything, types) | {"start": buckets[0]["start"] if buckets else None,
                                                 "end": buckets[-1]["end"] if buckets else None},
    }


def _fold(by_day: dict, period: str, start: date | None, end: date) -> list[tuple[date, date, dict]]:
    """The days' figures summed per week or month, every bucket from the first to the last (empty ones too)."""
    first = start or min(by_day, default=None)
    if first is None or first > end:
        return []
    folded = []
    bucket = bucket_start(first, period)
    while bucket <= end:
        following = _next(bucket, period)
        folded.append((max(bucket, start or bucket), min(following - timedelta(days=1), end),  # clipped to the days asked
                       _sum_days([f for d, f in by_day.items() if bucket <= d < following])))
        bucket = following
    return folded


def _sum_days(days: list[dict]) -> dict:
    summed: dict = defaultdict(int)
    for figures in days:
        for key, n in figures.items():
            summed[key] += n
    return summed


def _bucket(start: date, end: date, figures: dict, types: list[str], as_of: datetime) -> dict:
    return {"start": start.isoformat(), "end": end.isoformat(), "complete": end < tokyo_date(as_of)} \
        | _figures(figures, types)


def _figures(figures: dict, types: list[str]) -> dict:
    delivered = figures["orders_delivered"]
    claims = {t: _rates(figures[("filed", t)], figures[("delayed", t)], figures[("refund_yen", t)], delivered)
              for t in types}
    partial = figures[("refund_yen", PARTIAL_REFUND)] if len(types) > 1 else 0
    together = _rates(sum(c["filed"] for c in claims.values()), sum(c["delayed"] for c in claims.values()),
                      sum(c["refund_yen"] for c in claims.values()) + partial, delivered)
    return {"orders_delivered": delivered, "claims": claims, ALL: together, "partial_refund_yen": partial,
            "refusal_breaches": figures["refusal_breaches"], "points": figures["points_tenths"] / 10}


def _rates(filed: int, delayed: int, refund_yen: int, delivered: int) -> dict:
    return {"filed": filed, "per_100_delivered": round(filed * 100 / delivered, 1) if delivered else None,
            "delayed": delayed, "delayed_share": round(delayed / filed, 4) if filed else None,
            "refund_yen": refund_yen}
