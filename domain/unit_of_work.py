"""A batch of commands shares one unit of work: each aggregate is loaded once, every command is
checked and applied in turn; the Orders application (domain/application.py) then writes everything
in one transaction. A rejected command changes nothing: the rules check before any event.
"""

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import PersistenceError

from domain.buyer import Buyer, buyer_uuid
from domain.cart import Cart
from domain.errors import AskerRestricted, InquiryExists, OrderExists, UnknownInquiry, UnknownOrder
from domain.keys import NaturalKeys
from domain.inquiry import Inquiry, ItemInquiries, inquiry_id, item_id, legacy_item_id
from domain.ids import CART, ORDER
from domain.order import Order
from domain.parking import ParkedMessage, parked_id
from domain.receipt import Receipt, receipt_id
from domain.seller import Seller, seller_id_to_uuid

if TYPE_CHECKING:
    from domain.application import Orders


def replay(aggregate: Any, events: Iterable[Any]) -> Any:
    """An aggregate from its stored events: eventsourcing's own projector, without its assert of a
    runtime-checkable Protocol on every event (a third of the time spent reloading an aggregate)."""
    for domain_event in events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate


def replay_remembering(keys: NaturalKeys) -> Callable[[Any, Iterable[Any]], Any]:
    """`replay`, remembering the aggregate's natural key from its first event (domain/keys.py)."""
    def project(aggregate: Any, events: Iterable[Any]) -> Any:
        for domain_event in events:
            aggregate = domain_event.mutate(aggregate)
            if domain_event.originator_version == 1:
                keys.remember(domain_event)
        return aggregate
    return project


def stamp(domain_event: Any, origin: dict) -> None:
    """An event's `origin` (its class declares none: decorated methods are called only with their own
    parameters, so replaying ignores it; the mapper stores every attribute)."""
    object.__setattr__(domain_event, "origin", dict(origin))


@dataclass(frozen=True)
class Command:
    """One upstream message turned into a call on the unit of work."""

    message_id: str
    message_type: str
    order_no: str
    at: datetime
    run: Callable[["UnitOfWork"], None]
    message: bytes = b""  # the message as it came, kept if it is parked
    source: str = ""  # where it came from: "line N", or "TOPIC:PARTITION:OFFSET"
    retry: bool = False  # a retry of a parked message: its outcome settles it
    fingerprint: str | None = None  # of its content: a repeat of its id with another is a duplicate_conflict
    origin: dict | None = None  # a seller's action from the web or the API: {"via": "web"|"api", "key_id": …}


