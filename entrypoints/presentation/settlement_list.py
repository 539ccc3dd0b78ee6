"""The settlement page's list: filtered by state, blocked orders first (what the seller can act on),
then those paid soonest. The default shows the orders whose money is on its way (blocked, due,
eligible); `all` adds those not delivered yet and those closed."""

from projections.settlement_queries import STATES

FIRST = ("blocked", "due", "eligible", "pending", "closed")  # the list's order of states
OPEN_MONEY = ("blocked", "due", "eligible")
ALL = "all"


def listed(orders: list[dict], state: str | None) -> list[dict]:
    shown = OPEN_MONEY if not state else STATES if state == ALL else (state,)
    chosen = [o for o in orders if o["state"] in shown]
    return sorted(chosen, key=lambda o: (FIRST.index(o["state"]), o["due_date"] or "9999", o["order_no"]))
