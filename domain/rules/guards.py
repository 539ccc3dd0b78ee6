"""The checks several of the Order's rules share, over the state its event methods assign."""

from datetime import date, datetime
from enum import StrEnum

from domain.calendar import tokyo_date
from domain.claims import Claim, ClaimType
from domain.errors import ClaimOpen, InvalidTransition, NoOpenClaim, NotDelivered
from domain.money import Ledger


class Delivery(StrEnum):
    """The order's delivery status (SPEC §2)."""

    NEW = "new"
    PREPARING = "preparing"
    SHIPPING = "shipping"
    DELIVERED = "delivered"


class Outcome(StrEnum):
    """How an order ended: a completed cancel, or a completed return or full refund (SPEC §2)."""

    CANCELLED = "cancelled"
    REFUNDED = "refunded"


UNSHIPPED = (Delivery.NEW, Delivery.PREPARING)
SHIPPED = (Delivery.SHIPPING, Delivery.DELIVERED)


class OrderGuards:
    """State every rule reads (assigned by the Order's event methods) and the checks they share."""

    order_no: str
    item_kind: str
    quantity: int
    unit_price: int
    delivery: Delivery
    promised_ship_date: date
    outcome: Outcome | None
    claim: Claim | None
    money: Ledger
    buyer_messages: list[datetime]

    @property
    def open_claim(self) -> Claim | None:
        return self.claim if self.claim is not None and self.claim.is_open else None

    def is_delayed(self, at: datetime) -> bool:
        """Not yet shipped and the promised ship date is before the Tokyo date of `at`."""
        return self.delivery in UNSHIPPED and self.promised_ship_date < tokyo_date(at)

    def _require_no_open_claim(self) -> None:
        if self.open_claim is not None:
            raise ClaimOpen(f"a {self.open_claim.type} claim is {self.open_claim.status}")

    def _require_open(self, *claim_types: ClaimType) -> Claim:
        claim = self.open_claim
        if claim is None or claim.type not in claim_types:
            raise NoOpenClaim(f"no open {' or '.join(claim_types)} claim")
        return claim

    def _require_not_closed(self, action: str) -> None:
        if self.outcome is not None:
            raise InvalidTransition(action, f"order {self.outcome}")

    def _require_shipped(self, action: str) -> None:
        if self.delivery not in SHIPPED:
            raise NotDelivered(f"{action} needs a shipped order; the order is {self.delivery}")

    def _require_delivered(self, action: str) -> None:
        if self.delivery != Delivery.DELIVERED:
            raise NotDelivered(f"{action} needs a delivered order; the order is {self.delivery}")
