"""The Orders application: runs commands against aggregates and stores their events.

A batch of commands shares one unit of work: each aggregate is loaded once, every command is
checked and applied in turn, and everything — new events, one Receipt per message (accepted or
rejected with its code) and, when given, the consumed position — is written in one transaction.

Aggregates stay in an LRU cache between batches, handed out without copying and without asking
the store for newer events: this process writes them, and a batch that fails (another writer was
first, the database went away) evicts every aggregate it touched, so the cache never holds a
change the store refused. Repeated messages are found optimistically: the store refuses a second
Receipt for a message id, and only then is the batch run again, checking each message first.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, ProcessRecorder, Tracking, Transcoding

from domain.cart import Cart, cart_id
from domain.errors import OrderExists, Rejected, UnknownOrder
from domain.order import Order, order_id
from domain.receipt import Receipt, receipt_event, receipt_id
from domain.seller import DEFAULT_LEVEL, Seller, seller_id_to_uuid


def replay(aggregate: Any, events: Iterable[Any]) -> Any:
    """An aggregate from its stored events: eventsourcing's own projector, without its assert of a
    runtime-checkable Protocol on every event (a third of the time spent reloading an aggregate)."""
    for domain_event in events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate


class DateAsISO(Transcoding):
    """Calendar dates in event state (promised ship dates, reship dates), stored as YYYY-MM-DD."""

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

    def __init__(self, app: "Orders", check_store_for_repeats: bool = False):
        self._app = app
        self._aggregates: dict[UUID, Aggregate] = {}
        self.receipts: dict[UUID, Receipt.Processed] = {}
        self._check_store = check_store_for_repeats
        self._command_touched: dict[UUID, int] = {}  # pending events of each aggregate when the command first touched it

    @property
    def aggregates(self) -> list[Aggregate]:
        return list(self._aggregates.values())

    def begin_command(self) -> None:
        self._command_touched = {}

    def command_changed_state(self) -> bool:
        return any(len(self._aggregates[i].pending_events) != n for i, n in self._command_touched.items())

    def _touch(self, aggregate: Aggregate) -> Aggregate:
        self._command_touched.setdefault(aggregate.id, len(aggregate.pending_events))
        return aggregate

    def _get(self, aggregate_id: UUID) -> Any:
        aggregate = self._aggregates.get(aggregate_id)
        if aggregate is None:
            try:
                aggregate = self._app.repository.get(aggregate_id, projector_func=replay)
            except AggregateNotFoundError:
                return None
            self._aggregates[aggregate_id] = aggregate
        return self._touch(aggregate)

    def _get_unless_new(self, aggregate_id: UUID) -> Any:
        """Like _get for an aggregate about to be created: optimistically, one neither in this batch
        nor in the cache is taken as new (if it exists, the store refuses its version 1 and the
        batch is run again with every lookup)."""
        if self._check_store or aggregate_id in self._aggregates:
            return self._get(aggregate_id)
        cache = self._app.repository.cache
        try:
            aggregate = cache.get(aggregate_id) if cache is not None else None
        except KeyError:
            return None
        if aggregate is not None:
            self._aggregates[aggregate_id] = aggregate
            self._touch(aggregate)
        return aggregate

    def _add(self, aggregate: Aggregate) -> None:
        self._aggregates[aggregate.id] = aggregate
        self._command_touched.setdefault(aggregate.id, 0)

    def seen(self, message_id: str) -> bool:
        rid = receipt_id(message_id)
        if rid in self.receipts:
            return True
        return self._check_store and bool(self._app.recorder.select_events(rid, limit=1))

    def forget(self) -> None:
        """Evict every aggregate of this batch from the application's cache (the batch failed)."""
        cache = self._app.repository.cache
        if cache is not None:
            for aggregate_id in self._aggregates:
                try:
                    cache.get(aggregate_id, evict=True)
                except KeyError:
                    pass

    def record(self, receipt: Receipt.Processed) -> None:
        self.receipts[receipt.originator_id] = receipt

    def order(self, order_no: str) -> Order:
        order = self._get(order_id(order_no))
        if order is None:
            raise UnknownOrder(f"order {order_no!r} was never placed")
        return order

    def place_order(self, **placed: Any) -> Order:
        """A new order (SPEC §9: that it is new is checked before who placed it), and its cart."""
        if self._get_unless_new(order_id(placed["order_no"])) is not None:
            raise OrderExists(f"order {placed['order_no']!r} exists")
        order = Order.place(**placed)
        self._add(order)
        cart = self._get_unless_new(cart_id(order.cart_no))
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
            seller = Seller.register(seller_id=seller_id, level=level, at=at, actor=actor)
            self._add(seller)
        else:
            seller.change_level(actor=actor, at=at, level=level)
        return seller

    def message_buyer(self, *, actor: str, at: datetime, text: str, order_no: str = "", cart_no: str = "",
                      order_nos: Sequence[str] = ()) -> None:
        """The seller messages the buyer of the named orders, or of every order of a cart: one send
        per cart, however many of its orders were picked; each order notes it (SPEC §3)."""
        named = list(dict.fromkeys([*order_nos, *([order_no] if order_no else [])]))
        orders = [self.order(no) for no in named]
        if cart_no:
            orders += [self.order(no) for no in self.cart(cart_no).order_nos if no not in named]
        by_cart: dict[str, list[Order]] = {}
        for order in orders:
            by_cart.setdefault(order.cart_no, []).append(order)
        for cart, picked in by_cart.items():
            self.cart(cart).send_message(actor=actor, at=at, order_nos=[o.order_no for o in picked], text=text)
            for order in picked:
                order.note_buyer_message(actor=actor, at=at, cart_no=cart)


