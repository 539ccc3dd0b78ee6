"""SPEC §3 non-receipt: reported on a delivered order; the seller answers wait (until a date) or
reship (with its tracking number), or refunds in full (domain/rules/claims_end.py)."""

from datetime import date, datetime

from domain.claims import NON_RECEIPT, check_actor, next_status
from domain.errors import TrackingRequired
from domain.rules.guards import OrderGuards


class NonReceiptRules(OrderGuards):
    def report_non_receipt(self, *, actor: str, at: datetime, note: str) -> None:
        check_actor("report_non_receipt", actor)
        self._require_no_open_claim()
        self._require_delivered("non-receipt")
        self._require_not_closed("report non-receipt")
        status = next_status(NON_RECEIPT, None, "report_non_receipt")
        self._non_receipt_reported(at=at, actor=actor, claim_type=NON_RECEIPT, status=status, reason=note)

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
        claim = self._require_open(NON_RECEIPT)
        if action == "reship" and not tracking_no.strip():
            raise TrackingRequired("a reship needs its tracking number")
        status = claim.next("answer_non_receipt")
        answer = {"action": action, "message": message}
        if action == "wait":
            answer["until"] = until
        else:
            answer.update(carrier=carrier, tracking_no=tracking_no)
        self._non_receipt_answered(at=at, actor=actor, claim_type=NON_RECEIPT, status=status, answer=answer)
