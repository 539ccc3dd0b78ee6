"""kafka-python beside confluent-kafka (librdkafka), on the same broker, records and settings.

The same records are produced (our upstream messages, with the four headers the relay puts on
an event) and consumed back by each client in turn: messages per second, and CPU microseconds per
message for the whole process (librdkafka's threads included), which is what a pipeline on two
cores runs out of. Settings as in messaging/topics.py: idempotent producer, acks from all,
linger 5 ms; a read_committed consumer polling batches of 1,000.

`python -m bench.kafka_clients [MESSAGES]` prints one JSON object; bench/run.py includes it.
"""

import sys
import time
import uuid

import orjson

HEADERS = [("position", b"123456"), ("event", b"domain.order:Order.Shipped"),
           ("aggregate_id", b"8e0f1c8e-5f55-5d1b-9d0b-0a6f0b5a3c11"), ("version", b"4")]
PARTITIONS = 4


def _records(count: int) -> list[tuple[bytes, bytes]]:
    from producers.simulator import simulate

    records = []
    for message in simulate(orders=count // 4 + 1, seed=3):
        records.append(((message.get("order_no") or "x").encode(), orjson.dumps(message)))
        if len(records) == count:
            break
    return records


def _timed(run) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def kafka_python(bootstrap: str, topic: str, records: list) -> dict:
    from messaging.topics import consumer as group_member
    from messaging.topics import producer

    send = producer(bootstrap, "bench-kafka-python")

    def produce() -> None:
        for key, value in records:
            send.send(topic, key=key, value=value, headers=HEADERS)
        send.flush()

    consumer = group_member(bootstrap, f"g-{uuid.uuid4().hex}", max_records=1000)
    consumer.subscribe([topic])

    def consume() -> None:
        seen = 0
        while seen < len(records):
            for batch in consumer.poll(timeout_ms=500, max_records=1000).values():
                for record in batch:
                    dict(record.headers)
                    seen += 1

    result = _figures(len(records), _timed(produce), _timed(consume))
    send.close()
    consumer.close()
    return result


def confluent(bootstrap: str, topic: str, records: list) -> dict:
    from confluent_kafka import Consumer, Producer

    send = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all", "linger.ms": 5})

    def produce() -> None:
        for i, (key, value) in enumerate(records):
            while True:
                try:
                    send.produce(topic, key=key, value=value, headers=HEADERS)
                    break
                except BufferError:  # the local queue is full: serve delivery reports
                    send.poll(0.01)
            if i % 1000 == 0:
                send.poll(0)
        send.flush()

    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"g-{uuid.uuid4().hex}", "enable.auto.commit": False,
                         "auto.offset.reset": "earliest", "isolation.level": "read_committed"})
    consumer.subscribe([topic])

    def consume() -> None:
        seen = 0
        while seen < len(records):
            for message in consumer.consume(num_messages=1000, timeout=0.5):
                if message.error():
                    raise RuntimeError(message.error())
                dict(message.headers())
                seen += 1

    result = _figures(len(records), _timed(produce), _timed(consume))
    consumer.close()
    return result


def _figures(count: int, produced: tuple[float, float], consumed: tuple[float, float]) -> dict:
    return {
        "produce_msgs_per_s": round(count / produced[0]),
        "produce_cpu_us_per_msg": round(produced[1] / count * 1e6, 1),
        "consume_msgs_per_s": round(count / consumed[0]),
        "consume_cpu_us_per_msg": round(consumed[1] / count * 1e6, 1),
    }


def compare(bootstrap: str, count: int = 100_000) -> dict:
    from messaging.topics import Topics, ensure_topics

    records = _records(count)
    topics = Topics(f"clients-{uuid.uuid4().hex[:8]}")  # two of its topics: one for each client
    ensure_topics(bootstrap, topics, PARTITIONS)
    return {
        "messages": count,
        "value_bytes_mean": round(sum(len(v) for _, v in records) / count),
        "kafka-python": kafka_python(bootstrap, topics.upstream, records),
        "confluent-kafka": confluent(bootstrap, topics.events, records),
    }


if __name__ == "__main__":
    from entrypoints.bootstrap import Settings

    print(orjson.dumps(compare(Settings.from_env().kafka_bootstrap, *map(int, sys.argv[1:]))).decode())
