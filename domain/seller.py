"""The Seller aggregate: the level that sets the settlement cycle, and the monthly Q-cash exchanges."""

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.claims import check_actor

SELLER_NAMESPACE = uuid5(NAMESPACE_URL, "orderclaims:seller")
LEVELS = ("power", "excellent", "general")
DEFAULT_LEVEL = "general"


def seller_id_to_uuid(seller_id: str) -> UUID:
    return uuid5(SELLER_NAMESPACE, seller_id)


class Seller(Aggregate):
    """A marketplace seller; counts as `general` until the marketplace says otherwise."""

    @staticmethod
    def create_id(seller_id: str, **_: object) -> UUID:
        return seller_id_to_uuid(seller_id)

    @event("Registered")
    def __init__(self, seller_id: str, level: str, at: datetime, actor: str = "marketplace"):
        self.seller_id = seller_id
        self.level = level
        self.registered_at = at
        self.exchanges: dict[str, int] = {}  # month YYYY-MM -> Q-cash yen

    def change_level(self, *, actor: str, at: datetime, level: str) -> None:
        check_actor("register_seller", actor)
        if level != self.level:
            self._level_changed(at=at, actor=actor, level=level)

    @event("LevelChanged")
    def _level_changed(self, at: datetime, actor: str, level: str) -> None:
        self.level = level
