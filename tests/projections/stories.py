"""Order histories as upstream messages, at Tokyo times given as 'MM-DD HH:MM' in 2026."""

from tests.unit.messages import message, placed


def t(when: str) -> str:
    month_day, clock = when.split(" ")
    return f"2026-{month_day}T{clock}:00+09:00"


def order(no: str, when: str = "10-01 10:00", seller: str = "S1", cart: str | None = None, **overrides) -> dict:
    m = placed(no, cart_no=cart or f"C{no}", seller_id=seller, **overrides)
    m["occurred_at"] = t(when)
    return m


def step(type_: str, no: str, actor: str, when: str, **data) -> dict:
    return message(type_, no, actor, t(when), **data)


def ship(no: str, when: str) -> dict:
    return step("order.shipped", no, "seller", when, carrier="ヤマト", tracking_no="1", trackable=True)


def deliver(no: str, when: str, by: str = "tracking") -> dict:
    actor = {"tracking": "carrier", "buyer": "buyer", "auto": "system"}[by]
    return step("order.delivered", no, actor, when, by=by)


def delivered(no: str, placed_at: str = "10-01 10:00", shipped_at: str = "10-01 15:00", at: str = "10-02 12:00", **kw) -> list[dict]:
    return [order(no, placed_at, **kw), ship(no, shipped_at), deliver(no, at)]


def paid(no: str, when: str) -> dict:
    return step("refund.paid", no, "payment", when)
