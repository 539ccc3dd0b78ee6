"""The checks several of the Order's rules share, over the state its event methods assign."""

from datetime import date, datetime
from enum import StrEnum

from domain.calendar import tokyo_date
from domain.claims import CANCEL, Claim, ClaimType, Status, next_status
from domain.errors import ClaimOpen, InvalidTransition, NoOpenClaim, NotDelivered, OutOfOrder
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


def outcome_of(claim_type: ClaimType, status: Status | None) -> Outcome | None:
    """What a completed claim makes of the order: a cancel cancels it, any other claim refunds it."""
    if status != Status.COMPLETED:
        return None
    return Outcome.CANCELLED if claim_type == CANCEL else Outcome.REFUNDED


def days_late(promised_ship_date: date, at: datetime) -> int:
    """Tokyo calendar days from the promised ship date to `at`: above 0 once that date has passed."""
    return (tokyo_date(at) - promised_ship_date).days


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
    last_at: datetime

    def check_in_time(self, at: datetime) -> None:
        """Time never runs backwards within an order (SPEC §9): checked right after it exists."""
        if at < self.last_at:
            raise OutOfOrder(f"dated {at.isoformat()}, before the order's latest event ({self.last_at.isoformat()})")

    @property
    def open_claim(self) -> Claim | None:
        return self.claim if self.claim is not None and self.claim.is_open else None

    def is_delayed(self, at: datetime) -> bool:
        """Not yet shipped and the promised ship date is before the Tokyo date of `at`."""
        return self.delivery in UNSHIPPED and days_late(self.promised_ship_date, at) > 0

    def _refund_decided(self, claim_type: ClaimType, status: Status, refund: int) -> tuple[Status, Outcome | None]:
        """The status a claim reaches when its refund is decided: a refund that comes to 0 owes
        nothing, and the claim completes at once (SPEC §9); and what that makes of the order."""
        if refund == 0:
            status = next_status(claim_type, status, "pay_refund")
        return status, outcome_of(claim_type, status)

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
