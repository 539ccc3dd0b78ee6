"""The Order aggregate: one line bought, its delivery, its claims, its money (SPEC §2–3, §9).

The rules live in the mixins of `domain/rules/`, one per SPEC section: each public command checks
them in SPEC §9's order and raises a Rejected error, asks the claim table (`domain/claims.py`)
for the next status, and only then triggers one event. The event methods below merely assign
what their event carries; the events are every fact there is.

Every claim event carries the claim's type and the status the table gave (`ClaimEvent`), and
where money becomes owed, the refund (`RefundDecided`). Events that open a claim say so
(`opens_claim`). Versions: `class_version` and `upcast_v1_v2` record what release 0.1 stored;
the events it stored under other names are mapped in `domain/versions.py`.
"""

from datetime import date, datetime
from functools import lru_cache
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.calendar import tokyo_date
from domain.claims import CANCEL, EXCHANGE, NON_RECEIPT, RETURN, Claim, ClaimType, Status, check_actor
from domain.money import ChargeStatus, Ledger, PartialRefundStatus, RefundKind, amount_paid, refund_destination
from domain.rules.cancel import CancelRules
from domain.rules.claims_end import ClaimEndRules
from domain.rules.delivery import DeliveryRules
from domain.rules.exchange import ExchangeRules
from domain.rules.guards import UNSHIPPED, Delivery, Outcome
from domain.rules.partial_refunds import PartialRefundRules
from domain.rules.non_receipt import NonReceiptRules
from domain.rules.returns import ReturnRules
from domain.upcasting import adds, renames

ORDER_NAMESPACE = uuid5(NAMESPACE_URL, "orderclaims:order")


@lru_cache(maxsize=100_000)
def order_id(order_no: str) -> UUID:
    return uuid5(ORDER_NAMESPACE, order_no)


