"""Publishing an upstream stream (JSONL lines) to the upstream topic (SPEC §4): the upstream systems'
side of the contract, for feeding the distributed mode by hand, the tests and the benchmarks.

Every message is keyed as SPEC §4 says upstream systems key them, and partitioned by the
producer's default partitioner (a hash of the key), so any producer that keys the same way puts
each message in the same partition — statelessly, across calls and processes:
- an order's or a cart's messages by the **cart number**: the line's own `cart_no` (the cart the
  upstream system knows for every message of an order; the contract ignores the field), else
  `data.cart_no` (`order.placed`, a bulk `message.sent`);
- a seller's messages by `seller_id`, an inquiry's by `item_no`;
- anything else by its order number, and a line that is no message at all by nothing.
So an order's messages, and the bulk messages to its cart, arrive in order. Lines are sent as they
are, even invalid ones: judging them is ingest's job.
"""

from collections.abc import Iterable

import orjson
from kafka import KafkaProducer


def message_key(line: bytes) -> bytes | None:
    """The key SPEC §4 gives a message."""
    try:
        document = orjson.loads(line)
        data = document.get("data") if isinstance(document.get("data"), dict) else {}
    except (orjson.JSONDecodeError, AttributeError):
        return None
    inquiry = str(document.get("type", "")).startswith("inquiry.")
    for value in ((data.get("item_no"),) if inquiry else ()) + (
            document.get("cart_no"), data.get("cart_no"), data.get("seller_id"), document.get("order_no")):
        if isinstance(value, str) and value:
            return value.encode()
    return None


def publish_lines(producer: KafkaProducer, topic: str, lines: Iterable[bytes]) -> int:
    """Send every non-blank line; return how many, once the broker has acknowledged them all."""
    sent = 0
    for line in lines:
        line = line.strip()
        if not line:
            continue
        producer.send(topic, key=message_key(line), value=line)
        sent += 1
    producer.flush()
    return sent
