"""What each Order event does to the order's current claim, for projections that track claims.

The statuses are the aggregate's own (domain/claims.py); this is only the reading of the events.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from domain.order import Order


@dataclass(frozen=True)
class Opened:
    """A new claim becomes the order's current claim."""

    type: str
    status: str
    reason: str


@dataclass(frozen=True)
class Moved:
    """The current claim reaches a status."""

    status: str


Change = Opened | Moved

CHANGES: dict[type, Callable[[Any], list[Change]]] = {
    Order.CancelRequested: lambda e: [Opened("cancel", e.status, e.reason)],
    Order.CancelledBySeller: lambda e: [Opened("cancel", "in_progress", e.reason)],
    Order.CancelApproved: lambda e: [Moved("in_progress")],
    Order.CancelRefused: lambda e: [Moved("refused")],
    Order.ReturnRequested: lambda e: [Opened("return", "requested", e.reason)],
    Order.ReturnMoved: lambda e: [Moved(e.status)],
    Order.ReturnCollected: lambda e: [Moved("collected")],
    Order.ExchangeRequested: lambda e: [Opened("exchange", "requested", e.reason)],
    Order.ExchangeAccepted: lambda e: [Moved("accepted")],
    Order.ExchangeReshipped: lambda e: [Moved("reshipping")],
    Order.ExchangeConvertedToReturn: lambda e: [Moved("converted"), Opened("return", "requested", e.reason)],
    Order.NonReceiptReported: lambda e: [Opened("non_receipt", "reported", e.note)],
    Order.NonReceiptAnswered: lambda e: [Moved("seller_confirmed")],
    Order.RefundedInFull: lambda e: [Moved("refunding")],
    Order.ClaimWithdrawn: lambda e: [Moved("withdrawn")],
    Order.RefundPaid: lambda e: [Moved("completed")] if e.completes else [],
}


CLAIM_EVENTS = tuple(CHANGES)


def claim_changes(event: Any) -> list[Change]:
    change = CHANGES.get(type(event))
    return change(event) if change else []