class Order(
    DeliveryRules, CancelRules, ReturnRules, ExchangeRules, NonReceiptRules, ClaimEndRules, PartialRefundRules, Aggregate
):
    """One order line: one item, a quantity, one seller, at most one open claim."""

    # ---- the events: claim events declared, the others made by @event from their methods ----------

    class Event(Aggregate.Event):
        """Every event of an order; the order keeps the latest time any of them happened."""

        def mutate(self, aggregate: "Order | None") -> "Order | None":
            aggregate = super().mutate(aggregate)
            at = self.__dict__.get("at")
            if at is not None and at > aggregate.last_at:
                aggregate.last_at = at
            return aggregate

    class ClaimEvent(Event):
        """A claim moved: its type, and the status the claim table gave."""

        opens_claim: ClassVar[bool] = False
        at: datetime
        actor: str
        claim_type: ClaimType | None  # None only where release 0.1 did not record it: the claim open then
        status: Status | None

    class RefundDecided(ClaimEvent):
        """A claim move that makes money owed to the buyer; a refund of 0 owes nothing, and the
        claim completes at once, ending the order `outcome` (else None)."""

        refund: int
        outcome: Outcome | None

    class CancelRequested(RefundDecided):
        opens_claim = True
        reason: str
        class_version = 2
        upcast_v1_v2 = adds(claim_type=CANCEL, outcome=None)

    class CancelledBySeller(RefundDecided):
        opens_claim = True
        reason: str
        class_version = 2
        upcast_v1_v2 = adds(claim_type=CANCEL, status=Status.IN_PROGRESS, outcome=None)

    class CancelApproved(RefundDecided):
        class_version = 2
        upcast_v1_v2 = adds(claim_type=CANCEL, status=Status.IN_PROGRESS, outcome=None)

    class CancelRefused(ClaimEvent):
        reason: str
        note: str
        class_version = 2
        upcast_v1_v2 = adds(claim_type=CANCEL, status=Status.REFUSED)

    class ReturnRequested(ClaimEvent):
        opens_claim = True
        reason: str
        responsibility: str
        attachments: list[str]
        class_version = 2
        upcast_v1_v2 = adds(claim_type=RETURN, status=Status.REQUESTED)

    class ReturnApproved(ClaimEvent):
        note: str

    class ReturnHeld(ClaimEvent):
        note: str

    class ReturnResumed(ClaimEvent):
        note: str

    class ReturnCollected(RefundDecided):
        note: str
        class_version = 2
        upcast_v1_v2 = adds(claim_type=RETURN, status=Status.COLLECTED, outcome=None)

    class ExchangeRequested(ClaimEvent):
        opens_claim = True
        reason: str
        class_version = 2
        upcast_v1_v2 = adds(claim_type=EXCHANGE, status=Status.REQUESTED)

    class ExchangeAccepted(ClaimEvent):
        memo: str
        class_version = 2
        upcast_v1_v2 = adds(claim_type=EXCHANGE, status=Status.ACCEPTED)

    class ExchangeReshipped(ClaimEvent):
        carrier: str
        tracking_no: str
        cost_bearer: str
        reship_date: date
        recipient: dict
        class_version = 2
        upcast_v1_v2 = adds(claim_type=EXCHANGE, status=Status.RESHIPPING)

    class ExchangeConvertedToReturn(ClaimEvent):
        """The exchange ends (`exchange_status`) and a return claim opens (`claim_type`, `status`)."""

        opens_claim = True
        reason: str
        exchange_status: Status
        class_version = 2
        upcast_v1_v2 = adds(claim_type=RETURN, status=Status.REQUESTED, exchange_status=Status.CONVERTED)

    class NonReceiptReported(ClaimEvent):
        opens_claim = True
        reason: str  # the buyer's note
        class_version = 2
        upcast_v1_v2 = renames("note", "reason", claim_type=NON_RECEIPT, status=Status.REPORTED)

    class NonReceiptAnswered(ClaimEvent):
        answer: dict
        class_version = 2
        upcast_v1_v2 = adds(claim_type=NON_RECEIPT, status=Status.SELLER_CONFIRMED)

    class RefundedInFull(RefundDecided):
        class_version = 2
        upcast_v1_v2 = adds(claim_type=None, status=Status.REFUNDING, outcome=None)

    class ClaimWithdrawn(ClaimEvent):
        note: str
        class_version = 2
        upcast_v1_v2 = adds(claim_type=None, status=Status.WITHDRAWN)

    class ReceiptConfirmed(ClaimEvent):
        """The buyer confirmed receipt of an order delivered already: its non-receipt claim ends."""

    class RefundPaid(ClaimEvent):
        """The oldest owed refund is paid; a claim waiting for it completes (else no claim moves),
        and the order ends `outcome` (cancelled or refunded)."""

        amount: int
        kind: RefundKind
        outcome: Outcome | None
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            completes = state.pop("completes")
            state["claim_type"] = completes
            state["status"] = Status.COMPLETED if completes else None
            state["outcome"] = None if completes is None else (
                Outcome.CANCELLED if completes == CANCEL else Outcome.REFUNDED)

    # ---- placing ----------------------------------------------------------------------------------

    @staticmethod
    def create_id(order_no: str, **_: object) -> UUID:
        return order_id(order_no)

    @classmethod
    def place(cls, *, actor: str, id: UUID | None = None, **placed: object) -> "Order":  # noqa: A002
        """The buyer checked out (that the order number is new, the application checks first);
        `id`: the store's new id for it (domain/ids.py), else the uuid5 of its order number."""
        check_actor("place", actor)
        if id is not None:
            return cls._create(cls.Placed, id=id, actor=actor, **placed)
        return cls(actor=actor, **placed)

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
        self.payment_method = payment_method
        self.item_kind = item_kind
        self.region = region
        self.promised_ship_date = promised_ship_date
        self.placed_at = at
        self.last_at = at
        self.delivery = Delivery.NEW
        self.outcome: Outcome | None = None
        self.shipped_at: datetime | None = None
        self.delivered_at: datetime | None = None
        self.delivered_by: str | None = None
        self.claim: Claim | None = None
        self.money = Ledger(paid=amount_paid(quantity, unit_price, shipping_fee),
                            refund_to=refund_destination(payment_method))
        self.refused_on: date | None = None
        self.buyer_messages: list[datetime] = []
        self.feedback: str | None = None

    # ---- delivery ---------------------------------------------------------------------------------

    @event("Prepared")
    def _prepared(self, at: datetime, actor: str, promised_ship_date: date | None) -> None:
        self.delivery = Delivery.PREPARING
        if promised_ship_date is not None:
            self.promised_ship_date = promised_ship_date

    @event("Shipped")
    def _shipped(self, at: datetime, actor: str, carrier: str, tracking_no: str, trackable: bool) -> None:
        self.delivery = Delivery.SHIPPING
        self.shipped_at = at

    @event("Delivered")
    def _delivered(self, at: datetime, actor: str, by: str) -> None:
        self.delivery = Delivery.DELIVERED
        self.delivered_at = at
        self.delivered_by = by

    # ---- claims -----------------------------------------------------------------------------------

    def _file(self, claim_type: ClaimType, status: Status, at: datetime, actor: str, reason: str,
              responsibility: str | None = None) -> None:
        self.claim = Claim(type=claim_type, status=status, filed_at=at, filed_by=actor, reason=reason,
                           responsibility=responsibility)

    def _refund(self, kind: RefundKind, refund: int, at: datetime, outcome: Outcome | None) -> None:
        """A refund decided: owed unless it is 0, which completes the claim and ends the order."""
        if refund:
            self.money.owe(kind, refund, at)
        if outcome is not None:
            self.outcome = outcome

    @event(CancelRequested)
    def _cancel_requested(self, at, actor, claim_type, status, refund, outcome, reason) -> None:
        self._file(claim_type, status, at, actor, reason)
        self._refund(RefundKind.CANCEL, refund, at, outcome)

    @event(CancelledBySeller)
    def _cancelled_by_seller(self, at, actor, claim_type, status, refund, outcome, reason) -> None:
        self._file(claim_type, status, at, actor, reason)
        self._refund(RefundKind.CANCEL, refund, at, outcome)

    @event(CancelApproved)
    def _cancel_approved(self, at, actor, claim_type, status, refund, outcome) -> None:
        self.claim.move(status, at)
        self._refund(RefundKind.CANCEL, refund, at, outcome)

    @event(CancelRefused)
    def _cancel_refused(self, at, actor, claim_type, status, reason, note) -> None:
        self.claim.move(status, at)
        self.claim.details["refusal"] = {"reason": reason, "note": note}
        if self.delivery in UNSHIPPED:
            self.refused_on = tokyo_date(at)

    @event(ReturnRequested)
    def _return_requested(self, at, actor, claim_type, status, reason, responsibility, attachments) -> None:
        self._file(claim_type, status, at, actor, reason, responsibility)

    @event(ReturnApproved)
    def _return_approved(self, at, actor, claim_type, status, note) -> None:
        self.claim.move(status, at)

    @event(ReturnHeld)
    def _return_held(self, at, actor, claim_type, status, note) -> None:
        self.claim.move(status, at)

    @event(ReturnResumed)
    def _return_resumed(self, at, actor, claim_type, status, note) -> None:
        self.claim.move(status, at)

    @event(ReturnCollected)
    def _return_collected(self, at, actor, claim_type, status, refund, outcome, note) -> None:
        self.claim.move(status, at)
        self._refund(RefundKind.RETURN, refund, at, outcome)

    @event(ExchangeRequested)
    def _exchange_requested(self, at, actor, claim_type, status, reason) -> None:
        self._file(claim_type, status, at, actor, reason)

    @event(ExchangeAccepted)
    def _exchange_accepted(self, at, actor, claim_type, status, memo) -> None:
        self.claim.move(status, at)
        self.claim.details["memo"] = memo

    @event(ExchangeReshipped)
    def _exchange_reshipped(self, at, actor, claim_type, status, carrier, tracking_no, cost_bearer, reship_date,
                            recipient) -> None:
        self.claim.move(status, at)
        self.claim.details["reship"] = {"carrier": carrier, "tracking_no": tracking_no, "cost_bearer": cost_bearer,
                                        "reship_date": reship_date}

    @event(ExchangeConvertedToReturn)
    def _exchange_converted(self, at, actor, claim_type, status, reason, exchange_status) -> None:
        self.claim.move(exchange_status, at)
        self._file(claim_type, status, at, actor, reason, responsibility="seller")

    @event(NonReceiptReported)
    def _non_receipt_reported(self, at, actor, claim_type, status, reason) -> None:
        self._file(claim_type, status, at, actor, reason)

    @event(NonReceiptAnswered)
    def _non_receipt_answered(self, at, actor, claim_type, status, answer) -> None:
        self.claim.move(status, at)
        self.claim.details["answer"] = answer

    @event(RefundedInFull)
    def _refunded_in_full(self, at, actor, claim_type, status, refund, outcome) -> None:
        self.claim.move(status, at)
        self._refund(RefundKind.FULL, refund, at, outcome)

    @event(ReceiptConfirmed)
    def _receipt_confirmed(self, at, actor, claim_type, status) -> None:
        self.claim.move(status, at)

    @event(ClaimWithdrawn)
    def _claim_withdrawn(self, at, actor, claim_type, status, note) -> None:
        self.claim.move(status, at)

    @event(RefundPaid)
    def _refund_paid(self, at, actor, claim_type, status, amount, kind, outcome) -> None:
        self.money.pay_oldest(at)
        if status is not None:
            self.claim.move(status, at)
        if outcome is not None:
            self.outcome = outcome

    # ---- money outside claims ---------------------------------------------------------------------

    @event("ReturnChargeRequested")
    def _return_charge_requested(self, at: datetime, actor: str, amount: int) -> None:
        self.money.bill(amount, at)

    @event("ReturnChargePaid")
    def _return_charge_paid(self, at: datetime, actor: str, amount: int) -> None:
        self.money.settle_charge(ChargeStatus.PAID, at)

    @event("ReturnChargeDeclined")
    def _return_charge_declined(self, at: datetime, actor: str, amount: int) -> None:
        self.money.settle_charge(ChargeStatus.DECLINED, at)

    @event("ReturnChargeCancelled")
    def _return_charge_cancelled(self, at: datetime, actor: str, amount: int) -> None:
        self.money.settle_charge(ChargeStatus.CANCELLED, at)

    @event("PartialRefundRequested")
    def _partial_refund_requested(self, at: datetime, actor: str, category: str, quantity: int | None,
                                  amount: int) -> None:
        self.money.ask_partial_refund(category, amount, quantity, at)

    @event("PartialRefundApproved")
    def _partial_refund_approved(self, at: datetime, actor: str, amount: int) -> None:
        self.money.decide_partial_refund(PartialRefundStatus.APPROVED, at)

    @event("PartialRefundRejected")
    def _partial_refund_rejected(self, at: datetime, actor: str, amount: int) -> None:
        self.money.decide_partial_refund(PartialRefundStatus.REJECTED, at)

    @event("PartialRefundCancelled")
    def _partial_refund_cancelled(self, at: datetime, actor: str, amount: int) -> None:
        self.money.decide_partial_refund(PartialRefundStatus.CANCELLED, at)

    # ---- the buyer's contact ----------------------------------------------------------------------

    @event("BuyerMessaged")
    def _buyer_messaged(self, at: datetime, actor: str, cart_no: str) -> None:
        self.buyer_messages.append(at)

    @event("FeedbackGiven")
    def _feedback_given(self, at: datetime, actor: str, rating: str) -> None:
        self.feedback = rating
