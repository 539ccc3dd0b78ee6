"""SPEC §2: an order is prepared, shipped and delivered (by tracking, the buyer, or the system)."""

from datetime import date, datetime

from domain.claims import CANCEL, NON_RECEIPT, Status, check_actor
from domain.errors import ActorNotAllowed, InvalidTransition
from domain.rules.guards import UNSHIPPED, Delivery, OrderGuards


DELIVERED_BY = {"tracking": "carrier", "buyer": "buyer", "auto": "system"}  # who reports each kind of delivery


class DeliveryRules(OrderGuards):
    def prepare(self, *, actor: str, at: datetime, promised_ship_date: date | None = None) -> None:
        check_actor("prepare", actor)
        self._require_seller_may_ship("prepare")
        self._prepared(at=at, actor=actor, promised_ship_date=promised_ship_date)

    def ship(self, *, actor: str, at: datetime, carrier: str, tracking_no: str, trackable: bool) -> None:
        check_actor("ship", actor)
        self._require_seller_may_ship("ship")
        self._shipped(at=at, actor=actor, carrier=carrier, tracking_no=tracking_no, trackable=trackable)

    def deliver(self, *, actor: str, at: datetime, by: str) -> None:
        """Carrier tracking, the buyer's receipt confirmation or the system's auto-completion; a
        buyer's confirmation of an order delivered already ends its non-receipt claim (SPEC §9)."""
        check_actor("deliver", actor)
        if DELIVERED_BY[by] != actor:
            raise ActorNotAllowed(f"a delivery by {by} comes from the {DELIVERED_BY[by]}, not the {actor}")
        self._require_not_closed("deliver")
        claim = self.open_claim
        if self.delivery == Delivery.DELIVERED and by == "buyer" and claim is not None and claim.type == NON_RECEIPT:
            self._receipt_confirmed(at=at, actor=actor, claim_type=NON_RECEIPT, status=claim.next("deliver"))
            return
        if self.delivery != Delivery.SHIPPING:
            raise InvalidTransition("deliver", self.delivery)
        self._delivered(at=at, actor=actor, by=by)

    def _require_seller_may_ship(self, action: str) -> None:
        """Not on a closed order, nor while its cancel is under way; only before shipping."""
        self._require_not_closed(action)
        claim = self.open_claim
        if claim is not None and claim.type == CANCEL and claim.status == Status.IN_PROGRESS:
            raise InvalidTransition(action, "cancel in_progress")
        if self.delivery not in UNSHIPPED:
            raise InvalidTransition(action, self.delivery)
