"""The Cart aggregate: one checkout's orders, and the buyer messages sent once per cart."""

from datetime import datetime
from functools import lru_cache
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.claims import check_actor

CART_NAMESPACE = uuid5(NAMESPACE_URL, "orderclaims:cart")


@lru_cache(maxsize=100_000)
def cart_id(cart_no: str) -> UUID:
    return uuid5(CART_NAMESPACE, cart_no)


class Cart(Aggregate):
    """A checkout holding one or more orders."""

    @staticmethod
    def create_id(cart_no: str, **_: object) -> UUID:
        return cart_id(cart_no)

    @classmethod
    def open(cls, *, cart_no: str, at: datetime, id: UUID | None = None) -> "Cart":  # noqa: A002
        """A new cart; `id`: the store's new id for it (domain/ids.py), else the uuid5 of its number."""
        if id is not None:
            return cls._create(cls.Opened, id=id, cart_no=cart_no, at=at)
        return cls(cart_no=cart_no, at=at)

    @event("Opened")
    def __init__(self, cart_no: str, at: datetime):
        self.cart_no = cart_no
        self.order_nos: list[str] = []

    def add_order(self, order_no: str, at: datetime) -> None:
        if order_no not in self.order_nos:
            self._order_added(order_no=order_no, at=at)

    @event("OrderAdded")
    def _order_added(self, order_no: str, at: datetime) -> None:
        self.order_nos.append(order_no)

    def send_message(self, *, actor: str, at: datetime, order_nos: list[str], text: str) -> None:
        """One send to the cart's buyer, however many of its orders were picked (SPEC §3 Buyer messages)."""
        check_actor("send_message", actor)
        self._message_sent(at=at, order_nos=order_nos, text=text)

    @event("MessageSent")
    def _message_sent(self, at: datetime, order_nos: list[str], text: str) -> None:
        """The messages are the evidence of contact; the orders note them (Order.note_buyer_message)."""
