"""The Order aggregate: one line bought, its delivery, its claims, its refunds (SPEC §2–3, §9).

Each public command checks the rules in SPEC §9's order (actor → claim open or not → the specific
rule → the transition) and raises a Rejected error; only then does it trigger one event, whose
private method merely assigns state.
"""

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.calendar import tokyo_date
from domain.claims import Claim, check_actor, next_status
from domain.errors import (
    AlreadyDelivered,
    AlreadyShipped,
    AmountInvalid,
    ClaimOpen,
    InvalidReason,
    InvalidTransition,
    NoBuyerContact,
    NoOpenClaim,
    NotBuyerResponsible,
    NotDelivered,
    RefusalNotAllowed,
    TrackingRequired,
)

ORDER_NAMESPACE = uuid5(NAMESPACE_URL, "orderclaims:order")
SELLER_CANCEL_REASONS = ("out_of_stock", "shipping_delay")
UNSHIPPED = ("new", "preparing")


@lru_cache(maxsize=100_000)
def order_id(order_no: str) -> UUID:
    return uuid5(ORDER_NAMESPACE, order_no)


@dataclass
class Refund:
    """Money owed back to the buyer from the moment it was decided; paid by `refund.paid`."""

    kind: str  # cancel | return | full | partial
    amount: int
    owed_at: datetime
    paid_at: datetime | None = None


@dataclass
class Charge:
    """A return extra charge billed to the buyer (requested → paid | declined | cancelled)."""

    amount: int
    status: str
    requested_at: datetime
    settled_at: datetime | None = None


@dataclass
class PartialRefund:
    """A partial refund waiting for staff (requested → approved | rejected | cancelled)."""

    category: str
    amount: int
    status: str
    requested_at: datetime
    quantity: int | None = None
    decided_at: datetime | None = None


