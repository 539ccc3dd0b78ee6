"""Given-when-then helpers: an order built from a history of commands, at known Tokyo times."""

from datetime import date, datetime, timedelta

import pytest

from domain.calendar import TOKYO
from domain.errors import Rejected
from domain.order import Order

DAY1 = datetime(2026, 11, 2, 10, 0, tzinfo=TOKYO)  # a Monday, 10:00 in Tokyo


def at(hours: float = 0, days: int = 0) -> datetime:
    return DAY1 + timedelta(days=days, hours=hours)


# The order every test starts from (2 × 1,000 yen + 500 shipping = 2,500 paid).
ORDER_DEFAULTS = dict(
    buyer={"id": "B1", "name": "佐藤 陽菜", "phone": "090-1234-5678", "address": "東京都新宿区1-2-3"},
    item={"item_no": "I1", "name": "マグ", "option": ""},
    quantity=2,
    unit_price=1000,
    shipping_fee=500,
    payment_method="card",
    item_kind="general",
    region="local",
    promised_ship_date=date(2026, 11, 4),
)


def new_order(**overrides) -> Order:
    placed = dict(ORDER_DEFAULTS, order_no="100001", cart_no="C1", seller_id="S1", at=DAY1)
    placed.update(overrides)
    return Order(**placed)


def given(*steps, **placed) -> Order:
    order = new_order(**placed)
    for step in steps:
        step(order)
    return order


def prepared(hours=1):
    return lambda o: o.prepare(actor="seller", at=at(hours))


def shipped(hours=2):
    return lambda o: o.ship(actor="seller", at=at(hours), carrier="ヤマト", tracking_no="123", trackable=True)


def delivered(days=2):
    return lambda o: o.deliver(actor="carrier", at=at(days=days), by="tracking")


def cancel_requested(hours=3, actor="buyer"):
    return lambda o: o.request_cancel(actor=actor, at=at(hours), reason="ordered_by_mistake")


def return_requested(days=3, responsibility="buyer"):
    return lambda o: o.request_return(
        actor="buyer", at=at(days=days), reason="damaged", responsibility=responsibility, attachments=[]
    )


def seller(method: str, days=4, **kwargs):
    return lambda o: getattr(o, method)(actor="seller", at=at(days=days), **kwargs)


def exchange_requested(days=3):
    return lambda o: o.request_exchange(actor="buyer", at=at(days=days), reason="damaged")


def non_receipt_reported(days=3):
    return lambda o: o.report_non_receipt(actor="buyer", at=at(days=days), note="届いていません")


def reshipped(days=5, tracking_no="RT-1"):
    return lambda o: o.reship_exchange(
        actor="seller",
        at=at(days=days),
        carrier="佐川",
        tracking_no=tracking_no,
        cost_bearer="seller",
        reship_date=at(days=days).date(),
        recipient={"name": "佐藤 陽菜", "phone": "090-1234-5678", "address": "東京都新宿区1-2-3"},
    )


def refund_paid(days=6):
    return lambda o: o.pay_refund(actor="payment", at=at(days=days))


def claim_status(order: Order) -> tuple[str, str]:
    return (order.claim.type, order.claim.status)


def rejected(call) -> str:
    """The code of the rejection `call` raises (it must raise one)."""
    with pytest.raises(Rejected) as error:
        call()
    return error.value.code
