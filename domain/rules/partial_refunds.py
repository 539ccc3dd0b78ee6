"""SPEC §3 partial refund (一部払戻し): on a delivered order, a quantity short of the ordered one or a
price/shipping amount, decided by marketplace staff; the seller may cancel it until then."""

from datetime import datetime

from domain.claims import check_actor
from domain.errors import AmountInvalid, InvalidTransition
from domain.money import PartialRefund
from domain.rules.guards import OrderGuards


class PartialRefundRules(OrderGuards):
    def request_partial_refund(
        self, *, actor: str, at: datetime, category: str, quantity: int | None = None, amount: int | None = None
    ) -> None:
        check_actor("request_partial_refund", actor)
        self._require_delivered("partial refund")
        if category == "quantity_error":
            if quantity is None or not 0 < quantity < self.quantity:
                raise AmountInvalid(f"the quantity must be between 1 and {self.quantity - 1}")
            amount = quantity * self.unit_price
        refundable = self.money.refundable
        if amount is None or not 0 < amount <= refundable:
            raise AmountInvalid(f"a partial refund must be between 1 and {refundable} yen")
        if self.money.pending_partial_refund is not None:
            raise InvalidTransition("request partial refund", "a partial refund is pending")
        self._partial_refund_requested(at=at, actor=actor, category=category, quantity=quantity, amount=amount)

    def cancel_partial_refund(self, *, actor: str, at: datetime) -> None:
        pending = self._pending_partial_refund("cancel_partial_refund", actor)
        self._partial_refund_cancelled(at=at, actor=actor, amount=pending.amount)

    def approve_partial_refund(self, *, actor: str, at: datetime) -> None:
        pending = self._pending_partial_refund("approve_partial_refund", actor)
        if pending.amount > self.money.refundable:
            raise AmountInvalid(f"only {self.money.refundable} yen can still be refunded")
        self._partial_refund_approved(at=at, actor=actor, amount=pending.amount)

    def reject_partial_refund(self, *, actor: str, at: datetime) -> None:
        pending = self._pending_partial_refund("reject_partial_refund", actor)
        self._partial_refund_rejected(at=at, actor=actor, amount=pending.amount)

    def _pending_partial_refund(self, command: str, actor: str) -> PartialRefund:
        check_actor(command, actor)
        pending = self.money.pending_partial_refund
        if pending is None:
            raise InvalidTransition(command.replace("_", " "), "no partial refund pending")
        return pending
