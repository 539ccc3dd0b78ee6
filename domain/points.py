"""Service points (SPEC §6.3): delivery points by speed band, claim and feedback points, the exchange unit."""

from dataclasses import dataclass
from datetime import datetime

from domain.calendar import days_between
from domain.claims import CANCEL, NON_RECEIPT, RETURN, Status
from domain.policy import DEFAULT_POLICY, Policy, band_for

# Claim points are booked when a claim reaches this status: a cancel or return completed, a
# non-receipt reported (the amounts are the policy's `claim_points`).
CLAIM_SCORED_AT = {CANCEL: Status.COMPLETED, RETURN: Status.COMPLETED, NON_RECEIPT: Status.REPORTED}


@dataclass(frozen=True)
class DeliveryPoints:
    start_band: str
    start: float
    speed_band: str
    speed: float

    @property
    def total(self) -> float:
        return round(self.start + self.speed, 1)


def delivery_points(
    placed_at: datetime,
    shipped_at: datetime,
    delivered_at: datetime,
    delivered_by: str,
    item_kind: str,
    policy: Policy = DEFAULT_POLICY,
) -> DeliveryPoints:
    """Start speed (ship − order) and delivery speed (deliver − ship), in Tokyo calendar days.

    Reservation items have their own delivery table; general and made-to-order items share one.
    An order the system completed automatically scores Auto Completed instead of a speed band.
    """
    table = "reservation" if item_kind == "reservation" else "general"
    start = band_for(policy.start_bands, days_between(placed_at, shipped_at))
    if delivered_by == "auto":
        speed_band, speed = "auto_completed", policy.auto_completed_points[table]
    else:
        band = band_for(policy.delivery_bands[table], days_between(shipped_at, delivered_at))
        speed_band, speed = band.name, band.points
    return DeliveryPoints(start.name, start.points, speed_band, speed)


def exchangeable(total: float, policy: Policy = DEFAULT_POLICY) -> int:
    """Whole units of 100 points (12,352 → 12,300); a negative or small total exchanges nothing."""
    unit = policy.exchange_unit
    return max(0, int(total // unit) * unit)
