"""SPEC §3 return: requested once shipped, approved, held and resumed, collected (the refund is then
owed); and the return extra charge on a buyer-responsible return."""

from datetime import datetime

from domain.claims import RETURN, check_actor, next_status
from domain.errors import AmountInvalid, InvalidTransition, NotBuyerResponsible
from domain.rules.guards import OrderGuards


class ReturnRules(OrderGuards):
    def request_return(
        self, *, actor: str, at: datetime, reason: str, responsibility: str, attachments: list[str]
    ) -> None:
        check_actor("request_return", actor)
        self._require_no_open_claim()
        self._require_shipped("return")
        self._require_not_closed("request return")
        status = next_status(RETURN, None, "request_return")
        self._return_requested(at=at, actor=actor, claim_type=RETURN, status=status, reason=reason,
                               responsibility=responsibility, attachments=list(attachments))

    def approve_return(self, *, actor: str, at: datetime, note: str = "") -> None:
        status = self._return_step("approve_return", actor)
        self._return_approved(at=at, actor=actor, claim_type=RETURN, status=status, note=note)

    def hold_return(self, *, actor: str, at: datetime, note: str = "") -> None:
        status = self._return_step("hold_return", actor)
        self._return_held(at=at, actor=actor, claim_type=RETURN, status=status, note=note)

    def resume_return(self, *, actor: str, at: datetime, note: str = "") -> None:
        status = self._return_step("resume_return", actor)
        self._return_resumed(at=at, actor=actor, claim_type=RETURN, status=status, note=note)

    def collect_return(self, *, actor: str, at: datetime, note: str = "") -> None:
        """The goods came back (also during a hold): the refund is requested (回収完了/返金要請)."""
        refund = self.money.refundable
        status, outcome = self._refund_decided(RETURN, self._return_step("collect_return", actor), refund)
        self._return_collected(at=at, actor=actor, claim_type=RETURN, status=status, refund=refund, outcome=outcome,
                               note=note)

    def _return_step(self, command: str, actor: str):
        check_actor(command, actor)
        return self._require_open(RETURN).next(command)

    # ---- return extra charge (返品追加金) --------------------------------------------------------

    def request_return_charge(self, *, actor: str, at: datetime, amount: int) -> None:
        check_actor("request_return_charge", actor)
        claim = self._require_open(RETURN)
        paid = self.money.paid
        if not 0 < amount <= paid:  # before the responsibility: SPEC §9's order of the specific rules
            raise AmountInvalid(f"a return charge must be between 1 and {paid} yen")
        if claim.responsibility != "buyer":
            raise NotBuyerResponsible("the return is the seller's responsibility")
        if self.money.pending_charge is not None:
            raise InvalidTransition("request return charge", "a charge is already requested")
        self._return_charge_requested(at=at, actor=actor, amount=amount)

    def cancel_return_charge(self, *, actor: str, at: datetime) -> None:
        amount = self._pending_charge("cancel_return_charge", actor)
        self._return_charge_cancelled(at=at, actor=actor, amount=amount)

    def pay_return_charge(self, *, actor: str, at: datetime) -> None:
        amount = self._pending_charge("pay_return_charge", actor)
        self._return_charge_paid(at=at, actor=actor, amount=amount)

    def decline_return_charge(self, *, actor: str, at: datetime) -> None:
        amount = self._pending_charge("decline_return_charge", actor)
        self._return_charge_declined(at=at, actor=actor, amount=amount)

    def _pending_charge(self, command: str, actor: str) -> int:
        check_actor(command, actor)
        charge = self.money.pending_charge
        if charge is None:
            raise InvalidTransition(command.replace("_", " "), "no return charge requested")
        return charge.amount
