"""No message can stop a partition (issue 24): whatever bytes arrive — nesting a thousand levels
deep, NUL escapes anywhere, broken encodings, numbers no type holds — parsing answers a valid
message or InvalidMessage with a reason, and ingest decides every other message of the batch."""

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consumers.contracts import MAX_DEPTH, InvalidMessage
from consumers.ingest import ingest_lines
from consumers.routes import parse
from domain.application import Orders
from tests.unit.messages import message, placed

ENVELOPE = b'{"message_id":"%s","type":"feedback.given","order_no":"100001","occurred_at":"2026-11-02T10:00:00+09:00","actor":"buyer","data":%s}'


def nested(depth: int, inner: bytes = b'"\\u0000"', opener: bytes = b"[", closer: bytes = b"]") -> bytes:
    return opener * depth + inner + closer * depth


def poison(message_id: str, data: bytes) -> bytes:
    return ENVELOPE % (message_id.encode(), data)


@pytest.mark.parametrize("data", [
    b'{"rating":"great","x":' + nested(1000) + b"}",  # a RecursionError in the NUL check before
    b'{"rating":"great","x":' + nested(1000, b"1") + b"}",
    b'{"rating":"great","x":' + nested(400, b'{"a":"\\u0000"}', b'{"k":', b"}") + b"}",
    b'{"rating":"great","x":' + nested(MAX_DEPTH) + b"}",
])
def test_a_deeply_nested_message_is_invalid_with_a_reason_and_its_id(data):
    with pytest.raises(InvalidMessage) as invalid:
        parse(poison("m-deep", data))
    assert invalid.value.message_id == "m-deep"
    assert invalid.value.reason.startswith(("message: objects and lists nest deeper", "data.x"))


def test_nesting_within_the_bound_is_read_and_ignored_as_an_unknown_field():
    assert parse(poison("m-ok", b'{"rating":"great","x":' + nested(MAX_DEPTH - 4, b"1") + b"}")).data.rating == "great"


def _json_values():
    scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**63), max_value=2**64 - 1),
                        st.floats(allow_nan=False), st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
                        st.just("\x00"), st.just("090-1234-5678"))
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                        max_leaves=40)


@st.composite
def hostile_lines(draw) -> bytes:
    kind = draw(st.sampled_from(["deep", "value", "bytes", "envelope"]))
    if kind == "deep":
        depth = draw(st.integers(min_value=1, max_value=1200))
        inner = draw(st.sampled_from([b'"\\u0000"', b"1", b'"x"', b"{}", b'"\\ud800"']))
        opener, closer = draw(st.sampled_from([(b"[", b"]"), (b'{"k":', b"}")]))
        return poison(draw(st.sampled_from(["m-1", "\\u0000", "x" * 70])), b'{"rating":"good","x":' + nested(depth, inner, opener, closer) + b"}")
    if kind == "value":
        return poison("m-2", orjson.dumps({"rating": "good", "x": draw(_json_values())}))
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    document = {**message("feedback.given", rating="great"), **draw(st.dictionaries(
        st.sampled_from(["message_id", "type", "order_no", "occurred_at", "actor", "data"]), _json_values(), max_size=3))}
    return orjson.dumps(document)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_lines())
def test_parsing_any_bytes_gives_a_message_or_a_reason_never_an_exception(line):
    try:
        parse(line)
    except InvalidMessage as invalid:
        assert invalid.reason


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(hostile_lines(), min_size=1, max_size=6))
def test_ingest_decides_every_valid_message_around_any_poison(poisons):
    app = Orders({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    good = [placed("100001"), message("order.shipped", "100001", "seller", carrier="y", tracking_no="T", trackable=True)]
    lines = [orjson.dumps(good[0]), *poisons, orjson.dumps(good[1])]
    summary = ingest_lines(app, lines, batch_size=2)
    assert summary.accepted >= 2  # a poison line that happens to be valid may be accepted or rejected too
    decided = summary.accepted + summary.duplicates + summary.rejected_count + summary.invalid_count + summary.parked_count
    assert decided == len([line for line in lines if line.strip()])
