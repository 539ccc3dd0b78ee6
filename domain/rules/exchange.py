"""SPEC §3 exchange: requested once shipped, accepted with a memo, reshipped with its tracking number
(the evidence), or turned into a return request (the item was faulty: the seller's responsibility)."""

from datetime import date, datetime

from domain.claims import EXCHANGE, RETURN, check_actor, next_status
from domain.errors import TrackingRequired
from domain.rules.guards import OrderGuards


class ExchangeRules(OrderGuards):
    def request_exchange(self, *, actor: str, at: datetime, reason: str) -> None:
        check_actor("request_exchange", actor)
        self._require_no_open_claim()
        self._require_shipped("exchange")
        self._require_not_closed("request exchange")
        status = next_status(EXCHANGE, None, "request_exchange")
        self._exchange_requested(at=at, actor=actor, claim_type=EXCHANGE, status=status, reason=reason)

    def accept_exchange(self, *, actor: str, at: datetime, memo: str) -> None:
        """The seller accepts with a memo the buyer reads; still counted as `requested`."""
        check_actor("accept_exchange", actor)
        status = self._require_open(EXCHANGE).next("accept_exchange")
        self._exchange_accepted(at=at, actor=actor, claim_type=EXCHANGE, status=status, memo=memo)

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
        claim = self._require_open(EXCHANGE)
        if not tracking_no.strip():
            raise TrackingRequired("the tracking number is the evidence of the reship")
        status = claim.next("reship_exchange")
        self._exchange_reshipped(at=at, actor=actor, claim_type=EXCHANGE, status=status, carrier=carrier,
                                 tracking_no=tracking_no, cost_bearer=cost_bearer, reship_date=reship_date,
                                 recipient=recipient)

    def convert_exchange_to_return(self, *, actor: str, at: datetime) -> None:
        """The exchange ends and a return request opens in its place, with the exchange's reason."""
        check_actor("convert_exchange_to_return", actor)
        claim = self._require_open(EXCHANGE)
        exchange_status = claim.next("convert_exchange_to_return")
        status = next_status(RETURN, None, "convert_exchange_to_return")
        self._exchange_converted(at=at, actor=actor, claim_type=RETURN, status=status, reason=claim.reason,
                                 exchange_status=exchange_status)
