"""verify names each aggregate by its natural key, read from its first stored event; a recorded name
is used only when it is the name of the aggregate's id (every id is uuid5 of its natural key)."""

from uuid import uuid4

import orjson

from domain.cart import cart_id
from domain.inquiry import item_id, legacy_item_id
from domain.order import order_id
from domain.receipt import conflict_id, receipt_id
from domain.seller import seller_id_to_uuid
from store.audit import checked_name, natural_name


def test_each_aggregate_is_named_by_the_natural_key_of_its_first_event():
    state = orjson.dumps({"order_no": "100123", "cart_no": "C1", "seller_id": "S1", "message_id": "m-1"})
    assert natural_name("domain.order:Order.Placed", state) == "order 100123"
    assert natural_name("domain.cart:Cart.Opened", state) == "cart C1"
    assert natural_name("domain.seller:Seller.Registered", state) == "seller S1"
    assert natural_name("domain.receipt:Receipt.Processed", state) == "message m-1"
    assert natural_name("domain.unknown:Thing.Made", state) is None


def test_a_recorded_name_stands_only_for_its_own_id():
    assert checked_name("order 100123", order_id("100123")) == "order 100123"
    assert checked_name("cart C1", cart_id("C1")) == "cart C1"
    assert checked_name("seller S1", seller_id_to_uuid("S1")) == "seller S1"
    assert checked_name("message m-1", receipt_id("m-1")) == "message m-1"
    assert checked_name("order 100999", order_id("100123")) == str(order_id("100123"))  # a name moved to another id
    other = uuid4()
    assert checked_name(None, other) == str(other)


def test_an_item_is_named_by_its_seller_and_number_and_a_legacy_one_by_its_number():
    state = orjson.dumps({"item_no": "I1", "seller_id": "S1"})
    name = natural_name("domain.inquiry:ItemInquiries.Opened", state)
    assert name == "item S1/I1"
    assert checked_name(name, item_id("S1", "I1")) == "item S1/I1"
    legacy = natural_name("domain.inquiry:ItemInquiries.Opened", orjson.dumps({"item_no": "I1", "seller_id": ""}))
    assert legacy == "item I1" and checked_name(legacy, legacy_item_id("I1")) == "item I1"
    assert checked_name("item S2/I1", item_id("S1", "I1")) == str(item_id("S1", "I1"))  # another seller's item
    assert checked_name("item S1/I1", legacy_item_id("I1")) == str(legacy_item_id("I1"))


def test_a_conflict_receipt_is_named_by_its_message_id_as_a_conflict():
    state = orjson.dumps({"message_id": "m-1", "fingerprint": "f1"})
    name = natural_name("domain.receipt:Receipt.Processed", state)
    assert checked_name(name, conflict_id("m-1", "f1")) == "message m-1 (conflict)"
    assert checked_name(name, receipt_id("m-1")) == "message m-1"  # the first use's receipt keeps its fingerprint too
    assert checked_name(name, conflict_id("m-1", "f2")) == str(conflict_id("m-1", "f2"))
    assert checked_name("message m-1 (conflict)", conflict_id("m-1", "f1")) == str(conflict_id("m-1", "f1"))
