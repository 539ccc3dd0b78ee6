"""The relay's optional producer on confluent-kafka (librdkafka), behind the part of kafka-python's
interface the relay uses: `send(topic, key, value, headers)` returning a future whose `get()` raises
if the broker did not take the record, `flush()`, `close()`. Its errors are kafka-python's
`KafkaError`, so the process loop treats them as it treats the default client's: transient.

Chosen by `ORDERCLAIMS_KAFKA_PRODUCER=confluent-kafka` (the `fast` extra installs it); kafka-python
stays the default (docs/decisions/0005). The settings are the default producer's: idempotent, acks
from all in-sync replicas, linger 5 ms, and Java's murmur2 partitioner, so a key goes to the
partition kafka-python sends it to (an aggregate's events stay in one partition across a switch).
"""

from typing import Any

from confluent_kafka import KafkaException, Producer
from kafka.errors import KafkaError, KafkaTimeoutError

FLUSH_TIMEOUT_S = 300.0  # librdkafka's own delivery timeout: every record is delivered or failed by then


class Delivery:
    """One record's delivery report, filled by librdkafka's callback during poll/flush."""

    def __init__(self) -> None:
        self.done = False
        self.error: Any = None

    def __call__(self, error: Any, _message: Any) -> None:
        self.done, self.error = True, error

    def get(self, timeout: float | None = None) -> None:
        if not self.done:
            raise KafkaTimeoutError("no delivery report: flush the producer first")
        if self.error is not None:
            raise KafkaError(f"the broker did not take the record: {self.error}")


class FastProducer:
    def __init__(self, bootstrap: str, client_id: str):
        self._producer = Producer({
            "bootstrap.servers": bootstrap,
            "client.id": client_id,
            "enable.idempotence": True,
            "acks": "all",
            "linger.ms": 5,
            "partitioner": "murmur2_random",
        })

    def send(self, topic: str, key: bytes | None = None, value: bytes | None = None,
             headers: list[tuple[str, bytes]] | None = None) -> Delivery:
        delivery = Delivery()
        while True:
            try:
                self._producer.produce(topic, value=value, key=key, headers=headers, on_delivery=delivery)
                break
            except BufferError:  # the local queue is full: let librdkafka deliver some first
                self._producer.poll(0.05)
            except KafkaException as error:  # refused before it left (too large, unknown settings)
                raise KafkaError(f"the record was not sent: {error}") from error
        self._producer.poll(0)
        return delivery

    def flush(self, timeout: float | None = None) -> None:
        left = self._producer.flush(FLUSH_TIMEOUT_S if timeout is None else timeout)
        if left:
            raise KafkaTimeoutError(f"{left} records not delivered in time")

    def close(self, timeout: float | None = None) -> None:
        self._producer.flush(30 if timeout is None else timeout)
