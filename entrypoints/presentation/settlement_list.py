"""The settlement page's list: filtered by state, a page at a time, blocked orders first (what the seller
can act on), then those paid soonest (projections/settlement_queries.py's LISTED_FIRST). The default shows
the orders whose money is on its way (blocked, due, eligible); `all` adds those not delivered yet and those
closed."""

from projections.settlement_queries import STATES

OPEN_MONEY = ("blocked", "due", "eligible")
ALL = "all"
PAGE_SIZE = 100  # a seller of 100,000 orders has thousands in a state; the page shows them 100 at a time


def chosen(state: str | None) -> tuple[str, ...]:
    return OPEN_MONEY if not state else STATES if state == ALL else (state,)


def pages(listed: int) -> int:
    return max(1, -(-listed // PAGE_SIZE))
