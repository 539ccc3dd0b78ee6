"""Upstream messages as the contract gives them, for tests that go through parsing."""

import itertools

import orjson

from tests.unit.builders import ORDER_DEFAULTS

_ids = itertools.count(1)


def message(type_: str, order_no: str = "100001", actor: str = "buyer", at: str = "2026-11-02T10:00:00+09:00", **data):
    return {
        "message_id": f"m-{next(_ids)}",
        "type": type_,
        "order_no": order_no,
        "occurred_at": at,
        "actor": actor,
        "data": data,
    }


def placed(order_no: str = "100001", cart_no: str = "C1", seller_id: str = "S1", **overrides) -> dict:
    data = {**ORDER_DEFAULTS, "cart_no": cart_no, "seller_id": seller_id,
            "promised_ship_date": ORDER_DEFAULTS["promised_ship_date"].isoformat()}
    data.update(overrides)
    return message("order.placed", order_no, "buyer", "2026-11-02T10:00:00+09:00", **data)


def lines(*messages: dict) -> list[bytes]:
    return [orjson.dumps(m) for m in messages]
