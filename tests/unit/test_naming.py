"""verify names each aggregate by its natural key, read from its first stored event; a recorded name
is used only when it is the name of the aggregate's id (every id is uuid5 of its natural key)."""

from uuid import uuid4

import orjson

from domain.cart import cart_id
from domain.order import order_id
from domain.receipt import receipt_id
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
