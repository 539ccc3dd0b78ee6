"""The Orders application: runs commands against aggregates and stores their events.

A batch of commands shares one unit of work: each aggregate is loaded once, every command is
checked and applied in turn, and everything — new events, one Receipt per message (accepted or
rejected with its code) and, when given, the consumed position — is written in one transaction.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import JSONTranscoder, ProcessRecorder, Tracking, Transcoding

from domain.cart import Cart, cart_id
from domain.claims import check_actor
from domain.errors import OrderExists, Rejected, UnknownOrder
from domain.order import Order, order_id
from domain.receipt import Receipt, receipt_id
from domain.seller import DEFAULT_LEVEL, Seller, seller_id_to_uuid


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


@dataclass(frozen=True)
class Command:
    """One upstream message turned into a call on the unit of work."""

    message_id: str
    message_type: str
    order_no: str
    at: datetime
    run: Callable[["UnitOfWork"], None]


@dataclass(frozen=True)
class Outcome:
    """What became of one message: accepted, rejected (with its code) or duplicate."""

    message_id: str
    status: str
    code: str | None = None
    detail: str | None = None


class UnitOfWork:
    """The aggregates one batch touches, each loaded at most once."""

    def __init__(self, app: "Orders"):
        self._app = app
        self._aggregates: dict[UUID, Aggregate] = {}

    @property
    def aggregates(self) -> list[Aggregate]:
        return list(self._aggregates.values())

    def pending_events(self) -> int:
        return sum(len(a.pending_events) for a in self._aggregates.values())

    def _get(self, aggregate_id: UUID) -> Any:
        aggregate = self._aggregates.get(aggregate_id)
        if aggregate is None:
            try:
                aggregate = self._app.repository.get(aggregate_id)
            except AggregateNotFoundError:
                return None
            self._aggregates[aggregate_id] = aggregate
        return aggregate

    def _add(self, aggregate: Aggregate) -> None:
        self._aggregates[aggregate.id] = aggregate

    def seen(self, message_id: str) -> bool:
        rid = receipt_id(message_id)
        if rid in self._aggregates:
            return True
        return bool(self._app.recorder.select_events(rid, limit=1))

    def record(self, receipt: Receipt) -> None:
        self._add(receipt)

    def order(self, order_no: str) -> Order:
        order = self._get(order_id(order_no))
        if order is None:
            raise UnknownOrder(f"order {order_no!r} was never placed")
        return order

    def place_order(self, **placed: Any) -> Order:
        if self._get(order_id(placed["order_no"])) is not None:
            raise OrderExists(f"order {placed['order_no']!r} exists")
        check_actor("place", placed["actor"])
        order = Order(**placed)
        self._add(order)
        cart = self._get(cart_id(order.cart_no))
        if cart is None:
            cart = Cart(cart_no=order.cart_no, at=order.placed_at)
            self._add(cart)
        cart.add_order(order.order_no, at=order.placed_at)
        return order

    def cart(self, cart_no: str) -> Cart:
        cart = self._get(cart_id(cart_no))
        if cart is None:
            raise UnknownOrder(f"cart {cart_no!r} has no order")
        return cart

    def seller(self, seller_id: str) -> Seller | None:
        return self._get(seller_id_to_uuid(seller_id))

    def register_seller(self, *, seller_id: str, level: str, at: datetime, actor: str) -> Seller:
        """A first registration creates the seller; a later one (or a level change) sets its level."""
        seller = self.seller(seller_id)
        if seller is None:
            seller = Seller(seller_id=seller_id, level=level, at=at, actor=actor)
            self._add(seller)
        else:
            seller.change_level(actor=actor, at=at, level=level)
        return seller


class Orders(Application):
    """Orders, their claims and their sellers, event-sourced."""

    name = "orderclaims"

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def construct_recorder(self) -> ProcessRecorder:
        # A process recorder also stores tracking positions, atomically with the events.
        return self.factory.process_recorder()

    def process(self, commands: Iterable[Command], trackings: Sequence[Tracking] = ()) -> list[Outcome]:
        """Apply a batch of commands in one transaction, with the consumed positions (`trackings`)
        they came from; return each message's outcome."""
        uow = UnitOfWork(self)
        outcomes = []
        for command in commands:
            if command.message_id and uow.seen(command.message_id):
                outcomes.append(Outcome(command.message_id, "duplicate"))
                continue
            outcome = self._apply(uow, command)
            outcomes.append(outcome)
            uow.record(
                Receipt(
                    message_id=command.message_id,
                    message_type=command.message_type,
                    order_no=command.order_no,
                    at=command.at,
                    outcome=outcome.status,
                    code=outcome.code,
                    detail=outcome.detail,
                )
            )
        self.commit(uow, trackings)
        return outcomes

    @staticmethod
    def _apply(uow: UnitOfWork, command: Command) -> Outcome:
        before = uow.pending_events()
        try:
            command.run(uow)
        except Rejected as rejected:
            if uow.pending_events() != before:
                raise RuntimeError(f"{command.message_type} was rejected after it changed state") from rejected
            return Outcome(command.message_id, "rejected", rejected.code, rejected.detail)
        return Outcome(command.message_id, "accepted")

    def commit(self, uow: UnitOfWork, trackings: Sequence[Tracking] = ()) -> None:
        if len(trackings) > 1:
            if not getattr(self.recorder, "records_several_trackings", False):
                raise TypeError(f"{type(self.recorder).__name__} records one tracking position per transaction")
            processing = ProcessingEvent()
            processing.collect_events(*uow.aggregates, trackings=list(trackings))
        else:
            processing = ProcessingEvent(tracking=trackings[0] if trackings else None)
            processing.collect_events(*uow.aggregates)
        if processing.events or trackings:
            self._notify(self._record(processing))

    def exchange_points(self, *, seller_id: str, at: datetime, month: str, total: float, actor: str = "seller") -> int:
        """Exchange a month's service points for Q-cash (the total comes from the points ledger)."""
        uow = UnitOfWork(self)
        seller = uow.seller(seller_id) or uow.register_seller(seller_id=seller_id, level=DEFAULT_LEVEL, at=at, actor="marketplace")
        qcash = seller.exchange_points(actor=actor, at=at, month=month, total=total)
        self.commit(uow)
        return qcash

    def get_order(self, order_no: str, version: int | None = None) -> Order:
        try:
            return self.repository.get(order_id(order_no), version=version)
        except AggregateNotFoundError:
            raise UnknownOrder(f"order {order_no!r} was never placed") from None

    def order_events(self, order_no: str) -> list:
        events = list(self.events.get(order_id(order_no)))
        if not events:
            raise UnknownOrder(f"order {order_no!r} was never placed")
        return events

    def get_seller(self, seller_id: str) -> Seller | None:
        try:
            return self.repository.get(seller_id_to_uuid(seller_id))
        except AggregateNotFoundError:
            return None
