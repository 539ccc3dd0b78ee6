"""A seller's action in distributed mode (SPEC §8 "Seller actions", docs/decisions/0021): the §4
message produced to the upstream topic, keyed as every upstream system keys it (producers/upstream.py
`message_key`: an order's by its cart number), with where it came from in an `origin` header that
ingest records (messaging/action_origin.py). Sent only once the broker has acknowledged it; a broker
that does not answer in time is `BrokerUnavailable`, and nothing counts as sent."""

import threading

from kafka import KafkaProducer
from kafka.errors import KafkaError

from messaging.action_origin import origin_header
from messaging.topics import Topics
from producers.upstream import message_key

CONNECT_S, ACK_S = 5, 10


class BrokerUnavailable(Exception):
    """The broker did not take the message: it was not sent."""


class UpstreamSender:
    def __init__(self, bootstrap: str, topics: Topics):
        self.bootstrap, self.topics = bootstrap, topics
        self._producer: KafkaProducer | None = None
        self._lock = threading.Lock()

    def send(self, raw: bytes, origin: dict) -> None:
        """Produce one message and wait for the broker's acknowledgement."""
        try:
            future = self._connected().send(self.topics.upstream, key=message_key(raw), value=raw,
                                            headers=[origin_header(origin)])
            future.get(timeout=ACK_S)
        except KafkaError as fault:
            self._drop()
            raise BrokerUnavailable(f"the broker did not take the message ({type(fault).__name__})") from None

    def _connected(self) -> KafkaProducer:
        with self._lock:
            if self._producer is None:
                self._producer = KafkaProducer(bootstrap_servers=self.bootstrap, client_id=f"{self.topics.prefix}-serve",
                                               acks="all", enable_idempotence=True, max_block_ms=CONNECT_S * 1000,
                                               bootstrap_timeout_ms=CONNECT_S * 1000,
                                               request_timeout_ms=ACK_S * 1000)
            return self._producer

    def _drop(self) -> None:
        with self._lock:
            producer, self._producer = self._producer, None
        if producer is not None:
            producer.close(timeout=1)
