"""Rejections: a valid message that a rule of the marketplace forbids, each with its stable code."""


class Rejected(Exception):
    """A rule said no; nothing changed."""

    code = "rejected"

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class UnknownOrder(Rejected):
    """The order was never placed."""

    code = "unknown_order"


class OrderExists(Rejected):
    """`order.placed` for an order that exists."""

    code = "order_exists"


class ClaimOpen(Rejected):
    """A new claim while another is open."""

    code = "claim_open"


class NoOpenClaim(Rejected):
    """A claim action with no open claim of that type."""

    code = "no_open_claim"


class InvalidTransition(Rejected):
    """An action the claim's or order's current status does not allow."""

    code = "invalid_transition"

    def __init__(self, action: str, status: str):
        super().__init__(f"{action} is not allowed while {status}")
        self.action = action
        self.status = status


class ActorNotAllowed(Rejected):
    """The actor may not do this."""

    code = "actor_not_allowed"


class RefusalNotAllowed(Rejected):
    """Cancel refusal on a new or delayed order that is not made to order."""

    code = "refusal_not_allowed"


class InvalidReason(Rejected):
    """A seller-reason cancel with a reason other than out_of_stock / shipping_delay."""

    code = "invalid_reason"


class AlreadyShipped(Rejected):
    """A seller-reason cancel after shipping."""

    code = "already_shipped"


class AlreadyDelivered(Rejected):
    """A buyer cancel request after delivery (that is a return)."""

    code = "already_delivered"


class NotDelivered(Rejected):
    """The order has not reached the delivery status the action needs."""

    code = "not_delivered"


class AmountInvalid(Rejected):
    """A refund or charge <= 0, or more than can still be refunded / was paid."""

    code = "amount_invalid"


class NotBuyerResponsible(Rejected):
    """A return extra charge on a seller-responsible return."""

    code = "not_buyer_responsible"


class NoBuyerContact(Rejected):
    """A marketplace withdrawal with no seller-to-buyer message since the claim was filed."""

    code = "no_buyer_contact"


class TrackingRequired(Rejected):
    """A reship without a tracking number."""

    code = "tracking_required"


class OutOfOrder(Rejected):
    """A message dated before the latest accepted event of its order: time never runs backwards."""

    code = "out_of_order"


class UnknownInquiry(Rejected):
    """An inquiry that was never posted."""

    code = "unknown_inquiry"


class InquiryExists(Rejected):
    """`inquiry.posted` for an inquiry that exists."""

    code = "inquiry_exists"


class NotAnswered(Rejected):
    """Hiding an inquiry before it was answered."""

    code = "not_answered"


class AlreadyHidden(Rejected):
    """Hiding an inquiry twice."""

    code = "already_hidden"


class AskerRestricted(Rejected):
    """A buyer restricted on an item posts again on it."""

    code = "asker_restricted"


class AlreadyExchanged(Rejected):
    """The month's service points were exchanged already."""

    code = "already_exchanged"


class ExchangeWindowClosed(Rejected):
    """Only the previous month's points can be exchanged."""

    code = "exchange_window_closed"


class NothingToExchange(Rejected):
    """Fewer than 100 points to exchange."""

    code = "nothing_to_exchange"


class DuplicateConflict(Rejected):
    """A repeated message_id whose content differs from the first message's: nothing changes."""

    code = "duplicate_conflict"


REJECTION_CODES = tuple(
    cls.code for cls in Rejected.__subclasses__()
)
