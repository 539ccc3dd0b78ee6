"""A seller's actions from the web and the API (SPEC §8 "Seller actions", docs/decisions/0021).

An action becomes exactly the upstream message of SPEC §4 — `actor: seller`, the order, the server's
time, the client's `message_id` — and is read by the same contract (`consumers.routes.parse`), turned
into the same command (`to_command`) and decided by the same rules and store (`Orders.process`) as a
line of `orderclaims ingest`: embedded, in the request; distributed (a `sender`), produced to the
upstream topic for the ingest workers to decide, and told as pending until its Receipt is in the
store (`store/sent_actions.py`). Nothing here decides a rule: what a page
offers is asked of the rules themselves (each action tried on a copy of the order).

A repeat of a message id is a duplicate (it changes nothing); it is built with the first message's
time, so a retried call with the same content is a duplicate, and one with other content a
`duplicate_conflict`. Only a seller key acts, only on its own orders: another seller's order is
answered exactly as one never placed."""

import copy
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from uuid import NAMESPACE_URL, uuid5

from consumers.contracts import InvalidMessage
from consumers.routes import ROUTES, parse, to_command
from domain.application import Orders
from eventsourcing.application import AggregateNotFoundError

from domain.ids import CART
from domain.claims import MAY_ACT
from domain.errors import Rejected, UnknownOrder
from domain.inquiry import Inquiry, inquiry_id
from domain.order import Order
from domain.receipt import receipt_id
from domain.unit_of_work import replay
from entrypoints.access import Capability, NotFound, Principal
from producers.action_sender import UpstreamSender
from store.sent_actions import SentAction, SentActions

# Every seller message of SPEC §4 on one order: its type -> the Order's command (the claim and
# actor tables' name). `message.sent` on one order is the buyer message (cart-level: its own route).
ORDER_ACTIONS: dict[str, str] = {
    message_type: route.run.command
    for message_type, route in ROUTES.items()
    if getattr(route.run, "command", None) and "seller" in MAY_ACT[route.run.command]
}
ORDER_ACTIONS["message.sent"] = "note_buyer_message"

# A seller's messages on an inquiry (SPEC §10): its type -> the Inquiry's command.
INQUIRY_ACTIONS: dict[str, str] = {"inquiry.answered": "answer", "inquiry.hidden": "hide"}
_INQUIRY_TRIAL = {"inquiry.answered": {"text": "-"},
                  "inquiry.hidden": {"title": "-", "reason": "-", "restrict_asker": False}}

# Codes that depend only on what a form states (an amount, a tracking number, a reason), not on the
# order's state: an action refused only so is still offered.
DATA_CODES = frozenset({"amount_invalid", "tracking_required", "invalid_reason"})

# What an action is tried with to ask the rules whether the state allows it (its data is the form's).
_TRIAL = {
    "order.prepared": {"promised_ship_date": None},
    "order.shipped": {"carrier": "-", "tracking_no": "-", "trackable": True},
    "cancel.refused": {"reason": "-", "note": ""},
    "cancel.seller_initiated": {"reason": "out_of_stock"},
    "return.approved": {"note": ""}, "return.held": {"note": ""}, "return.resumed": {"note": ""},
    "return.collected": {"note": ""},
    "return_charge.requested": {"amount": 1},
    "exchange.accepted": {"memo": ""},
    "exchange.reshipped": {"carrier": "-", "tracking_no": "-", "cost_bearer": "seller", "reship_date": date(2026, 1, 1),
                           "recipient": {"name": "-", "phone": "-", "address": "-"}},
    "non_receipt.answered": {"action": "wait", "message": "", "until": date(2026, 1, 1), "carrier": "",
                             "tracking_no": ""},
    "partial_refund.requested": {"category": "price_or_shipping", "quantity": None, "amount": 1},
}


class UnknownAction(NotFound):
    def __init__(self, message_type: str):
        super().__init__("unknown_action", f"{message_type!r} is not a seller action on an order")


class InvalidAction(Exception):
    """The action's data is not a valid §4 message: `reason` names the field (422)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Decided:
    """What became of one action: its Receipt's answer."""

    message_id: str
    message_type: str
    order_no: str
    occurred_at: str
    outcome: str  # accepted | duplicate | rejected | parked | pending (sent to the broker, not decided yet)
    code: str | None = None
    detail: str | None = None
    origin: dict | None = None

    @property
    def status(self) -> int:
        return {"accepted": 201, "duplicate": 200, "rejected": 409, "pending": 202}.get(self.outcome, 500)

    def as_json(self) -> dict:
        document = {"message_id": self.message_id, "type": self.message_type, "order_no": self.order_no,
                    "occurred_at": self.occurred_at, "outcome": self.outcome, "origin": self.origin}
        if self.code:
            document |= {"code": self.code, "detail": self.detail}
        return document


