"""SPEC §3 cancel: the buyer's request (at once on a new or delayed order), the seller's approval or
refusal (then ship the same Tokyo day), the seller-reason cancel; and the refusal-breach rule."""

from datetime import date, datetime

from domain.calendar import tokyo_date
from domain.claims import CANCEL, check_actor, next_status
from domain.errors import AlreadyDelivered, AlreadyShipped, InvalidReason, InvalidTransition, RefusalNotAllowed
from domain.rules.guards import UNSHIPPED, Delivery, OrderGuards

SELLER_CANCEL_REASONS = ("out_of_stock", "shipping_delay")


def refusal_breached(refused_on: date | None, shipped_at: datetime | None, as_of: datetime) -> bool:
    """A cancel was refused and the order was not shipped by the end of that Tokyo day."""
    if refused_on is None or tokyo_date(as_of) <= refused_on:
        return False
    return shipped_at is None or tokyo_date(shipped_at) > refused_on


class CancelRules(OrderGuards):
    refused_on: date | None
    shipped_at: datetime | None

    def refusal_breached(self, as_of: datetime) -> bool:
        return refusal_breached(self.refused_on, self.shipped_at, as_of)

    def request_cancel(self, *, actor: str, at: datetime, reason: str) -> None:
        """A buyer (or the marketplace for a buyer who phoned) asks to cancel; on a new or delayed
        order (not made to order), or from the marketplace, the request is approved at once."""
        check_actor("request_cancel", actor)
        self._require_no_open_claim()
        if self.delivery == Delivery.DELIVERED:
            raise AlreadyDelivered("the order was delivered: ask for a return")
        self._require_not_closed("request cancel")
        status = next_status(CANCEL, None, "request_cancel")
        immediate = actor == "marketplace" or (
            self.item_kind != "made_to_order" and (self.delivery == Delivery.NEW or self.is_delayed(at))
        )
        refund, outcome = 0, None
        if immediate:
            refund = self.money.refundable
            status, outcome = self._refund_decided(CANCEL, next_status(CANCEL, status, "approve_cancel"), refund)
        self._cancel_requested(at=at, actor=actor, claim_type=CANCEL, status=status, refund=refund, outcome=outcome,
                               reason=reason)

    def approve_cancel(self, *, actor: str, at: datetime) -> None:
        check_actor("approve_cancel", actor)
        refund = self.money.refundable
        status, outcome = self._refund_decided(CANCEL, self._require_open(CANCEL).next("approve_cancel"), refund)
        self._cancel_approved(at=at, actor=actor, claim_type=CANCEL, status=status, refund=refund, outcome=outcome)

    def refuse_cancel(self, *, actor: str, at: datetime, reason: str, note: str = "") -> None:
        """Allowed on prepared or shipped orders and made-to-order items; ship the same day."""
        check_actor("refuse_cancel", actor)
        claim = self._require_open(CANCEL)
        if self.item_kind != "made_to_order" and (self.delivery == Delivery.NEW or self.is_delayed(at)):
            state = "delayed" if self.delivery != Delivery.NEW else "new"
            raise RefusalNotAllowed(f"a {state} order's cancel completes at once; it cannot be refused")
        if self.delivery == Delivery.DELIVERED:  # refusal needs a prepared or shipped order (SPEC §9)
            raise InvalidTransition("refuse cancel", "the order was delivered")
        status = claim.next("refuse_cancel")
        self._cancel_refused(at=at, actor=actor, claim_type=CANCEL, status=status, reason=reason, note=note)

    def cancel_for_seller_reason(self, *, actor: str, at: datetime, reason: str) -> None:
        """Seller-reason cancel (販売店都合) before shipping: out of stock or shipping delay only."""
        check_actor("cancel_for_seller_reason", actor)
        self._require_no_open_claim()
        if reason not in SELLER_CANCEL_REASONS:
            raise InvalidReason(f"seller-reason cancel reason must be one of {SELLER_CANCEL_REASONS}")
        if self.delivery not in UNSHIPPED:
            raise AlreadyShipped(f"the order is {self.delivery}")
        self._require_not_closed("seller cancel")
        refund = self.money.refundable
        status, outcome = self._refund_decided(CANCEL, next_status(CANCEL, None, "cancel_for_seller_reason"), refund)
        self._cancelled_by_seller(at=at, actor=actor, claim_type=CANCEL, status=status, refund=refund, outcome=outcome,
                                  reason=reason)
