"""The Receipt aggregate: the durable record that an upstream message was processed, and how.

Its id is a uuid5 of the message_id, so a second receipt for the same message is refused by the
store's version check, in the same transaction as the events the message caused.

A receipt is written once and never changed, and there is one per message (about two events in
five), so `receipt_event` makes its one event directly, without an aggregate instance.
"""

from datetime import datetime
from functools import lru_cache
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event
from eventsourcing.utils import get_topic

RECEIPT_NAMESPACE = uuid5(NAMESPACE_URL, "orderclaims:message")


@lru_cache(maxsize=4096)  # asked twice per message: is it a repeat, and the new Receipt's id
def receipt_id(message_id: str) -> UUID:
    return uuid5(RECEIPT_NAMESPACE, message_id)


def conflict_id(message_id: str, fingerprint: str) -> UUID:
    """The receipt of a repeated message_id whose content differs from the first's (SPEC §4
    `duplicate_conflict`): one per distinct content, so the same conflicting repeat is recorded once."""
    return uuid5(RECEIPT_NAMESPACE, f"{message_id}\x1fconflict\x1f{fingerprint}")


class Receipt(Aggregate):
    """An upstream message seen once: accepted, or rejected with its code."""

    @staticmethod
    def create_id(message_id: str, **_: object) -> UUID:
        return receipt_id(message_id)

    @event("Processed")
    def __init__(
        self,
        message_id: str,
        message_type: str,
        order_no: str,
        at: datetime,
        outcome: str,
        code: str | None = None,
        detail: str | None = None,
        fingerprint: str | None = None,
    ):
        self.message_id = message_id
        self.message_type = message_type
        self.order_no = order_no
        self.at = at
        self.outcome = outcome
        self.code = code
        self.detail = detail
        self.fingerprint = fingerprint  # of the message's content; receipts of earlier releases have none


RECEIPT_TOPIC = get_topic(Receipt)


def receipt_event(originator_id: UUID | None = None, **fields: Any) -> Receipt.Processed:
    """The event that `Receipt(**fields)` would record, made without the aggregate."""
    return Receipt.Processed(
        originator_id=originator_id or receipt_id(fields["message_id"]),
        originator_version=Receipt.INITIAL_VERSION,
        originator_topic=RECEIPT_TOPIC,
        timestamp=Receipt.Processed.create_timestamp(),
        **{"code": None, "detail": None, "fingerprint": None, **fields},  # the defaults of Receipt.__init__
    )
