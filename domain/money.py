"""An order's money: what the buyer paid, the refunds owed and paid, return charges, partial refunds
(SPEC §3 Refunds, §9). Entities of the Order aggregate; only its event methods change them."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


def amount_paid(quantity: int, unit_price: int, shipping_fee: int) -> int:
    """What the buyer paid for an order: the one rule, for the aggregate and every projection."""
    return quantity * unit_price + shipping_fee


class RefundDestination(StrEnum):
    """Where a refund goes, by the order's payment method [claims §4-2]."""

    QSITE_BALANCE = "qsite_balance"  # cash and Q-cash: the buyer's Q-site balance (Qサイフ, seen in MyQoo10)
    CARD_COMPANY = "card_company"  # card: the card company (the buyer asks the customer centre)


def refund_destination(payment_method: str) -> RefundDestination:
    return RefundDestination.CARD_COMPANY if payment_method == "card" else RefundDestination.QSITE_BALANCE


class RefundKind(StrEnum):
    CANCEL = "cancel"
    RETURN = "return"
    FULL = "full"
    PARTIAL = "partial"


class ChargeStatus(StrEnum):
    REQUESTED = "requested"
    PAID = "paid"
    DECLINED = "declined"
    CANCELLED = "cancelled"


class PartialRefundStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


@dataclass
class Refund:
    """Money owed back to the buyer from the moment it was decided; paid by `refund.paid`."""

    kind: RefundKind
    amount: int
    owed_at: datetime
    to: RefundDestination
    paid_at: datetime | None = None


@dataclass
class Charge:
    """A return extra charge billed to the buyer (requested → paid | declined | cancelled)."""

    amount: int
    status: ChargeStatus
    requested_at: datetime
    settled_at: datetime | None = None


@dataclass
class PartialRefund:
    """A partial refund waiting for staff (requested → approved | rejected | cancelled)."""

    category: str
    amount: int
    status: PartialRefundStatus
    requested_at: datetime
    quantity: int | None = None
    decided_at: datetime | None = None


@dataclass
class Ledger:
    """The order's money. Refunded means owed or paid (SPEC §9); never more than was paid."""

    paid: int
    refund_to: RefundDestination
    refunds: list[Refund] = field(default_factory=list)
    charges: list[Charge] = field(default_factory=list)
    partial_refunds: list[PartialRefund] = field(default_factory=list)

    @property
    def refunded(self) -> int:
        return sum(r.amount for r in self.refunds)

    @property
    def refundable(self) -> int:
        return self.paid - self.refunded

    @property
    def charges_paid(self) -> int:
        return sum(c.amount for c in self.charges if c.status == ChargeStatus.PAID)

    @property
    def pending_charge(self) -> Charge | None:
        return next((c for c in self.charges if c.status == ChargeStatus.REQUESTED), None)

    @property
    def pending_partial_refund(self) -> PartialRefund | None:
        return next((p for p in self.partial_refunds if p.status == PartialRefundStatus.REQUESTED), None)

    @property
    def oldest_owed(self) -> Refund | None:
        return next((r for r in self.refunds if r.paid_at is None), None)

    # ---- changes, called by the Order's event methods only ------------------------------------

    def owe(self, kind: RefundKind, amount: int, at: datetime) -> None:
        self.refunds.append(Refund(kind=kind, amount=amount, owed_at=at, to=self.refund_to))

    def pay_oldest(self, at: datetime) -> None:
        self.oldest_owed.paid_at = at

    def bill(self, amount: int, at: datetime) -> None:
        self.charges.append(Charge(amount=amount, status=ChargeStatus.REQUESTED, requested_at=at))

    def settle_charge(self, status: ChargeStatus, at: datetime) -> None:
        charge = self.pending_charge
        charge.status, charge.settled_at = status, at

    def ask_partial_refund(self, category: str, amount: int, quantity: int | None, at: datetime) -> None:
        self.partial_refunds.append(PartialRefund(category, amount, PartialRefundStatus.REQUESTED, at, quantity))

    def decide_partial_refund(self, status: PartialRefundStatus, at: datetime) -> None:
        pending = self.pending_partial_refund
        pending.status, pending.decided_at = status, at
        if status == PartialRefundStatus.APPROVED:
            self.owe(RefundKind.PARTIAL, pending.amount, at)
