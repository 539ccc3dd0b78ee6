"""A dead letter keeps no buyer data readable (SPEC §4, §7), wherever an invalid message put it: under
data.buyer or elsewhere, nested, in lists, with the wrong types, in free text, as a key, in a message
cut at 64 KB — fuzzed with a known name and phone at random places and sizes."""

import re

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from messaging.dead_letters import HEAD, dead_letter_value

pytestmark = pytest.mark.security

NAMES = ["佐藤 陽菜", "山田太郎", "Hina Sato", "ﾔﾏﾀﾞ ﾀﾛｳ", "O'Brien Ann", "김 민준"]
PHONES = ["090-1234-5678", "09012345678", "+81 90 1234 5678", "(03) 1234-5678", "080 9876 5432"]
KEYS = ["buyer", "recipient", "name", "phone", "address", "data", "note", "text", "x", "order_no", "seller_id",
        "message_id", "type", "items", "id", "reason", "0", "名前", "cart_no"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text(max_size=12))
trees = st.recursive(scalars, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(st.sampled_from(KEYS), children, max_size=4)), max_leaves=12)


@st.composite
def hiding(draw, secret: str):
    """A JSON tree with the secret somewhere in it: a value (alone or inside a text), a key, a number."""
    tree = draw(st.dictionaries(st.sampled_from(KEYS), trees, min_size=1, max_size=5))
    spot = tree
    for _ in range(draw(st.integers(0, 4))):  # down some way
        key = draw(st.sampled_from(KEYS))
        spot = spot.setdefault(key, {}) if isinstance(spot.get(key, {}), dict) else spot
        if draw(st.booleans()):  # and into a list
            holder: dict = {}
            spot[draw(st.sampled_from(KEYS))] = [draw(scalars), holder]
            spot = holder
    how = draw(st.sampled_from(["value", "in text", "key", "person", "list"]))
    key = draw(st.sampled_from(KEYS))
    if how == "value":
        spot[key] = secret
    elif how == "in text":
        spot[key] = draw(st.text(max_size=20)) + secret + draw(st.text(max_size=20))
    elif how == "key":
        spot[secret] = draw(scalars)
    elif how == "person":
        spot[key] = {"id": "B1", draw(st.sampled_from(["name", "phone", "address"])): secret}
    else:
        spot[key] = [draw(scalars), secret]
    return tree


@st.composite
def messages(draw):
    secret = draw(st.sampled_from(NAMES + PHONES))
    tree = draw(hiding(secret))
    envelope = {"message_id": "m-1", "type": draw(st.sampled_from(["order.placed", None, 7, "order.teleported"])),
                "order_no": "100001", **tree}
    raw = orjson.dumps(envelope)
    padding = draw(st.sampled_from([0, 0, HEAD, HEAD * 2]))  # sometimes cut at 64 KB, the secret in the head
    if padding:
        raw = raw[:-1] + b', "pad": "' + b"p" * padding + b'"}'
    if draw(st.booleans()) and len(raw) > 2:  # sometimes not JSON at all
        raw = raw[:draw(st.integers(1, len(raw) - 1))]
    return secret, raw


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(messages())
def test_no_dead_letter_holds_a_buyers_name_or_phone_wherever_the_message_put_it(case):
    secret, raw = case
    kept = dead_letter_value(raw)
    shown = orjson.loads(kept)  # always JSON
    assert secret not in kept and secret not in str(shown)
    digits = re.sub(r"\D", "", secret)
    if len(digits) >= 9:  # a phone, however its digits are separated
        assert digits not in re.sub(r"[\s\-().+]", "", kept)


def test_an_over_long_message_cut_mid_json_keeps_no_head_only_its_id_and_type():
    message = {"message_id": "m-9", "type": "order.placed", "data": {"note": "x" * HEAD, "buyer": {"name": "佐藤 陽菜"}}}
    kept = orjson.loads(dead_letter_value(orjson.dumps(message)))
    assert kept == {"unparsed": True, "message_id": "m-9", "type": "order.placed"}


def test_buyer_data_outside_data_buyer_is_masked_and_the_contracts_ids_are_kept():
    message = {"message_id": "m-1", "type": "order.placed", "order_no": "100001", "occurred_at": "2026-11-02T10:00:00+09:00",
               "data": {"seller_id": "S001", "buyer": [{"name": "佐藤 陽菜", "phone": "090-1234-5678"}],
                        "extra": {"recipient": "山田太郎 090-1111-2222"}, "note": "Hina Sato", "tel": 9012345678}}
    kept = orjson.loads(dead_letter_value(orjson.dumps(message)))
    text = orjson.dumps(kept).decode()
    for secret in ("佐藤 陽菜", "090-1234-5678", "山田太郎", "090-1111-2222", "Hina Sato", "9012345678"):
        assert secret not in text
    assert (kept["message_id"], kept["order_no"], kept["data"]["seller_id"]) == ("m-1", "100001", "S001")
    assert kept["data"]["buyer"][0]["name"][0] == "佐" and kept["data"]["buyer"][0]["phone"].endswith("5678")


def test_an_invalid_order_placed_keeps_its_buyer_masked_as_before():
    message = {"message_id": "no-type", "type": None, "order_no": "1", "data": {"buyer": {
        "id": "B1", "name": "佐藤 陽菜", "phone": "090-1234-5678", "address": "東京都新宿区1-2-3"}}}
    buyer = orjson.loads(dead_letter_value(orjson.dumps(message)))["data"]["buyer"]
    assert buyer["name"][0] == "佐" and "陽菜" not in buyer["name"] and buyer["id"] == "B1"
