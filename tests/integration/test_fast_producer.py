"""The relay's optional confluent-kafka producer (messaging/fast_producer.py) on a real broker: the
same partition for every key as kafka-python's producer, and a failed delivery raised as
kafka-python's KafkaError, which the process loop retries."""

import uuid

import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from messaging.fast_producer import FastProducer
from messaging.topics import Topics, ensure_topics, producer


def partitions_of(bootstrap: str, topic: str, count: int) -> dict[bytes, set[int]]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest", consumer_timeout_ms=5000)
    consumer.assign([TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)])
    found: dict[bytes, set[int]] = {}
    for seen, record in enumerate(consumer, start=1):
        found.setdefault(record.key, set()).add(record.partition)
        if seen == count:
            break
    consumer.close()
    return found


def test_every_key_goes_to_the_partition_kafka_python_sends_it_to(services):
    topics = Topics(f"fast-{uuid.uuid4().hex[:8]}")
    ensure_topics(services.bootstrap, topics, 4)
    keys = [f"order-{n}".encode() for n in range(200)] + ["カート-1".encode(), b""]
    default, fast = producer(services.bootstrap, "default"), FastProducer(services.bootstrap, "fast")
    deliveries = []
    for key in keys:
        default.send(topics.events, key=key, value=b"kafka-python")
        deliveries.append(fast.send(topics.events, key=key, value=b"confluent", headers=[("h", b"1")]))
    default.flush()
    fast.flush()
    for delivery in deliveries:
        delivery.get(timeout=10)
    default.close()
    fast.close()
    placed = partitions_of(services.bootstrap, topics.events, 2 * len(keys))
    assert set(placed) == set(keys)
    assert {key: len(p) for key, p in placed.items() if len(p) != 1} == {}  # both clients chose one partition
    assert len({p for found in placed.values() for p in found}) == 4


def test_a_record_that_cannot_be_sent_raises_kafka_pythons_error(services):
    fast = FastProducer(services.bootstrap, "fast")
    with pytest.raises(KafkaError):
        fast.send("orderclaims-fast-too-large", key=b"k", value=b"x" * (2 << 20))  # over the 1 MB limit
    fast.close()