class Order(Aggregate):
    """One order line: one item, a quantity, one seller, at most one open claim."""

    @staticmethod
    def create_id(order_no: str, **_: object) -> UUID:
        return order_id(order_no)

    @event("Placed")
    def __init__(
        self,
        order_no: str,
        cart_no: str,
        seller_id: str,
        buyer: dict,
        item: dict,
        quantity: int,
        unit_price: int,
        shipping_fee: int,
        payment_method: str,
        item_kind: str,
        region: str,
        promised_ship_date: date,
        at: datetime,
        actor: str = "buyer",
    ):
        self.order_no = order_no
        self.cart_no = cart_no
        self.seller_id = seller_id
        self.buyer = buyer
        self.item = item
        self.quantity = quantity
        self.unit_price = unit_price
        self.shipping_fee = shipping_fee
        self.payment_method = payment_method
        self.item_kind = item_kind
        self.region = region
        self.promised_ship_date = promised_ship_date
        self.placed_at = at
        self.delivery = "new"
        self.outcome: str | None = None  # cancelled | refunded
        self.prepared_at: datetime | None = None
        self.shipped_at: datetime | None = None
        self.shipment: dict = {}
        self.delivered_at: datetime | None = None
        self.delivered_by: str | None = None
        self.claim: Claim | None = None
        self.past_claims: list[Claim] = []
        self.refunds: list[Refund] = []
        self.charges: list[Charge] = []
        self.partial_refunds: list[PartialRefund] = []
        self.refused_on: date | None = None
        self.buyer_messages: list[datetime] = []
        self.feedback: str | None = None

    # ---- derived conditions -------------------------------------------------------------

    @property
    def paid(self) -> int:
        return self.quantity * self.unit_price + self.shipping_fee

    @property
    def refunded(self) -> int:
        """Refunds owed or paid (SPEC §9: for settlement, 'refunded' means owed or paid)."""
        return sum(r.amount for r in self.refunds)

    @property
    def refundable(self) -> int:
        return self.paid - self.refunded

    @property
    def charges_paid(self) -> int:
        return sum(c.amount for c in self.charges if c.status == "paid")

    @property
    def pending_charge(self) -> Charge | None:
        return next((c for c in self.charges if c.status == "requested"), None)

    @property
    def pending_partial_refund(self) -> PartialRefund | None:
        return next((p for p in self.partial_refunds if p.status == "requested"), None)

    @property
    def open_claim(self) -> Claim | None:
        return self.claim if self.claim is not None and self.claim.is_open else None

    def is_delayed(self, at: datetime) -> bool:
        """Not yet shipped and the promised ship date is before the Tokyo date of `at`."""
        return self.delivery in UNSHIPPED and self.promised_ship_date < tokyo_date(at)

    def refusal_breached(self, as_of: datetime) -> bool:
        """A cancel was refused and the order was not shipped by the end of that Tokyo day."""
        if self.refused_on is None or tokyo_date(as_of) <= self.refused_on:
            return False
        return self.shipped_at is None or tokyo_date(self.shipped_at) > self.refused_on

    # ---- shared guards ------------------------------------------------------------------

    def _require_no_open_claim(self) -> None:
        if self.open_claim is not None:
            raise ClaimOpen(f"a {self.open_claim.type} claim is {self.open_claim.status}")

    def _require_open(self, *claim_types: str) -> Claim:
        claim = self.open_claim
        if claim is None or claim.type not in claim_types:
            raise NoOpenClaim(f"no open {' or '.join(claim_types)} claim")
        return claim

    def _require_not_closed(self, action: str) -> None:
        if self.outcome is not None:
            raise InvalidTransition(action, f"order {self.outcome}")

    def _require_shipped(self, action: str) -> None:
        if self.delivery not in ("shipping", "delivered"):
            raise NotDelivered(f"{action} needs a shipped order; the order is {self.delivery}")

    def _require_delivered(self, action: str) -> None:
        if self.delivery != "delivered":
            raise NotDelivered(f"{action} needs a delivered order; the order is {self.delivery}")

    def _require_seller_may_ship(self, action: str) -> None:
        self._require_not_closed(action)
        if self.open_claim is not None and self.open_claim.type == "cancel" and (
            self.open_claim.status == "in_progress"
        ):
            raise InvalidTransition(action, "cancel in_progress")

    # ---- delivery -----------------------------------------------------------------------

    def prepare(self, *, actor: str, at: datetime, promised_ship_date: date | None = None) -> None:
        check_actor("prepare", actor)
        self._require_seller_may_ship("prepare")
        if self.delivery not in UNSHIPPED:
            raise InvalidTransition("prepare", self.delivery)
        self._prepared(at=at, actor=actor, promised_ship_date=promised_ship_date)

    @event("Prepared")
    def _prepared(self, at: datetime, actor: str, promised_ship_date: date | None) -> None:
        self.delivery = "preparing"
        self.prepared_at = self.prepared_at or at
        if promised_ship_date is not None:
            self.promised_ship_date = promised_ship_date

    def ship(self, *, actor: str, at: datetime, carrier: str, tracking_no: str, trackable: bool) -> None:
        check_actor("ship", actor)
        self._require_seller_may_ship("ship")
        if self.delivery not in UNSHIPPED:
            raise InvalidTransition("ship", self.delivery)
        self._shipped(at=at, actor=actor, carrier=carrier, tracking_no=tracking_no, trackable=trackable)

    @event("Shipped")
    def _shipped(self, at: datetime, actor: str, carrier: str, tracking_no: str, trackable: bool) -> None:
        self.delivery = "shipping"
        self.shipped_at = at
        self.shipment = {"carrier": carrier, "tracking_no": tracking_no, "trackable": trackable}

    def deliver(self, *, actor: str, at: datetime, by: str) -> None:
        """Carrier tracking, the buyer's receipt confirmation or the system's auto-completion."""
        check_actor("deliver", actor)
        self._require_not_closed("deliver")
        if self.delivery != "shipping":
            raise InvalidTransition("deliver", self.delivery)
        self._delivered(at=at, actor=actor, by=by)

    @event("Delivered")
    def _delivered(self, at: datetime, actor: str, by: str) -> None:
        self.delivery = "delivered"
        self.delivered_at = at
        self.delivered_by = by

    # ---- claims: shared moves -----------------------------------------------------------

    def _file(self, claim: Claim) -> None:
        if self.claim is not None:
            self.past_claims.append(self.claim)
        self.claim = claim

    def _move(self, status: str, at: datetime) -> None:
        assert self.claim is not None
        self.claim.status = status
        if not self.claim.is_open:
            self.claim.closed_at = at

    def _owe(self, kind: str, amount: int, at: datetime) -> None:
        self.refunds.append(Refund(kind=kind, amount=amount, owed_at=at))

    # ---- cancel -------------------------------------------------------------------------

    def request_cancel(self, *, actor: str, at: datetime, reason: str) -> None:
        """A buyer (or the marketplace for a buyer who phoned) asks to cancel."""
        check_actor("request_cancel", actor)
        self._require_no_open_claim()
        if self.delivery == "delivered":
            raise AlreadyDelivered("the order was delivered: ask for a return")
        self._require_not_closed("request cancel")
        immediate = actor == "marketplace" or (
            self.item_kind != "made_to_order" and (self.delivery == "new" or self.is_delayed(at))
        )
        status = "in_progress" if immediate else "requested"
        self._cancel_requested(
            at=at, actor=actor, reason=reason, status=status, refund=self.refundable if immediate else 0
        )

    @event("CancelRequested")
    def _cancel_requested(self, at: datetime, actor: str, reason: str, status: str, refund: int) -> None:
        self._file(Claim(type="cancel", status=status, filed_at=at, filed_by=actor, reason=reason))
        if refund:
            self._owe("cancel", refund, at)

    def approve_cancel(self, *, actor: str, at: datetime) -> None:
        check_actor("approve_cancel", actor)
        claim = self._require_open("cancel")
        next_status("cancel", claim.status, "approve")
        self._cancel_approved(at=at, actor=actor, refund=self.refundable)

    @event("CancelApproved")
    def _cancel_approved(self, at: datetime, actor: str, refund: int) -> None:
        self._move("in_progress", at)
        self._owe("cancel", refund, at)

    def refuse_cancel(self, *, actor: str, at: datetime, reason: str, note: str = "") -> None:
        """Allowed on prepared or shipped orders and made-to-order items; ship the same day."""
        check_actor("refuse_cancel", actor)
        claim = self._require_open("cancel")
        if self.item_kind != "made_to_order" and (self.delivery == "new" or self.is_delayed(at)):
            state = "delayed" if self.delivery != "new" else "new"
            raise RefusalNotAllowed(f"a {state} order's cancel completes at once; it cannot be refused")
        next_status("cancel", claim.status, "refuse")
        self._cancel_refused(at=at, actor=actor, reason=reason, note=note)

    @event("CancelRefused")
    def _cancel_refused(self, at: datetime, actor: str, reason: str, note: str) -> None:
        self._move("refused", at)
        self.claim.details["refusal"] = {"reason": reason, "note": note}
        if self.delivery in UNSHIPPED:
            self.refused_on = tokyo_date(at)

    def cancel_for_seller_reason(self, *, actor: str, at: datetime, reason: str) -> None:
        """Seller-reason cancel (販売店都合) before shipping: out of stock or shipping delay only."""
        check_actor("cancel_for_seller_reason", actor)
        self._require_no_open_claim()
        if reason not in SELLER_CANCEL_REASONS:
            raise InvalidReason(f"seller-reason cancel reason must be one of {SELLER_CANCEL_REASONS}")
        if self.delivery not in UNSHIPPED:
            raise AlreadyShipped(f"the order is {self.delivery}")
        self._require_not_closed("seller cancel")
        self._cancelled_by_seller(at=at, actor=actor, reason=reason, refund=self.refundable)

    @event("CancelledBySeller")
    def _cancelled_by_seller(self, at: datetime, actor: str, reason: str, refund: int) -> None:
        self._file(Claim(type="cancel", status="in_progress", filed_at=at, filed_by=actor, reason=reason))
        self._owe("cancel", refund, at)

    # ---- return -------------------------------------------------------------------------

    def request_return(
        self, *, actor: str, at: datetime, reason: str, responsibility: str, attachments: list[str]
    ) -> None:
        check_actor("request_return", actor)
        self._require_no_open_claim()
        self._require_shipped("return")
        self._require_not_closed("request return")
        self._return_requested(
            at=at, actor=actor, reason=reason, responsibility=responsibility, attachments=list(attachments)
        )

    @event("ReturnRequested")
    def _return_requested(
        self, at: datetime, actor: str, reason: str, responsibility: str, attachments: list[str]
    ) -> None:
        self._file(
            Claim(
                type="return",
                status="requested",
                filed_at=at,
                filed_by=actor,
                reason=reason,
                responsibility=responsibility,
                attachments=attachments,
            )
        )

    def approve_return(self, *, actor: str, at: datetime, note: str = "") -> None:
        self._return_step("approve_return", "approve", actor, at, note)

    def hold_return(self, *, actor: str, at: datetime, note: str = "") -> None:
        self._return_step("hold_return", "hold", actor, at, note)

    def resume_return(self, *, actor: str, at: datetime, note: str = "") -> None:
        self._return_step("resume_return", "resume", actor, at, note)

    def _return_step(self, command: str, action: str, actor: str, at: datetime, note: str) -> None:
        check_actor(command, actor)
        claim = self._require_open("return")
        status = next_status("return", claim.status, action)
        self._return_moved(at=at, actor=actor, action=action, status=status, note=note)

    @event("ReturnMoved")
    def _return_moved(self, at: datetime, actor: str, action: str, status: str, note: str) -> None:
        self._move(status, at)

    def collect_return(self, *, actor: str, at: datetime, note: str = "") -> None:
        """The goods came back: the refund is requested (回収完了/返金要請)."""
        check_actor("collect_return", actor)
        claim = self._require_open("return")
        next_status("return", claim.status, "collect")
        self._return_collected(at=at, actor=actor, note=note, refund=self.refundable)

    @event("ReturnCollected")
    def _return_collected(self, at: datetime, actor: str, note: str, refund: int) -> None:
        self._move("collected", at)
        if refund:
            self._owe("return", refund, at)

    # ---- return extra charge ------------------------------------------------------------

    def request_return_charge(self, *, actor: str, at: datetime, amount: int) -> None:
        check_actor("request_return_charge", actor)
        claim = self._require_open("return")
        if claim.responsibility != "buyer":
            raise NotBuyerResponsible("the return is the seller's responsibility")
        if not 0 < amount <= self.paid:
            raise AmountInvalid(f"a return charge must be between 1 and {self.paid} yen")
        if self.pending_charge is not None:
            raise InvalidTransition("request return charge", "a charge is already requested")
        self._return_charge_requested(at=at, actor=actor, amount=amount)

    @event("ReturnChargeRequested")
    def _return_charge_requested(self, at: datetime, actor: str, amount: int) -> None:
        self.charges.append(Charge(amount=amount, status="requested", requested_at=at))

    def cancel_return_charge(self, *, actor: str, at: datetime) -> None:
        self._settle_charge("cancel_return_charge", "cancelled", actor, at)

    def pay_return_charge(self, *, actor: str, at: datetime) -> None:
        self._settle_charge("settle_return_charge", "paid", actor, at)

    def decline_return_charge(self, *, actor: str, at: datetime) -> None:
        self._settle_charge("settle_return_charge", "declined", actor, at)

    def _settle_charge(self, command: str, status: str, actor: str, at: datetime) -> None:
        check_actor(command, actor)
        if self.pending_charge is None:
            raise InvalidTransition(command.replace("_", " "), "no return charge requested")
        self._return_charge_settled(at=at, actor=actor, status=status, amount=self.pending_charge.amount)

    @event("ReturnChargeSettled")
    def _return_charge_settled(self, at: datetime, actor: str, status: str, amount: int) -> None:
        charge = self.pending_charge
        charge.status = status
        charge.settled_at = at

    # ---- exchange -----------------------------------------------------------------------

    def request_exchange(self, *, actor: str, at: datetime, reason: str) -> None:
        check_actor("request_exchange", actor)
        self._require_no_open_claim()
        self._require_shipped("exchange")
        self._require_not_closed("request exchange")
        self._exchange_requested(at=at, actor=actor, reason=reason)

    @event("ExchangeRequested")
    def _exchange_requested(self, at: datetime, actor: str, reason: str) -> None:
        self._file(Claim(type="exchange", status="requested", filed_at=at, filed_by=actor, reason=reason))

    def accept_exchange(self, *, actor: str, at: datetime, memo: str) -> None:
        """The seller accepts with a memo the buyer reads; still counted as `requested`."""
        check_actor("accept_exchange", actor)
        claim = self._require_open("exchange")
        next_status("exchange", claim.status, "accept")
        self._exchange_accepted(at=at, actor=actor, memo=memo)

    @event("ExchangeAccepted")
    def _exchange_accepted(self, at: datetime, actor: str, memo: str) -> None:
        self._move("accepted", at)
        self.claim.details["memo"] = memo

    def reship_exchange(
        self,
        *,
        actor: str,
        at: datetime,
        carrier: str,
        tracking_no: str,
        cost_bearer: str,
        reship_date: date,
        recipient: dict,
    ) -> None:
        check_actor("reship_exchange", actor)
        claim = self._require_open("exchange")
        if not tracking_no.strip():
            raise TrackingRequired("the tracking number is the evidence of the reship")
        next_status("exchange", claim.status, "reship")
        self._exchange_reshipped(
            at=at,
            actor=actor,
            carrier=carrier,
            tracking_no=tracking_no,
            cost_bearer=cost_bearer,
            reship_date=reship_date,
            recipient=recipient,
        )

    @event("ExchangeReshipped")
    def _exchange_reshipped(
        self,
        at: datetime,
        actor: str,
        carrier: str,
        tracking_no: str,
        cost_bearer: str,
        reship_date: date,
        recipient: dict,
    ) -> None:
        self._move("reshipping", at)
        self.claim.details["reship"] = {
            "carrier": carrier,
            "tracking_no": tracking_no,
            "cost_bearer": cost_bearer,
            "reship_date": reship_date,
        }

    def convert_exchange_to_return(self, *, actor: str, at: datetime) -> None:
        """The exchange becomes a return request (the seller's responsibility: the item was faulty)."""
        check_actor("convert_exchange_to_return", actor)
        claim = self._require_open("exchange")
        next_status("exchange", claim.status, "convert_to_return")
        self._exchange_converted(at=at, actor=actor, reason=claim.reason)

    @event("ExchangeConvertedToReturn")
    def _exchange_converted(self, at: datetime, actor: str, reason: str) -> None:
        self._move("converted", at)
        self._file(
            Claim(
                type="return",
                status="requested",
                filed_at=at,
                filed_by=actor,
                reason=reason,
                responsibility="seller",
            )
        )

    # ---- non-receipt --------------------------------------------------------------------

    def report_non_receipt(self, *, actor: str, at: datetime, note: str) -> None:
        check_actor("report_non_receipt", actor)
        self._require_no_open_claim()
        self._require_delivered("non-receipt")
        self._require_not_closed("report non-receipt")
        self._non_receipt_reported(at=at, actor=actor, note=note)

    @event("NonReceiptReported")
    def _non_receipt_reported(self, at: datetime, actor: str, note: str) -> None:
        self._file(Claim(type="non_receipt", status="reported", filed_at=at, filed_by=actor, reason=note))

    def answer_non_receipt(
        self,
        *,
        actor: str,
        at: datetime,
        action: str,
        message: str = "",
        until: date | None = None,
        carrier: str = "",
        tracking_no: str = "",
    ) -> None:
        """The seller asks the buyer to wait until a date, or reships with a tracking number."""
        check_actor("answer_non_receipt", actor)
        claim = self._require_open("non_receipt")
        if action == "reship" and not tracking_no.strip():
            raise TrackingRequired("a reship needs its tracking number")
        next_status("non_receipt", claim.status, "answer")
        answer = {"action": action, "message": message}
        if action == "wait":
            answer["until"] = until
        else:
            answer.update(carrier=carrier, tracking_no=tracking_no)
        self._non_receipt_answered(at=at, actor=actor, answer=answer)

    @event("NonReceiptAnswered")
    def _non_receipt_answered(self, at: datetime, actor: str, answer: dict) -> None:
        self._move("seller_confirmed", at)
        self.claim.details["answer"] = answer

    # ---- full refund, withdrawal, refund payment ----------------------------------------

    def refund_in_full(self, *, actor: str, at: datetime) -> None:
        """Instead of a reship the seller refunds what is left of the payment."""
        check_actor("refund_in_full", actor)
        claim = self._require_open("exchange", "non_receipt")
        if self.refundable <= 0:
            raise AmountInvalid("nothing is left to refund")
        next_status(claim.type, claim.status, "refund_in_full")
        self._refunded_in_full(at=at, actor=actor, refund=self.refundable)

    @event("RefundedInFull")
    def _refunded_in_full(self, at: datetime, actor: str, refund: int) -> None:
        self._move("refunding", at)
        self._owe("full", refund, at)

    def withdraw_claim(self, *, actor: str, at: datetime, note: str = "") -> None:
        """Only the buyer withdraws; the marketplace does it for the seller given the seller's messages."""
        check_actor("withdraw_claim", actor)
        claim = self._require_open("cancel", "return", "exchange", "non_receipt")
        if actor == "marketplace" and not any(sent >= claim.filed_at for sent in self.buyer_messages):
            raise NoBuyerContact("the seller has not messaged the buyer since the claim was filed")
        next_status(claim.type, claim.status, "withdraw")
        self._claim_withdrawn(at=at, actor=actor, note=note)

    @event("ClaimWithdrawn")
    def _claim_withdrawn(self, at: datetime, actor: str, note: str) -> None:
        self._move("withdrawn", at)

    def pay_refund(self, *, actor: str, at: datetime) -> None:
        """Payment paid out the oldest owed refund; a claim waiting for it completes."""
        check_actor("pay_refund", actor)
        owed = next((r for r in self.refunds if r.paid_at is None), None)
        if owed is None:
            raise InvalidTransition("refund paid", "no refund owed")
        claim = self.open_claim if owed.kind != "partial" else None
        if claim is not None:
            next_status(claim.type, claim.status, "refund_paid")
        self._refund_paid(
            at=at, actor=actor, amount=owed.amount, kind=owed.kind, completes=claim.type if claim else None
        )

    @event("RefundPaid")
    def _refund_paid(self, at: datetime, actor: str, amount: int, kind: str, completes: str | None) -> None:
        """`completes` names the claim type this payment completes, if any."""
        owed = next(r for r in self.refunds if r.paid_at is None)
        owed.paid_at = at
        if completes is not None:
            self._move("completed", at)
            self.outcome = "cancelled" if completes == "cancel" else "refunded"

    # ---- partial refund -----------------------------------------------------------------

    def request_partial_refund(
        self, *, actor: str, at: datetime, category: str, quantity: int | None = None, amount: int | None = None
    ) -> None:
        """一部払戻し: a quantity short of the ordered one, or a price/shipping amount; staff decide."""
        check_actor("request_partial_refund", actor)
        self._require_delivered("partial refund")
        if category == "quantity_error":
            if quantity is None or not 0 < quantity < self.quantity:
                raise AmountInvalid(f"the quantity must be between 1 and {self.quantity - 1}")
            amount = quantity * self.unit_price
        if amount is None or not 0 < amount <= self.refundable:
            raise AmountInvalid(f"a partial refund must be between 1 and {self.refundable} yen")
        if self.pending_partial_refund is not None:
            raise InvalidTransition("request partial refund", "a partial refund is pending")
        self._partial_refund_requested(at=at, actor=actor, category=category, quantity=quantity, amount=amount)

    @event("PartialRefundRequested")
    def _partial_refund_requested(
        self, at: datetime, actor: str, category: str, quantity: int | None, amount: int
    ) -> None:
        self.partial_refunds.append(
            PartialRefund(category=category, amount=amount, status="requested", requested_at=at, quantity=quantity)
        )

    def cancel_partial_refund(self, *, actor: str, at: datetime) -> None:
        self._decide_partial_refund("cancel_partial_refund", "cancelled", actor, at)

    def approve_partial_refund(self, *, actor: str, at: datetime) -> None:
        self._decide_partial_refund("decide_partial_refund", "approved", actor, at)

    def reject_partial_refund(self, *, actor: str, at: datetime) -> None:
        self._decide_partial_refund("decide_partial_refund", "rejected", actor, at)

    def _decide_partial_refund(self, command: str, status: str, actor: str, at: datetime) -> None:
        check_actor(command, actor)
        pending = self.pending_partial_refund
        if pending is None:
            raise InvalidTransition(command.replace("_", " "), "no partial refund pending")
        if status == "approved" and pending.amount > self.refundable:
            raise AmountInvalid(f"only {self.refundable} yen can still be refunded")
        self._partial_refund_decided(at=at, actor=actor, status=status, amount=pending.amount)

    @event("PartialRefundDecided")
    def _partial_refund_decided(self, at: datetime, actor: str, status: str, amount: int) -> None:
        pending = self.pending_partial_refund
        pending.status = status
        pending.decided_at = at
        if status == "approved":
            self._owe("partial", pending.amount, at)

    # ---- messages and feedback ----------------------------------------------------------

    def note_buyer_message(self, *, actor: str, at: datetime, cart_no: str) -> None:
        """The seller messaged this order's buyer (the evidence a marketplace withdrawal needs)."""
        check_actor("message_buyer", actor)
        self._buyer_messaged(at=at, actor=actor, cart_no=cart_no)

    @event("BuyerMessaged")
    def _buyer_messaged(self, at: datetime, actor: str, cart_no: str) -> None:
        self.buyer_messages.append(at)

    def give_feedback(self, *, actor: str, at: datetime, rating: str) -> None:
        check_actor("give_feedback", actor)
        self._require_delivered("feedback")
        if self.feedback is not None:
            raise InvalidTransition("give feedback", f"feedback {self.feedback} given")
        self._feedback_given(at=at, actor=actor, rating=rating)

    @event("FeedbackGiven")
    def _feedback_given(self, at: datetime, actor: str, rating: str) -> None:
        self.feedback = rating
