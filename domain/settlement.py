"""Settlement eligibility (SPEC §6.2): the due date rule and the state of an order's money."""

from dataclasses import dataclass
from datetime import date, timedelta

from domain.policy import DEFAULT_POLICY, Policy


def due_date(delivered_on: date, level: str, policy: Policy = DEFAULT_POLICY) -> date:
    """The first payout weekday on or after the Tokyo delivery date plus the level's cycle."""
    start = delivered_on + timedelta(days=policy.cycle_days(level))
    return start + timedelta(days=(policy.payout_weekday - start.weekday()) % 7)


def last_due_delivery(level: str, today: date, policy: Policy = DEFAULT_POLICY) -> date:
    """The latest Tokyo delivery date whose due date is on or before `today`: an order delivered on it
    or before is due, one delivered later is not yet (the due date never falls as the delivery date grows)."""
    day = today - timedelta(days=policy.cycle_days(level))
    while due_date(day, level, policy) > today:
        day -= timedelta(days=1)
    return day


@dataclass(frozen=True)
class Money:
    """What settlement needs to know of one order."""

    paid: int
    refunded: int
    charges_paid: int
    cancelled: bool
    delivered_on: date | None
    blocked_by: tuple[str, ...]

    @property
    def amount(self) -> int:
        """paid − refunded (owed or paid) + return charges paid."""
        return self.paid - self.refunded + self.charges_paid


def settlement_state(money: Money, level: str, today: date, policy: Policy = DEFAULT_POLICY) -> tuple[str, date | None]:
    """pending / blocked / eligible / due / closed, and the due date where there is one."""
    if money.cancelled:
        return "closed", None
    if money.blocked_by:
        return ("blocked" if money.delivered_on else "pending"), (
            due_date(money.delivered_on, level, policy) if money.delivered_on else None
        )
    if money.amount <= 0:
        return "closed", None
    if money.delivered_on is None:
        return "pending", None
    due = due_date(money.delivered_on, level, policy)
    return ("due" if due <= today else "eligible"), due
