"""The mapping of a valid upstream message to a command on the Orders application (SPEC §4)."""

from collections.abc import Callable
from datetime import datetime

from consumers.contracts import Message
from domain.application import Command, UnitOfWork
from domain.claims import check_actor
from domain.order import Order

Handler = Callable[[UnitOfWork, Message], None]


def _on_order(method: str, *fields: str) -> Handler:
    """A handler that calls `Order.<method>(actor, at, **the named data fields)`."""

    def handle(uow: UnitOfWork, message: Message) -> None:
        order = uow.order(message.envelope.order_no)
        kwargs = {name: getattr(message.data, name) for name in fields}
        getattr(order, method)(actor=message.envelope.actor, at=message.envelope.occurred_at, **kwargs)

    return handle


def _register_seller(uow: UnitOfWork, message: Message) -> None:
    check_actor("register_seller", message.envelope.actor)
    uow.register_seller(
        seller_id=message.data.seller_id,
        level=message.data.level,
        at=message.envelope.occurred_at,
        actor=message.envelope.actor,
    )


def _place_order(uow: UnitOfWork, message: Message) -> None:
    envelope, data = message.envelope, message.data
    placed = dict(
        order_no=envelope.order_no,
        cart_no=data.cart_no,
        seller_id=data.seller_id,
        buyer=data.buyer.model_dump(),
        item=data.item.model_dump(),
        quantity=data.quantity,
        unit_price=data.unit_price,
        shipping_fee=data.shipping_fee,
        payment_method=data.payment_method,
        item_kind=data.item_kind,
        region=data.region,
        promised_ship_date=data.promised_ship_date,
        at=envelope.occurred_at,
        actor=envelope.actor,
    )
    uow.place_order(**placed)


def _send_message(uow: UnitOfWork, message: Message) -> None:
    """One send per cart, however many of the cart's orders were picked; each order notes it."""
    envelope, data = message.envelope, message.data
    order_nos = list(data.order_nos) + ([envelope.order_no] if envelope.order_no else [])
    orders: list[Order] = [uow.order(no) for no in dict.fromkeys(order_nos)]
    if data.cart_no:
        orders += [uow.order(no) for no in uow.cart(data.cart_no).order_nos if no not in order_nos]
    check_actor("message_buyer", envelope.actor)
    by_cart: dict[str, list[Order]] = {}
    for order in orders:
        by_cart.setdefault(order.cart_no, []).append(order)
    at: datetime = envelope.occurred_at
    for cart_no, picked in by_cart.items():
        uow.cart(cart_no).send_message(at=at, order_nos=[o.order_no for o in picked], text=data.text)
        for order in picked:
            order.note_buyer_message(actor=envelope.actor, at=at, cart_no=cart_no)


def _answer_non_receipt(uow: UnitOfWork, message: Message) -> None:
    data = message.data
    uow.order(message.envelope.order_no).answer_non_receipt(
        actor=message.envelope.actor,
        at=message.envelope.occurred_at,
        action=data.action,
        message=data.message,
        until=data.until,
        carrier=data.carrier,
        tracking_no=data.tracking_no,
    )


def _reship_exchange(uow: UnitOfWork, message: Message) -> None:
    data = message.data
    uow.order(message.envelope.order_no).reship_exchange(
        actor=message.envelope.actor,
        at=message.envelope.occurred_at,
        carrier=data.carrier,
        tracking_no=data.tracking_no,
        cost_bearer=data.cost_bearer,
        reship_date=data.reship_date,
        recipient=data.recipient.model_dump(),
    )


HANDLERS: dict[str, Handler] = {
    "seller.registered": _register_seller,
    "seller.level_changed": _register_seller,
    "order.placed": _place_order,
    "order.prepared": _on_order("prepare", "promised_ship_date"),
    "order.shipped": _on_order("ship", "carrier", "tracking_no", "trackable"),
    "order.delivered": _on_order("deliver", "by"),
    "cancel.requested": _on_order("request_cancel", "reason"),
    "cancel.approved": _on_order("approve_cancel"),
    "cancel.refused": _on_order("refuse_cancel", "reason", "note"),
    "cancel.seller_initiated": _on_order("cancel_for_seller_reason", "reason"),
    "return.requested": _on_order("request_return", "reason", "responsibility", "attachments"),
    "return.approved": _on_order("approve_return", "note"),
    "return.held": _on_order("hold_return", "note"),
    "return.resumed": _on_order("resume_return", "note"),
    "return.collected": _on_order("collect_return", "note"),
    "return_charge.requested": _on_order("request_return_charge", "amount"),
    "return_charge.cancelled": _on_order("cancel_return_charge"),
    "return_charge.paid": _on_order("pay_return_charge"),
    "return_charge.declined": _on_order("decline_return_charge"),
    "exchange.requested": _on_order("request_exchange", "reason"),
    "exchange.accepted": _on_order("accept_exchange", "memo"),
    "exchange.reshipped": _reship_exchange,
    "exchange.converted_to_return": _on_order("convert_exchange_to_return"),
    "non_receipt.reported": _on_order("report_non_receipt", "note"),
    "non_receipt.answered": _answer_non_receipt,
    "claim.refunded_in_full": _on_order("refund_in_full"),
    "claim.withdrawn": _on_order("withdraw_claim", "note"),
    "partial_refund.requested": _on_order("request_partial_refund", "category", "quantity", "amount"),
    "partial_refund.cancelled": _on_order("cancel_partial_refund"),
    "partial_refund.approved": _on_order("approve_partial_refund"),
    "partial_refund.rejected": _on_order("reject_partial_refund"),
    "refund.paid": _on_order("pay_refund"),
    "message.sent": _send_message,
    "feedback.given": _on_order("give_feedback", "rating"),
}


def to_command(message: Message) -> Command:
    handler = HANDLERS[message.type]
    return Command(
        message_id=message.message_id,
        message_type=message.type,
        order_no=message.envelope.order_no,
        at=message.envelope.occurred_at,
        run=lambda uow: handler(uow, message),
    )
