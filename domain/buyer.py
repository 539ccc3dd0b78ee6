"""The Buyer aggregate: what the store records of a buyer beyond its orders — that its personal data
was erased, by whom and when (SPEC §7). The keys themselves are destroyed by the key store."""

from datetime import datetime
from functools import lru_cache
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

BUYER_NAMESPACE = uuid5(NAMESPACE_URL, "orderclaims:buyer")


@lru_cache(maxsize=1024)
def buyer_uuid(buyer_id: str) -> UUID:
    return uuid5(BUYER_NAMESPACE, buyer_id)


class Buyer(Aggregate):
    """A buyer whose personal data was erased once, or more often (each new order after an erasure
    starts a new key, which a later erasure destroys too)."""

    @staticmethod
    def create_id(buyer_id: str, **_: object) -> UUID:
        return buyer_uuid(buyer_id)

    @event("Erased")
    def __init__(self, buyer_id: str, by: str, at: datetime):
        self.buyer_id = buyer_id
        self.erasures = 1

    def erase_again(self, *, by: str, at: datetime) -> None:
        self._erased_again(buyer_id=self.buyer_id, by=by, at=at)

    @event("ErasedAgain")
    def _erased_again(self, buyer_id: str, by: str, at: datetime) -> None:
        self.erasures += 1
