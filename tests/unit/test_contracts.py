"""Contract tests: a valid example of every upstream message type, and invalid ones with named reasons."""

import orjson
import pytest

from consumers.contracts import InvalidMessage
from consumers.routes import ROUTES, parse
from tests.unit.messages import message, placed

RECIPIENT = {"name": "佐藤", "phone": "090", "address": "東京都"}
VALID = {
    "seller.registered": message("seller.registered", "", "marketplace", seller_id="S1", level="power"),
    "seller.level_changed": message("seller.level_changed", "", "marketplace", seller_id="S1", level="general"),
    "order.placed": placed(),
    "order.prepared": message("order.prepared", actor="seller", promised_ship_date="2026-11-05"),
    "order.shipped": message("order.shipped", actor="seller", carrier="ヤマト", tracking_no="1", trackable=True),
    "order.delivered": message("order.delivered", actor="carrier", by="tracking"),
    "cancel.requested": message("cancel.requested", reason="ordered_by_mistake"),
    "cancel.approved": message("cancel.approved", actor="seller"),
    "cancel.refused": message("cancel.refused", actor="seller", reason="packed", note="本日発送"),
    "cancel.seller_initiated": message("cancel.seller_initiated", actor="seller", reason="out_of_stock"),
    "return.requested": message("return.requested", reason="damaged", responsibility="buyer", attachments=["a.jpg"]),
    "return.approved": message("return.approved", actor="seller"),
    "return.held": message("return.held", actor="seller", note="確認中"),
    "return.resumed": message("return.resumed", actor="seller"),
    "return.collected": message("return.collected", actor="seller"),
    "return_charge.requested": message("return_charge.requested", actor="seller", amount=600),
    "return_charge.cancelled": message("return_charge.cancelled", actor="seller"),
    "return_charge.paid": message("return_charge.paid", actor="payment"),
    "return_charge.declined": message("return_charge.declined", actor="payment"),
    "exchange.requested": message("exchange.requested", reason="damaged"),
    "exchange.accepted": message("exchange.accepted", actor="seller", memo="手配します"),
    "exchange.reshipped": message(
        "exchange.reshipped", actor="seller", carrier="佐川", tracking_no="9", cost_bearer="seller",
        reship_date="2026-11-05", recipient=RECIPIENT,
    ),
    "exchange.converted_to_return": message("exchange.converted_to_return", actor="seller"),
    "non_receipt.reported": message("non_receipt.reported", note="届かない"),
    "non_receipt.answered": message("non_receipt.answered", actor="seller", action="wait", until="2026-11-09", message="m"),
    "claim.refunded_in_full": message("claim.refunded_in_full", actor="seller"),
    "claim.withdrawn": message("claim.withdrawn", note="受け取りました"),
    "partial_refund.requested": message("partial_refund.requested", actor="seller", category="quantity_error", quantity=1),
    "partial_refund.cancelled": message("partial_refund.cancelled", actor="seller"),
    "partial_refund.approved": message("partial_refund.approved", actor="marketplace"),
    "partial_refund.rejected": message("partial_refund.rejected", actor="marketplace"),
    "refund.paid": message("refund.paid", actor="payment"),
    "message.sent": message("message.sent", "", "seller", cart_no="C1", text="こんにちは"),
    "feedback.given": message("feedback.given", rating="great"),
    "inquiry.posted": message("inquiry.posted", "", "buyer", inquiry_no="Q1", seller_id="S1", item_no="I1",
                              buyer_id="B1", title="在庫", text="ありますか"),
    "inquiry.answered": message("inquiry.answered", "", "seller", inquiry_no="Q1", item_no="I1", text="はい"),
    "inquiry.hidden": message("inquiry.hidden", "", "seller", inquiry_no="Q1", item_no="I1", title="非公開",
                              reason="電話番号", restrict_asker=True),
}


def raw(document: dict) -> bytes:
    return orjson.dumps(document)


def reason_of(document) -> str:
    with pytest.raises(InvalidMessage) as error:
        parse(document if isinstance(document, (bytes, str)) else raw(document))
    return error.value.reason


def without(document: dict, *path: str) -> dict:
    copy = orjson.loads(raw(document))
    target = copy
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return copy


def with_value(document: dict, value, *path: str) -> dict:
    copy = orjson.loads(raw(document))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


def test_every_message_type_of_the_contract_has_a_valid_example():
    assert set(VALID) == set(ROUTES)


