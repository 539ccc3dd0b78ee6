"""How a stored event travels on the events topic (SPEC §5), and how consumers read it back.

The value is the event's stored state exactly as the store holds it (JSON, and encrypted
wherever the store encrypts); the rest rides in headers: the position in the store's log (for
dropping repeats), the event's topic (its class), the aggregate id and version. The key is the
aggregate's natural key: the order number for an order's events.
"""

from uuid import UUID

from eventsourcing.persistence import Notification, StoredEvent

POSITION, TOPIC, AGGREGATE, VERSION = "position", "event", "aggregate_id", "version"


def headers(notification: Notification) -> list[tuple[str, bytes]]:
    return [
        (POSITION, str(notification.id).encode()),
        (TOPIC, notification.topic.encode()),
        (AGGREGATE, str(notification.originator_id).encode()),
        (VERSION, str(notification.originator_version).encode()),
    ]


def read_headers(record_headers: list[tuple[str, bytes]]) -> dict[str, str]:
    return {name: value.decode() for name, value in record_headers or ()}


def stored_event(meta: dict[str, str], value: bytes) -> StoredEvent:
    return StoredEvent(
        originator_id=UUID(meta[AGGREGATE]), originator_version=int(meta[VERSION]), topic=meta[TOPIC], state=value,
    )
