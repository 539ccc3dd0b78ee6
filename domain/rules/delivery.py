"""SPEC §2: an order is prepared, shipped and delivered (by tracking, the buyer, or the system)."""

from datetime import date, datetime

from domain.claims import CANCEL, Status, check_actor
from domain.errors import InvalidTransition
from domain.rules.guards import UNSHIPPED, Delivery, OrderGuards


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
        """Carrier tracking, the buyer's receipt confirmation or the system's auto-completion."""
        check_actor("deliver", actor)
        self._require_not_closed("deliver")
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
