"""`orderclaims run relay`: the store's log is the outbox; this publishes it to Kafka (SPEC §5).

It reads the log past its own position, publishes each domain event to the events topic (key =
the aggregate's natural key: order number, cart number or seller id) and each rejected message's
Receipt to the rejections topic, waits until the broker acknowledged all of them, and only then
records its position (a tracking record in the store). A message parked by a defect goes to the
dead-letter topic with its error. A crash in between publishes the same events again with the same
positions: at least once, and consumers drop repeats by position.
"""

import logging
from collections import OrderedDict
from uuid import UUID

import orjson
from eventsourcing.persistence import Notification, Tracking
from eventsourcing.utils import get_topic
from kafka import KafkaProducer

from messaging.topics import Topics, relay_tracking_name
from domain.application import Orders
from domain.keys import KEY_FIELD, natural_key
from domain.parking import ParkedMessage
from domain.receipt import Receipt
from messaging.dead_letters import dead_letter_value
from messaging.event_wire import headers
from messaging.metrics import DEAD_LETTERS, Progress

log = logging.getLogger("orderclaims.relay")

RECEIPT = get_topic(Receipt.Processed)
PARKED = {get_topic(ParkedMessage.Parked), get_topic(ParkedMessage.FailedAgain)}
KEYS_KEPT = 200_000  # keys of aggregates whose events were stored before events carried them
FIELD = f'"{KEY_FIELD}":'.encode()


class Relay:
    def __init__(self, app: Orders, producer: KafkaProducer, topics: Topics, batch_size: int = 1000):
        self.app = app
        self.producer = producer
        self.topics = topics
        self.batch_size = batch_size
        self.tracking_name = relay_tracking_name(topics)
        self.keys: OrderedDict[UUID, bytes] = OrderedDict()
        self.first_reads = 0  # aggregates whose key was read from their first event (an earlier release's)
        self.position = self._stored_position()
        self.progress = Progress(position=self.position)

    def _stored_position(self) -> int:
        return self.app.recorder.max_tracking_id(self.tracking_name) or 0

    def recover(self) -> None:
        self.position = self._stored_position()

    def step(self) -> int:
        notifications = self.app.recorder.select_notifications(self.position + 1, limit=self.batch_size)
        if notifications:
            self._publish_all(notifications)
        head = self._head(notifications)
        self.progress = Progress(lag=max(0, head - self.position), position=self.position, head=head)
        return len(notifications)

    def _head(self, notifications: list[Notification]) -> int:
        """The store's head: what the read reached, unless it filled a batch (then asked)."""
        if len(notifications) == self.batch_size:
            return self.app.recorder.max_notification_id() or 0
        return self.position

    def _publish_all(self, notifications: list[Notification]) -> None:
        futures = [self._publish(n) for n in notifications]
        self.producer.flush()
        for future in futures:
            if future is not None:
                future.get(timeout=30)  # raises if the broker did not take it: nothing is recorded
        DEAD_LETTERS.labels("parked").inc(sum(n.topic in PARKED for n in notifications))
        last = notifications[-1].id
        self.app.recorder.insert_tracking(Tracking(self.tracking_name, last))
        self.position = last
        log.info("published", extra={"events": len(notifications), "position": last})

    def _publish(self, n: Notification):
        if n.topic in PARKED:
            return self._dead_letter(n)
        if n.topic == RECEIPT:
            if b'"rejected"' not in n.state:  # most messages are accepted: not worth decoding
                return None
            receipt = self.app.mapper.to_domain_event(n)
            if receipt.outcome != "rejected":
                return None
            body = {
                "message_id": receipt.message_id, "type": receipt.message_type, "order_no": receipt.order_no,
                "at": receipt.at.isoformat(), "code": receipt.code, "detail": receipt.detail, "position": n.id,
            }
            return self.producer.send(self.topics.rejections, key=(receipt.order_no or receipt.message_id).encode(),
                                      value=orjson.dumps(body), headers=headers(n)[:1])
        return self.producer.send(self.topics.events, key=self._key(n), value=n.state, headers=headers(n))

    def _dead_letter(self, n: Notification):
        """A message parked by a defect (or parked again by its retry) goes to the dead-letter topic too."""
        parked = self.app.mapper.to_domain_event(n)
        state = self.app.repository.get(n.originator_id, version=n.originator_version)
        body = {"reason": f"parked: {parked.error}", "message_id": state.message_id, "source": state.source,
                "value": dead_letter_value(state.message.encode()), "position": n.id}
        headers = [("reason", body["reason"].encode()[:1000]), ("source", state.source.encode())]
        return self.producer.send(self.topics.dead_letters, key=state.message_id.encode(), value=orjson.dumps(body),
                                  headers=headers)

    def _key(self, n: Notification) -> bytes:
        """The aggregate's natural key (domain/keys.py): carried by each event stored by this release;
        for an event stored before, read from its aggregate's first event (and kept)."""
        if FIELD in n.state:
            carried = orjson.loads(n.state).get(KEY_FIELD)
            if carried is not None:
                return str(carried).encode()
        key = self.keys.get(n.originator_id)
        if key is None:
            self.first_reads += 1
            first = n if n.originator_version == 1 else self.app.recorder.select_events(n.originator_id, lte=1)[0]
            key = natural_key(orjson.loads(first.state), n.originator_id).encode()
            self.keys[n.originator_id] = key
            if len(self.keys) > KEYS_KEPT:
                self.keys.popitem(last=False)
        return key