class Orders(Application):
    """Orders, their claims and their sellers, event-sourced."""

    name = "orderclaims"

    def __init__(self, env: dict[str, str] | None = None):
        # The cache is trusted (no copies, no fast-forward): see the module docstring.
        super().__init__({"AGGREGATE_CACHE_FASTFORWARD": "n", "DEEPCOPY_FROM_AGGREGATE_CACHE": "n", **(env or {})})

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def construct_recorder(self) -> ProcessRecorder:
        # A process recorder also stores tracking positions, atomically with the events.
        return self.factory.process_recorder()

    def process(self, commands: Iterable[Command], trackings: Sequence[Tracking] = ()) -> list[Outcome]:
        """Apply a batch of commands in one transaction, with the consumed positions (`trackings`)
        they came from; return each message's outcome."""
        commands = list(commands)
        try:
            return self._process(commands, trackings, check_store_for_repeats=False)
        except IntegrityError:  # a message stored before, or another writer first: check each message
            return self._process(commands, trackings, check_store_for_repeats=True)

    def _process(self, commands: list[Command], trackings: Sequence[Tracking], check_store_for_repeats: bool) -> list[Outcome]:
        uow = UnitOfWork(self, check_store_for_repeats)
        try:
            outcomes = []
            for command in commands:
                if command.message_id and uow.seen(command.message_id):
                    outcomes.append(Outcome(command.message_id, "duplicate"))
                    continue
                outcome = self._apply(uow, command)
                outcomes.append(outcome)
                uow.record(
                    receipt_event(
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
        except BaseException:
            uow.forget()
            raise
        return outcomes

    @staticmethod
    def _apply(uow: UnitOfWork, command: Command) -> Outcome:
        uow.begin_command()
        try:
            command.run(uow)
        except Rejected as rejected:
            if uow.command_changed_state():
                raise RuntimeError(f"{command.message_type} was rejected after it changed state") from rejected
            return Outcome(command.message_id, "rejected", rejected.code, rejected.detail)
        return Outcome(command.message_id, "accepted")

    def commit(self, uow: UnitOfWork, trackings: Sequence[Tracking] = ()) -> None:
        processing = ProcessingEvent(tracking=trackings[0] if len(trackings) == 1 else None)
        if len(trackings) > 1:
            if not getattr(self.recorder, "records_several_trackings", False):
                raise TypeError(f"{type(self.recorder).__name__} records one tracking position per transaction")
            processing.saved_kwargs["trackings"] = list(trackings)
        for aggregate in uow.aggregates:
            events = aggregate.collect_events()
            if events:
                processing.events.extend(events)
                processing.aggregates[aggregate.id] = aggregate
        processing.events.extend(uow.receipts.values())
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
            return self.repository.get(order_id(order_no), version=version, projector_func=replay)
        except AggregateNotFoundError:
            raise UnknownOrder(f"order {order_no!r} was never placed") from None

    def order_events(self, order_no: str) -> list:
        events = list(self.events.get(order_id(order_no)))
        if not events:
            raise UnknownOrder(f"order {order_no!r} was never placed")
        return events

    def get_seller(self, seller_id: str) -> Seller | None:
        try:
            return self.repository.get(seller_id_to_uuid(seller_id), projector_func=replay)
        except AggregateNotFoundError:
            return None
