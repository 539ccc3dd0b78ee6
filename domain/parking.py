"""Parking (SPEC §8): a valid message whose processing raised an unexpected error (a defect, not a
rule and not a transient fault) is kept with the error, the message and where it came from, and
the rest goes on. `parked --retry` runs it again after a fix; the retry's outcome settles it."""

from datetime import datetime
from functools import lru_cache
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.privacy import mask_error

PARKED_NAMESPACE = uuid5(NAMESPACE_URL, "orderclaims:parked-message")


@lru_cache(maxsize=1024)
def parked_id(message_id: str) -> UUID:
    return uuid5(PARKED_NAMESPACE, message_id)


class Defect(Exception):
    """Processing message `index` of a batch raised an unexpected error: it is parked, the batch runs again.
    Its error is kept masked (SPEC §7): an exception's text may quote the buyer's data of `message`."""

    def __init__(self, index: int, error: BaseException, message: bytes | str = b""):
        self.index = index
        self.error = describe(error, message)
        super().__init__(f"message {index}: {self.error}")


def describe(error: BaseException, message: bytes | str = b"") -> str:
    """The error as it is stored unsealed and shown (the operator page, a dead letter's reason): masked."""
    return mask_error(f"{type(error).__name__}: {error}", message)[:2000]


class ParkedMessage(Aggregate):
    """A message that hit a defect: parked → (retried and failed again)* → settled."""

    @staticmethod
    def create_id(message_id: str, **_: object) -> UUID:
        return parked_id(message_id)

    @event("Parked")
    def __init__(self, message_id: str, message_type: str, order_no: str, message: str, source: str, error: str,
                 at: datetime, buyer_id: str | None = None, key_of: str | None = None):
        """`message` is personal data (SPEC §7): the store seals it with the key of its buyer —
        `buyer_id` for a message that starts the buyer's order or inquiry, else the key the aggregate
        `key_of` (its id) was sealed with, so that erasing the buyer erases it too."""
        self.message_id = message_id
        self.message = message
        self.source = source
        self.error = error
        self.attempts = 1
        self.outcome: str | None = None  # how a retry settled it: accepted | rejected

    @property
    def is_parked(self) -> bool:
        return self.outcome is None

    def fail_again(self, error: str, at: datetime) -> None:
        self._failed_again(error=error, at=at)

    @event("FailedAgain")
    def _failed_again(self, error: str, at: datetime) -> None:
        self.error = error
        self.attempts += 1

    def settle(self, outcome: str, at: datetime) -> None:
        self._settled(outcome=outcome, at=at)

    @event("Settled")
    def _settled(self, outcome: str, at: datetime) -> None:
        self.outcome = outcome