@pytest.mark.parametrize("type_", sorted(VALID))
def test_a_valid_message_parses_with_its_typed_data(type_):
    parsed = parse(raw(VALID[type_]))
    assert parsed.type == type_
    assert isinstance(parsed.data, ROUTES[type_].model)


@pytest.mark.parametrize("type_", sorted(VALID))
def test_unknown_fields_are_ignored(type_):
    document = with_value(VALID[type_], "extra", "surprise")
    document["data"]["also"] = 1
    assert parse(raw(document)).type == type_


@pytest.mark.parametrize("type_", sorted(t for t, r in ROUTES.items() if any(f.is_required() for f in r.model.model_fields.values())))
def test_a_message_lacking_a_required_data_field_is_invalid_naming_the_field(type_):
    model = ROUTES[type_].model
    field = next(name for name, f in model.model_fields.items() if f.is_required())
    assert reason_of(without(VALID[type_], "data", field)).startswith(f"data.{field}:")


@pytest.mark.parametrize(
    "document, reason",
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "not a JSON object"),
        (without(VALID["order.placed"], "message_id"), "message_id: Field required"),
        (with_value(VALID["order.placed"], "order.bought", "type"), "type: unknown message type 'order.bought'"),
        (with_value(VALID["order.placed"], "2026-11-02T10:00:00", "occurred_at"), "occurred_at: a time needs its UTC offset"),
        (with_value(VALID["order.placed"], "robot", "actor"), "actor: Input should be"),
        (with_value(VALID["order.placed"], "", "order_no"), "order_no: required"),
        (with_value(VALID["order.placed"], "2", "data", "quantity"), "data.quantity: Input should be a valid integer"),
        (with_value(VALID["order.placed"], 0, "data", "quantity"), "data.quantity: Input should be greater than or equal to 1"),
        (with_value(VALID["order.placed"], "bitcoin", "data", "payment_method"), "data.payment_method:"),
        (without(VALID["order.placed"], "data", "buyer", "phone"), "data.buyer.phone: Field required"),
        (with_value(VALID["seller.registered"], "platinum", "data", "level"), "data.level:"),
        (with_value(VALID["feedback.given"], "meh", "data", "rating"), "data.rating:"),
        (with_value(VALID["order.shipped"], "yes", "data", "trackable"), "data.trackable: Input should be a valid boolean"),
        (with_value(VALID["return_charge.requested"], 5.5, "data", "amount"), "data.amount:"),
        (with_value(VALID["partial_refund.requested"], "other", "data", "category"), "data.category:"),
        (without(VALID["partial_refund.requested"], "data", "quantity"), "data.quantity: required"),
        (without(VALID["non_receipt.answered"], "data", "until"), "data.until: required"),
        (with_value(VALID["message.sent"], "", "data", "cart_no"), "data.cart_no: a message needs"),
        (with_value(VALID["order.prepared"], "next week", "data", "promised_ship_date"), "data.promised_ship_date:"),
    ],
)
def test_invalid_messages_get_a_reason_that_names_the_field(document, reason):
    assert reason_of(document).startswith(reason)


def test_an_invalid_message_keeps_its_message_id_when_it_has_one():
    with pytest.raises(InvalidMessage) as error:
        parse(raw(with_value(VALID["feedback.given"], "meh", "data", "rating")))
    assert error.value.message_id == VALID["feedback.given"]["message_id"]


@pytest.mark.parametrize(
    "document",
    [
        with_value(VALID["cancel.seller_initiated"], "buyer_reason", "data", "reason"),
        with_value(VALID["exchange.reshipped"], "", "data", "tracking_no"),
        without(VALID["exchange.reshipped"], "data", "tracking_no"),
        with_value(VALID["cancel.approved"], "buyer", "actor"),
    ],
    ids=["seller_cancel_reason", "empty_tracking", "missing_tracking", "wrong_actor"],
)
def test_values_a_rejection_code_covers_stay_valid(document):
    assert parse(raw(document)).type == document["type"]


def test_publish_keys_order_and_cart_messages_by_cart_seller_messages_by_seller_and_needs_no_memory():
    from producers.upstream import message_key

    later = {**message("cancel.requested", reason="x"), "cart_no": "C9"}  # the cart the upstream system knows
    assert message_key(raw(later)) == b"C9"
    assert message_key(raw(placed(cart_no="C7"))) == b"C7"
    assert message_key(raw(VALID["message.sent"])) == b"C1"
    assert message_key(raw(VALID["seller.registered"])) == b"S1"
    assert message_key(b"not json") is None
