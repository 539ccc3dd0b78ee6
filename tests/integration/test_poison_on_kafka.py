"""No message can stop a partition (issue 24), through the real ingest worker on a real broker:
hostile lines of every kind — nesting a thousand levels deep, NUL escapes, broken encodings —
spread over every partition among valid messages. Each invalid one is dead-lettered, every valid
one is decided, and the worker never stops."""

import itertools

import orjson
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from kafka import KafkaProducer

from consumers.contracts import InvalidMessage
from consumers.routes import parse
from domain.receipt import receipt_id
from tests.unit.messages import placed
from tests.unit.test_poison_messages import hostile_lines, nested, poison

_orders = itertools.count(1)


def _invalid(line: bytes) -> bool:
    try:
        parse(line)
    except InvalidMessage:
        return True
    return False


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(poisons=st.lists(hostile_lines(), min_size=4, max_size=10))
@example(poisons=[  # the two that crash-looped ingest: the NUL check's and the dead-letter encoder's recursion
    poison("m-nul", b'{"rating":"great","x":' + nested(1000) + b"}"),
    poison("m-deep", b'{"rating":"great","x":' + nested(1000, b'"x"') + b"}"),
    b"\xff\xfe not even UTF-8", b'{"message_id": "m-surrogate", "type": "\ud800"}'])
def test_poison_on_every_partition_is_dead_lettered_and_every_valid_message_is_decided(stack, poisons):
    if not stack.processes:
        stack.start("ingest")
        stack.dead_lettered = 0
    producer = KafkaProducer(bootstrap_servers=stack.settings.kafka_bootstrap)
    valid = []
    for i, poison in enumerate(poisons):
        number = next(_orders)
        order = placed(f"9{number:05d}", f"C9{number:05d}", "S001")
        valid.append(order)
        producer.send(stack.topics.upstream, key=f"poison-{i}".encode(), value=poison)  # spread over the partitions
        producer.send(stack.topics.upstream, key=order["data"]["cart_no"].encode(), value=orjson.dumps(order))
    producer.flush()
    producer.close()
    stack.dead_lettered += sum(_invalid(p) for p in poisons)
    stack.wait(stack.ingested, "every line ingested", timeout=120)  # also fails when the worker died

    assert all(next(iter(stack.app.events.get(receipt_id(o["message_id"]))), None) is not None for o in valid)
    dead = stack.consume(stack.topics.dead_letters, stack.dead_lettered, timeout=60)
    assert all(d["reason"] and d["sha256"] for d in dead)