@dataclass(frozen=True)
class Outcome:
    """What became of one message: accepted, rejected (with its code), duplicate, or parked (with its error)."""

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
        self.new_ids: dict[tuple[str, str], UUID] = {}  # (kind, natural key) → id of each order and cart made (uuid7 scheme)

    @property
    def aggregates(self) -> list[Aggregate]:
        return list(self._aggregates.values())

    def begin_command(self) -> None:
        self._command_touched = {}

    def stamp_origin(self, origin: dict) -> None:
        """Mark the events the current command caused with where it came from (a seller's action from
        the web or the API, and the key's id): kept in the event's stored state, shown in its history,
        read by no rule. Events stored before carry none."""
        for aggregate_id, before in self._command_touched.items():
            for domain_event in self._aggregates[aggregate_id].pending_events[before:]:
                stamp(domain_event, origin)

    def command_changed_state(self) -> bool:
        return any(len(self._aggregates[i].pending_events) != n for i, n in self._command_touched.items())

    def _touch(self, aggregate: Aggregate) -> Aggregate:
        self._command_touched.setdefault(aggregate.id, len(aggregate.pending_events))
        return aggregate

    def _get(self, aggregate_id: UUID) -> Any:
        aggregate = self._aggregates.get(aggregate_id)
        if aggregate is None:
            try:
                aggregate = self._app.repository.get(aggregate_id, projector_func=self._app.replay)
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

    def _id(self, kind: str, key: str, ask_store: bool = True) -> UUID | None:
        """The id of an order or cart by its natural key (domain/ids.py), one of this batch's first."""
        return self.new_ids.get((kind, key)) or self._app.ids.find(kind, key, ask_store)

    def _existing(self, kind: str, key: str) -> Any:
        """The order or cart with this natural key, or None."""
        oid = self._id(kind, key)
        return None if oid is None else self._get(oid)

    def _existing_unless_new(self, kind: str, key: str) -> Any:
        """Like _existing for one about to be made: optimistically, one unknown is taken as new (see
        _get_unless_new; in the uuid7 scheme the store refuses a second id for the key)."""
        if not self._app.ids.time_ordered:
            return self._get_unless_new(self._app.ids.find(kind, key))
        oid = self._id(kind, key, ask_store=self._check_store)
        return None if oid is None else self._get(oid)

    def _made(self, kind: str, key: str, aggregate: Aggregate) -> None:
        self._add(aggregate)
        if self._app.ids.time_ordered:
            self.new_ids[(kind, key)] = aggregate.id

    def _add(self, aggregate: Aggregate) -> None:
        self._aggregates[aggregate.id] = aggregate
        self._command_touched.setdefault(aggregate.id, 0)

    def first_receipt(self, message_id: str) -> Receipt.Processed | None:
        """The receipt of the message id's first use, in this batch or (when checking) in the store."""
        return self.recorded(receipt_id(message_id))

    def recorded(self, rid: UUID) -> Receipt.Processed | None:
        receipt = self.receipts.get(rid)
        if receipt is None and self._check_store:
            stored = self._app.recorder.select_events(rid, limit=1)
            receipt = self._app.mapper.to_domain_event(stored[0]) if stored else None
        return receipt

    def forget(self) -> None:
        """Evict every aggregate of this batch from the application's cache (the batch failed)."""
        cache = self._app.repository.cache
        if cache is not None:
            for aggregate_id in self._aggregates:
                try:
                    cache.get(aggregate_id, evict=True)
                except KeyError:
                    pass

    def park(self, command: Command, error: str) -> None:
        """Keep a message that hit a defect, with its error (again, if it was parked before)."""
        parked = self._get_unless_new(parked_id(command.message_id))
        if parked is None:
            self._add(ParkedMessage(message_id=command.message_id, message_type=command.message_type,
                                    order_no=command.order_no, message=command.message.decode("utf-8", "replace"),
                                    source=command.source, error=error, at=command.at, **self._whose_or_none(command)))
        elif parked.is_parked:
            parked.fail_again(error, at=command.at)

    def _whose_or_none(self, command: Command) -> dict[str, str]:
        """Whose the message is, unless finding out fails: the order it is about may be what could not
        be loaded (an event that does not replay, upcast or unseal) — the message is parked all the same,
        with its masked copy only, never crashing the batch. A store fault is transient: raised."""
        try:
            return self._whose(command)
        except PersistenceError:
            raise
        except Exception:
            return {}

    def _whose(self, command: Command) -> dict[str, str]:
        """Whose personal data a parked message may hold: the buyer whose order or inquiry it starts,
        or the order or inquiry it is about (SPEC §7: sealed as their events are)."""
        try:
            data = json.loads(command.message).get("data") or {}
        except (ValueError, AttributeError):
            data = {}
        buyer = data.get("buyer") if isinstance(data, dict) else None
        if isinstance(buyer, dict) and buyer.get("id"):
            return {"buyer_id": str(buyer["id"])}
        if command.message_type == "inquiry.posted" and data.get("buyer_id"):
            return {"buyer_id": str(data["buyer_id"])}
        order = self._existing(ORDER, command.order_no) if command.order_no else None
        if order is not None:
            return {"key_of": str(order.id)}
        if isinstance(data, dict) and data.get("inquiry_no") and self._get(inquiry_id(str(data["inquiry_no"]))) is not None:
            return {"key_of": str(inquiry_id(str(data["inquiry_no"])))}
        return {}

    def parked(self, message_id: str) -> ParkedMessage | None:
        return self._get(parked_id(message_id))

    def settle_parked(self, command: Command, outcome: str) -> None:
        parked = self._get(parked_id(command.message_id))
        if parked is not None and parked.is_parked:
            parked.settle(outcome, at=command.at)

    def record(self, receipt: Receipt.Processed) -> None:
        self.receipts[receipt.originator_id] = receipt

    def order(self, order_no: str, at: datetime | None = None) -> Order:
        """The order (UnknownOrder if never placed); a message dated `at` about it alone must not
        be dated before its latest event (OutOfOrder) — checked in SPEC §9's order, before the actor."""
        order = self._existing(ORDER, order_no)
        if order is None:
            raise UnknownOrder(f"order {order_no!r} was never placed")
        if at is not None:
            order.check_in_time(at)
        return order

    def place_order(self, **placed: Any) -> Order:
        """A new order (SPEC §9: that it is new is checked before who placed it), and its cart."""
        if self._existing_unless_new(ORDER, placed["order_no"]) is not None:
            raise OrderExists(f"order {placed['order_no']!r} exists")
        order = Order.place(id=self._app.ids.new(), **placed)
        self._made(ORDER, order.order_no, order)
        cart = self._existing_unless_new(CART, order.cart_no)
        if cart is None:
            cart = Cart.open(cart_no=order.cart_no, at=order.placed_at, id=self._app.ids.new())
            self._made(CART, order.cart_no, cart)
        cart.add_order(order.order_no, at=order.placed_at)
        return order

    def cart(self, cart_no: str) -> Cart:
        cart = self._existing(CART, cart_no)
        if cart is None:
            raise UnknownOrder(f"cart {cart_no!r} has no order")
        return cart

    def inquiry(self, inquiry_no: str) -> Inquiry:
        inquiry = self._get(inquiry_id(inquiry_no))
        if inquiry is None:
            raise UnknownInquiry(f"inquiry {inquiry_no!r} was never posted")
        return inquiry

    def post_inquiry(self, **posted: Any) -> Inquiry:
        """A buyer's question (SPEC §10: new, then who asks, then not restricted on the item)."""
        if self._get_unless_new(inquiry_id(posted["inquiry_no"])) is not None:
            raise InquiryExists(f"inquiry {posted['inquiry_no']!r} exists")
        inquiry = Inquiry.post(**posted)
        if posted["buyer_id"] in self._restricted_on(posted["seller_id"], posted["item_no"]):
            raise AskerRestricted("the buyer may not ask on this item again")
        self._add(inquiry)
        return inquiry

    def hide_inquiry(self, *, inquiry_no: str, actor: str, at: datetime, title: str, reason: str,
                     restrict_asker: bool) -> None:
        inquiry = self.inquiry(inquiry_no)
        inquiry.hide(actor=actor, at=at, title=title, reason=reason, restrict_asker=restrict_asker)
        if restrict_asker:
            item = self._get(item_id(inquiry.seller_id, inquiry.item_no))
            if item is None:
                item = ItemInquiries(item_no=inquiry.item_no, seller_id=inquiry.seller_id)
                self._add(item)
            item.restrict(actor=actor, at=at, buyer_id=inquiry.buyer_id)

    def _restricted_on(self, seller_id: str, item_no: str) -> set[str]:
        """The askers restricted on the seller's item: its own, and those an earlier release recorded
        under the item number alone (which did not know the seller: they hold for every seller's item
        of that number, as they did then)."""
        restricted: set[str] = set()
        for item in (self._get(item_id(seller_id, item_no)), self._get(legacy_item_id(item_no))):
            if item is not None:
                restricted.update(item.restricted)
        return restricted

    def buyer(self, buyer_id: str) -> Buyer | None:
        return self._get(buyer_uuid(buyer_id))

    def add(self, aggregate: Aggregate) -> None:
        self._add(aggregate)

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
        if order_no:  # a message naming one order keeps to its order's time; a bulk one is not checked
            self.order(order_no, at)
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


