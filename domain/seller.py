"""The Seller aggregate: the level that sets the settlement cycle, and the monthly Q-cash exchanges."""

from datetime import datetime
from functools import lru_cache
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.calendar import previous_month, tokyo_date
from domain.claims import check_actor
from domain.errors import AlreadyExchanged, ExchangeWindowClosed, NothingToExchange
from domain.points import exchangeable
from domain.policy import DEFAULT_LEVEL, LEVELS  # noqa: F401 (defined with the policy, for the read side)

SELLER_NAMESPACE = uuid5(NAMESPACE_URL, "orderclaims:seller")


@lru_cache(maxsize=100_000)
def seller_id_to_uuid(seller_id: str) -> UUID:
    return uuid5(SELLER_NAMESPACE, seller_id)


class Seller(Aggregate):
    """A marketplace seller; counts as `general` until the marketplace says otherwise."""

    @staticmethod
    def create_id(seller_id: str, **_: object) -> UUID:
        return seller_id_to_uuid(seller_id)

    @classmethod
    def register(cls, *, actor: str, at: datetime, seller_id: str, level: str) -> "Seller":
        check_actor("register", actor)
        return cls(seller_id=seller_id, level=level, at=at, actor=actor)

    @event("Registered")
    def __init__(self, seller_id: str, level: str, at: datetime, actor: str = "marketplace"):
        self.seller_id = seller_id
        self.level = level
        self.exchanges: dict[str, int] = {}  # month YYYY-MM -> Q-cash yen

    def change_level(self, *, actor: str, at: datetime, level: str) -> None:
        check_actor("change_level", actor)
        if level != self.level:
            self._level_changed(at=at, actor=actor, level=level)

    @event("LevelChanged")
    def _level_changed(self, at: datetime, actor: str, level: str) -> None:
        self.level = level

    def exchange_points(self, *, actor: str, at: datetime, month: str, total: float) -> int:
        """During month M, exchange all of M−1's points once, in 100-point units, for Q-cash."""
        check_actor("exchange_points", actor)
        if month != previous_month(at):
            raise ExchangeWindowClosed(f"during {tokyo_date(at):%Y-%m} only {previous_month(at)} can be exchanged")
        if month in self.exchanges:
            raise AlreadyExchanged(f"{month} was exchanged already ({self.exchanges[month]} Q-cash)")
        qcash = exchangeable(total)
        if qcash <= 0:
            raise NothingToExchange(f"{month} has {total} points: fewer than 100")
        self._points_exchanged(at=at, actor=actor, month=month, points=total, qcash=qcash)
        return qcash

    @event("PointsExchanged")
    def _points_exchanged(self, at: datetime, actor: str, month: str, points: float, qcash: int) -> None:
        self.exchanges[month] = qcash

    @property
    def qcash_balance(self) -> int:
        """Exchanged Q-cash never expires."""
        return sum(self.exchanges.values())