class Actions:
    """A seller's actions on its orders: decided in the request (embedded mode), or, with a `sender`
    and its `sent` record (distributed mode), produced to the upstream topic."""

    def __init__(self, app: Orders, clock: Callable[[], datetime], sender: UpstreamSender | None = None,
                 sent: SentActions | None = None):
        self.app, self.clock, self.sender, self.sent = app, clock, sender, sent
        self._one_at_a_time = threading.Lock()  # a double click's two requests: the second is the duplicate

    def own_order(self, who: Principal, order_no: str) -> Order:
        """The key's own order; another seller's is answered exactly as one never placed."""
        who.require(Capability.ACT)
        self.app.forget_cached_aggregates()  # other processes (ingest) write this store too
        order = self.app.get_order(order_no)
        if order.seller_id != who.seller_id:
            raise UnknownOrder(f"order {order_no!r} was never placed")
        return order

    def offered(self, who: Principal, order: Order) -> list[str]:
        """The seller actions the order's state allows, in the contract's order: each tried on a copy of
        the order by its own rules (claim table, actor table, specific rules)."""
        if not who.may(Capability.ACT) or order.seller_id != who.seller_id:
            return []
        now, offered = self.clock(), []
        for message_type, command in ORDER_ACTIONS.items():
            if message_type == "message.sent":
                offered.append(message_type)
                continue
            trial = copy.deepcopy(order)
            try:
                getattr(trial, command)(actor="seller", at=now, **_TRIAL.get(message_type, {}))
            except Rejected as rejected:
                if rejected.code not in DATA_CODES:
                    continue
            offered.append(message_type)
        return offered

    def act(self, who: Principal, order_no: str, message_type: str, data: dict, message_id: str, via: str) -> Decided:
        """Send the §4 message of this action through ingest's own path; its Receipt's answer."""
        who.require(Capability.ACT)
        if message_type not in ORDER_ACTIONS:
            raise UnknownAction(message_type)
        if message_type == "message.sent" and (data.get("cart_no") or data.get("order_nos")):
            raise InvalidAction("cart_no, order_nos: a message on one order names no other (a cart's: "
                                "POST /api/carts/{cart_no}/messages)")
        if not message_id or not isinstance(message_id, str):
            raise InvalidAction("message_id: required (an Idempotency-Key header, or the form's)")
        with self._one_at_a_time:
            order = self.own_order(who, order_no)
            return self._send(who, message_id, message_type, order_no, data, via, order.cart_no)

    def message_cart(self, who: Principal, cart_no: str, data: dict, message_id: str, via: str) -> Decided:
        """A message to the buyer of a cart's orders, once per cart (SPEC §4 `message.sent`): sent as the
        seller's own orders of the cart (`order_nos`: all of them, or those picked), never as `cart_no`,
        so it never reaches another seller's order of the same cart. A cart with none of the seller's
        orders is answered as one that does not exist."""
        who.require(Capability.ACT)
        if not message_id or not isinstance(message_id, str):
            raise InvalidAction("message_id: required (an Idempotency-Key header, or the form's)")
        picked = data.get("order_nos") or []
        if not isinstance(picked, list) or data.get("cart_no") not in (None, "", cart_no):
            raise InvalidAction("order_nos: a list of this cart's order numbers; cart_no: this cart's or none")
        with self._one_at_a_time:
            own = self.own_orders_of_cart(who, cart_no)
            if any(no not in own for no in picked):
                raise NotFound("unknown_order", "order_nos: an order that is not one of this cart's")
            data = {**{k: v for k, v in data.items() if k != "cart_no"}, "order_nos": picked or own}
            return self._send(who, message_id, "message.sent", "", data, via, cart_no)

    def act_on_inquiry(self, who: Principal, inquiry_no: str, message_type: str, data: dict, message_id: str,
                       via: str) -> Decided:
        """Answer or hide an inquiry on the seller's own item (SPEC §10): the §10 message with the inquiry's
        number and item filled in by the server; another seller's inquiry is answered as one never posted."""
        who.require(Capability.ACT)
        if message_type not in INQUIRY_ACTIONS:
            raise UnknownAction(message_type)
        if not message_id or not isinstance(message_id, str):
            raise InvalidAction("message_id: required (an Idempotency-Key header, or the form's)")
        with self._one_at_a_time:
            inquiry = self.own_inquiry(who, inquiry_no)
            data = {**{k: v for k, v in data.items() if k not in ("inquiry_no", "item_no")},
                    "inquiry_no": inquiry_no, "item_no": inquiry.item_no}
            return self._send(who, message_id, message_type, "", data, via)

    def own_inquiry(self, who: Principal, inquiry_no: str) -> Inquiry:
        self.app.forget_cached_aggregates()
        try:
            inquiry = self.app.repository.get(inquiry_id(inquiry_no))
        except (AggregateNotFoundError, ValueError):
            inquiry = None
        if inquiry is None or inquiry.seller_id != who.seller_id:
            raise NotFound("unknown_inquiry", f"inquiry {inquiry_no!r} was never posted")
        return inquiry

    def offered_on_inquiry(self, who: Principal, inquiry_no: str) -> list[str]:
        """What the inquiry's state allows (an answer; a hide once answered), asked of its own rules."""
        if not who.may(Capability.ACT):
            return []
        inquiry, offered = self.own_inquiry(who, inquiry_no), []
        for message_type, command in INQUIRY_ACTIONS.items():
            try:
                getattr(copy.deepcopy(inquiry), command)(actor="seller", at=self.clock(), **_INQUIRY_TRIAL[message_type])
            except Rejected:
                continue
            offered.append(message_type)
        return offered

    def own_orders_of_cart(self, who: Principal, cart_no: str) -> list[str]:
        self.app.forget_cached_aggregates()
        try:
            cid = self.app.ids.find(CART, cart_no)  # by the store's id scheme (docs/decisions/0019)
            cart = self.app.repository.get(cid, projector_func=replay) if cid is not None else None
        except (AggregateNotFoundError, ValueError):
            cart = None
        own = [no for no in (cart.order_nos if cart else []) if self.app.get_order(no).seller_id == who.seller_id]
        if not own:
            raise NotFound("unknown_cart", f"cart {cart_no!r} does not exist")
        return own

    def _send(self, who: Principal, message_id: str, message_type: str, order_no: str, data: dict,
              via: str, cart_no: str = "") -> Decided:
        """The §4 message, through ingest's own calls, or to the upstream topic (under the lock).
        `cart_no`: the line's own cart number, which keys it on the topic (the contract ignores it)."""
        first = self._first_time(who, message_id)
        message = {"message_id": stored_id(who, message_id), "type": message_type, "order_no": order_no,
                   "occurred_at": (first or self.clock()).isoformat(), "actor": "seller", "data": data}
        raw = json.dumps(message | ({"cart_no": cart_no} if cart_no else {}), ensure_ascii=False,
                         default=str).encode()
        try:
            parsed = parse(raw)
        except InvalidMessage as invalid:
            raise InvalidAction(invalid.reason) from None
        origin = {"via": via, "key_id": who.key_id}
        if self.sender is not None:
            self.sender.send(raw, origin)  # BrokerUnavailable: nothing recorded as sent
            self.sent.record(SentAction(message["message_id"], who.seller_id, who.key_id, via, message_type, order_no,
                                        datetime.fromisoformat(message["occurred_at"])))
            return Decided(message_id, message_type, order_no, message["occurred_at"], "pending", origin=origin)
        [outcome] = self.app.process([to_command(parsed, raw=raw, source=f"{via} key {who.key_id}", origin=origin)])
        return Decided(message_id, message_type, order_no, message["occurred_at"], outcome.status, outcome.code,
                       outcome.detail, origin)

    def decided(self, who: Principal, order_no: str, message_id: str, repeat: bool = False) -> Decided | None:
        """What became of an action sent on this order of the key's (its Receipt); None for another's."""
        self.own_order(who, order_no)
        found = self.outcome(who, message_id)
        if found is None or found.order_no != order_no:
            return None
        return Decided(**{**found.__dict__, "outcome": "duplicate"}) if repeat and found.outcome != "pending" else found

    def outcome(self, who: Principal, message_id: str) -> Decided | None:
        """An action of this seller's by its client's id: its Receipt's answer once decided, `pending` while
        only sent (distributed mode); None for an id this seller never used (another seller's is another id)."""
        who.require(Capability.ACT)
        stored = self.app.recorder.select_events(receipt_id(stored_id(who, message_id)), limit=1)
        receipt = self.app.mapper.to_domain_event(stored[0]) if stored else None
        if receipt is not None:
            origin = getattr(receipt, "origin", None)
            if not origin or origin.get("key_id") is None:
                return None
            return Decided(message_id, receipt.message_type, receipt.order_no, receipt.at.isoformat(), receipt.outcome,
                           receipt.code, receipt.detail, origin)
        sent = self.sent.find(stored_id(who, message_id)) if self.sent is not None else None
        if sent is None or sent.seller_id != who.seller_id:
            return None
        return Decided(message_id, sent.message_type, sent.order_no, sent.occurred_at.isoformat(), "pending",
                       origin={"via": sent.via, "key_id": sent.key_id})

    def _first_time(self, who: Principal, message_id: str) -> datetime | None:
        """The time of the message id's first use by this seller, if it was used (a retry is built with it):
        its Receipt's, or, not decided yet, its sent record's."""
        stored = self.app.recorder.select_events(receipt_id(stored_id(who, message_id)), limit=1)
        if stored:
            return self.app.mapper.to_domain_event(stored[0]).at
        sent = self.sent.find(stored_id(who, message_id)) if self.sent is not None else None
        return sent.occurred_at if sent else None


ACTION_IDS = uuid5(NAMESPACE_URL, "orderclaims:seller-action")


def stored_id(who: Principal, key: str) -> str:
    """The message id an action is stored under: the client's idempotency key in its seller's own space,
    so no seller's key can take an upstream system's message id or another seller's (a repeat of a
    marketplace message's id would make that message a `duplicate_conflict`, and a conflict's answer
    would tell of another's action)."""
    return str(uuid5(ACTION_IDS, f"{who.seller_id}\x1f{key}"))
