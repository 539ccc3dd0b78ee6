"""One route per upstream message type (SPEC §4): its contract model and the command it becomes.

A route only translates: the message's fields become a call on the Orders application's unit of
work; every rule (who may act, what is allowed when) is the domain's.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from consumers import contracts as c
from consumers.contracts import Data, Envelope, Message, read
from domain.unit_of_work import Command, UnitOfWork

Run = Callable[[UnitOfWork, Envelope, Data], None]


@dataclass(frozen=True)
class Route:
    model: type[Data]
    run: Run
    needs_order: bool = True  # order_no may be empty only for seller and bulk messages


def _plain(value: Any) -> Any:
    return value.model_dump() if isinstance(value, BaseModel) else value


def on_order(method: str, *fields: str) -> Run:
    """`Order.<method>(actor, at, **the named data fields)` on the message's order."""

    def run(uow: UnitOfWork, envelope: Envelope, data: Data) -> None:
        order = uow.order(envelope.order_no, at=envelope.occurred_at)
        getattr(order, method)(actor=envelope.actor, at=envelope.occurred_at,
                               **{name: _plain(getattr(data, name)) for name in fields})

    run.command = method  # the claim and actor tables' name for it (a seller's actions are offered by it)
    return run


def place_order(uow: UnitOfWork, envelope: Envelope, data: c.OrderPlacedData) -> None:
    uow.place_order(order_no=envelope.order_no, at=envelope.occurred_at, actor=envelope.actor, **data.model_dump())


def register_seller(uow: UnitOfWork, envelope: Envelope, data: c.SellerData) -> None:
    uow.register_seller(seller_id=data.seller_id, level=data.level, at=envelope.occurred_at, actor=envelope.actor)


def message_buyer(uow: UnitOfWork, envelope: Envelope, data: c.MessageSentData) -> None:
    uow.message_buyer(actor=envelope.actor, at=envelope.occurred_at, text=data.text, order_no=envelope.order_no,
                      cart_no=data.cart_no, order_nos=data.order_nos)


def post_inquiry(uow: UnitOfWork, envelope: Envelope, data: c.InquiryPostedData) -> None:
    uow.post_inquiry(actor=envelope.actor, at=envelope.occurred_at, **data.model_dump())


def answer_inquiry(uow: UnitOfWork, envelope: Envelope, data: c.InquiryAnsweredData) -> None:
    uow.inquiry(data.inquiry_no).answer(actor=envelope.actor, at=envelope.occurred_at, text=data.text)


def hide_inquiry(uow: UnitOfWork, envelope: Envelope, data: c.InquiryHiddenData) -> None:
    uow.hide_inquiry(inquiry_no=data.inquiry_no, actor=envelope.actor, at=envelope.occurred_at, title=data.title,
                     reason=data.reason, restrict_asker=data.restrict_asker)


ROUTES: dict[str, Route] = {
    "seller.registered": Route(c.SellerData, register_seller, needs_order=False),
    "seller.level_changed": Route(c.SellerData, register_seller, needs_order=False),
    "order.placed": Route(c.OrderPlacedData, place_order),
    "order.prepared": Route(c.OrderPreparedData, on_order("prepare", "promised_ship_date")),
    "order.shipped": Route(c.OrderShippedData, on_order("ship", "carrier", "tracking_no", "trackable")),
    "order.delivered": Route(c.OrderDeliveredData, on_order("deliver", "by")),
    "cancel.requested": Route(c.ReasonData, on_order("request_cancel", "reason")),
    "cancel.approved": Route(c.NoData, on_order("approve_cancel")),
    "cancel.refused": Route(c.CancelRefusedData, on_order("refuse_cancel", "reason", "note")),
    "cancel.seller_initiated": Route(c.ReasonData, on_order("cancel_for_seller_reason", "reason")),
    "return.requested": Route(c.ReturnRequestedData,
                              on_order("request_return", "reason", "responsibility", "attachments")),
    "return.approved": Route(c.NoteData, on_order("approve_return", "note")),
    "return.held": Route(c.NoteData, on_order("hold_return", "note")),
    "return.resumed": Route(c.NoteData, on_order("resume_return", "note")),
    "return.collected": Route(c.NoteData, on_order("collect_return", "note")),
    "return_charge.requested": Route(c.AmountData, on_order("request_return_charge", "amount")),
    "return_charge.cancelled": Route(c.NoData, on_order("cancel_return_charge")),
    "return_charge.paid": Route(c.NoData, on_order("pay_return_charge")),
    "return_charge.declined": Route(c.NoData, on_order("decline_return_charge")),
    "exchange.requested": Route(c.ReasonData, on_order("request_exchange", "reason")),
    "exchange.accepted": Route(c.ExchangeAcceptedData, on_order("accept_exchange", "memo")),
    "exchange.reshipped": Route(c.ExchangeReshippedData, on_order(
        "reship_exchange", "carrier", "tracking_no", "cost_bearer", "reship_date", "recipient")),
    "exchange.converted_to_return": Route(c.NoData, on_order("convert_exchange_to_return")),
    "non_receipt.reported": Route(c.NonReceiptReportedData, on_order("report_non_receipt", "note")),
    "non_receipt.answered": Route(c.NonReceiptAnsweredData, on_order(
        "answer_non_receipt", "action", "message", "until", "carrier", "tracking_no")),
    "claim.refunded_in_full": Route(c.NoData, on_order("refund_in_full")),
    "claim.withdrawn": Route(c.NoteData, on_order("withdraw_claim", "note")),
    "partial_refund.requested": Route(c.PartialRefundRequestedData,
                                      on_order("request_partial_refund", "category", "quantity", "amount")),
    "partial_refund.cancelled": Route(c.NoData, on_order("cancel_partial_refund")),
    "partial_refund.approved": Route(c.NoData, on_order("approve_partial_refund")),
    "partial_refund.rejected": Route(c.NoData, on_order("reject_partial_refund")),
    "refund.paid": Route(c.NoData, on_order("pay_refund")),
    "message.sent": Route(c.MessageSentData, message_buyer, needs_order=False),
    "feedback.given": Route(c.FeedbackGivenData, on_order("give_feedback", "rating")),
    "inquiry.posted": Route(c.InquiryPostedData, post_inquiry, needs_order=False),
    "inquiry.answered": Route(c.InquiryAnsweredData, answer_inquiry, needs_order=False),
    "inquiry.hidden": Route(c.InquiryHiddenData, hide_inquiry, needs_order=False),
}


def _model_of(message_type: str) -> type[Data] | None:
    route = ROUTES.get(message_type)
    return route.model if route else None


def parse(raw: bytes | str) -> Message:
    """One upstream line as a valid Message, or InvalidMessage with a reason naming the field."""
    return read(raw, _model_of, lambda message_type: ROUTES[message_type].needs_order)


def to_command(message: Message, raw: bytes = b"", source: str = "", retry: bool = False,
               origin: dict | None = None) -> Command:
    """The command a valid message becomes; `raw` and `source` are kept if it is parked."""
    run, envelope, data = ROUTES[message.type].run, message.envelope, message.data
    return Command(
        message_id=message.message_id,
        message_type=message.type,
        order_no=envelope.order_no,
        at=envelope.occurred_at,
        run=lambda uow: run(uow, envelope, data),
        message=raw,
        source=source,
        retry=retry,
        fingerprint=message.fingerprint or None,
        origin=origin,
    )
