"""How claims end (SPEC §3): a full refund instead of a reship, the buyer's withdrawal (or the
marketplace's, given the seller's messages to the buyer), the payment of a refund; and the buyer's
contact the withdrawal rule reads: the seller's messages, the buyer's feedback."""

from datetime import datetime

from domain.claims import CANCEL, EXCHANGE, NON_RECEIPT, RETURN, check_actor
from domain.errors import InvalidTransition, NoBuyerContact
from domain.money import RefundKind
from domain.rules.guards import OrderGuards, outcome_of


def buyer_contacted(last_message_at: datetime | None, filed_at: datetime) -> bool:
    """The seller messaged the buyer at or after the claim was filed: the evidence a marketplace
    withdrawal needs (SPEC §3 Withdrawal)."""
    return last_message_at is not None and last_message_at >= filed_at


class ClaimEndRules(OrderGuards):
    feedback: str | None

    def refund_in_full(self, *, actor: str, at: datetime) -> None:
        """Instead of a reship the seller refunds what is left of the payment."""
        check_actor("refund_in_full", actor)
        claim = self._require_open(EXCHANGE, NON_RECEIPT)
        refund = max(self.money.refundable, 0)  # no amount is stated: never amount_invalid (SPEC §9)
        status, outcome = self._refund_decided(claim.type, claim.next("refund_in_full"), refund)
        self._refunded_in_full(at=at, actor=actor, claim_type=claim.type, status=status, refund=refund, outcome=outcome)

    def withdraw_claim(self, *, actor: str, at: datetime, note: str = "") -> None:
        """Only the buyer withdraws; the marketplace does it for the seller given the seller's messages."""
        check_actor("withdraw_claim", actor)
        claim = self._require_open(CANCEL, RETURN, EXCHANGE, NON_RECEIPT)
        if actor == "marketplace" and not buyer_contacted(max(self.buyer_messages, default=None), claim.filed_at):
            raise NoBuyerContact("the seller has not messaged the buyer since the claim was filed")
        status = claim.next("withdraw_claim")
        self._claim_withdrawn(at=at, actor=actor, claim_type=claim.type, status=status, note=note)

    def pay_refund(self, *, actor: str, at: datetime) -> None:
        """Payment paid out the oldest owed refund; a claim waiting for it completes, and so does the order."""
        check_actor("pay_refund", actor)
        owed = self.money.oldest_owed
        if owed is None:
            raise InvalidTransition("refund paid", "no refund owed")
        claim = self.open_claim if owed.kind != RefundKind.PARTIAL else None
        claim_type = claim.type if claim is not None else None
        status = claim.next("pay_refund") if claim is not None else None
        self._refund_paid(at=at, actor=actor, claim_type=claim_type, status=status, amount=owed.amount, kind=owed.kind,
                          outcome=outcome_of(claim_type, status))

    # ---- the buyer's contact ------------------------------------------------------------------

    def note_buyer_message(self, *, actor: str, at: datetime, cart_no: str) -> None:
        """The seller messaged this order's buyer (the evidence a marketplace withdrawal needs)."""
        check_actor("note_buyer_message", actor)
        self._buyer_messaged(at=at, actor=actor, cart_no=cart_no)

    def give_feedback(self, *, actor: str, at: datetime, rating: str) -> None:
        check_actor("give_feedback", actor)
        self._require_delivered("feedback")
        if self.feedback is not None:
            raise InvalidTransition("give feedback", f"feedback {self.feedback} given")
        self._feedback_given(at=at, actor=actor, rating=rating)
