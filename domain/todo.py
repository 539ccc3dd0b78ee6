"""The seller's to-do list (SPEC §6.4): for one claim, the next step expected of the seller, when it
is due, and whether it is overdue.

Read it next to SPEC §3. A claim's first seller step is due the delay threshold after the claim was
filed (an accepted exchange is still counted as requested: its reship is due then too). A refused
cancel obliges the seller to ship by the end of that Tokyo day. A reshipped exchange and an answered
non-receipt wait for the buyer to withdraw until the deadline the seller gave; after it the seller
asks the marketplace, which withdraws only if the seller has messaged the buyer since the filing.
Nothing is due while the goods come back or the payment pays a refund out.
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from domain.calendar import end_of_day, tokyo_date
from domain.claims import CANCEL, CLOSED, EXCHANGE, NON_RECEIPT, RETURN, ClaimType, Status
from domain.policy import DEFAULT_POLICY, Policy


class Action(StrEnum):
    APPROVE_OR_REFUSE_CANCEL = "approve_or_refuse_cancel"
    SHIP_REFUSED_CANCEL = "ship_refused_cancel"
    APPROVE_RETURN = "approve_return"
    CONFIRM_COLLECTION = "confirm_collection"
    ACCEPT_EXCHANGE = "accept_exchange"
    RESHIP_EXCHANGE = "reship_exchange"
    ANSWER_NON_RECEIPT = "answer_non_receipt"
    ASK_BUYER_TO_WITHDRAW = "ask_buyer_to_withdraw"
    ASK_MARKETPLACE_TO_WITHDRAW = "ask_marketplace_to_withdraw"
    AWAIT_REFUND = "await_refund"  # nothing for the seller: the payment pays the refund out


@dataclass(frozen=True)
class ClaimFacts:
    """What the rule reads of an order's current claim."""

    type: ClaimType
    status: Status
    filed_at: datetime
    since: datetime  # when the claim reached its status: the refusal, the reship, the answer
    shipped: bool = False  # the order was shipped (a refused cancel's duty is done)
    wait_until: date | None = None  # the date a non-receipt "wait" answer gave the buyer
    messaged_buyer: bool = False  # the seller messaged the buyer since the claim was filed


@dataclass(frozen=True)
class Step:
    action: Action
    due: datetime | None  # None: the spec sets no time (goods on their way back, a refund being paid)
    overdue: bool
    withdraw_possible: bool | None = None  # for asking the marketplace only: will it withdraw?


# (type, status) -> the seller's first step, due the delay threshold after the filing.
FIRST_STEPS = {
    (CANCEL, Status.REQUESTED): Action.APPROVE_OR_REFUSE_CANCEL,
    (RETURN, Status.REQUESTED): Action.APPROVE_RETURN,
    (EXCHANGE, Status.REQUESTED): Action.ACCEPT_EXCHANGE,
    (NON_RECEIPT, Status.REPORTED): Action.ANSWER_NON_RECEIPT,
}
RESHIP = (EXCHANGE, Status.ACCEPTED)
REFUSED_CANCEL = (CANCEL, Status.REFUSED)
GOODS_COMING_BACK = {(RETURN, Status.RETURNING), (RETURN, Status.ON_HOLD)}
BUYER_TO_WITHDRAW = {(EXCHANGE, Status.RESHIPPING), (NON_RECEIPT, Status.SELLER_CONFIRMED)}
REFUND_UNDER_WAY = {
    (CANCEL, Status.IN_PROGRESS), (RETURN, Status.COLLECTED),
    (EXCHANGE, Status.REFUNDING), (NON_RECEIPT, Status.REFUNDING),
}


def next_step(claim: ClaimFacts, as_of: datetime, policy: Policy = DEFAULT_POLICY) -> Step | None:
    """The next step expected of the seller at `as_of`, or None: a closed claim, a refusal shipped."""
    kind = (claim.type, claim.status)
    if kind in FIRST_STEPS:
        return _step(FIRST_STEPS[kind], claim.filed_at + policy.claim_delay, as_of)
    if kind == RESHIP:
        return _step(Action.RESHIP_EXCHANGE, claim.filed_at + policy.claim_delay, as_of)
    if kind == REFUSED_CANCEL:
        return None if claim.shipped else _step(Action.SHIP_REFUSED_CANCEL, end_of_day(tokyo_date(claim.since)), as_of)
    if kind in GOODS_COMING_BACK:
        return _step(Action.CONFIRM_COLLECTION, None, as_of)
    if kind in BUYER_TO_WITHDRAW:
        deadline = withdrawal_deadline(claim, policy)
        if as_of <= deadline:
            return _step(Action.ASK_BUYER_TO_WITHDRAW, deadline, as_of)
        return Step(Action.ASK_MARKETPLACE_TO_WITHDRAW, deadline, overdue=True, withdraw_possible=claim.messaged_buyer)
    if kind in REFUND_UNDER_WAY:
        return _step(Action.AWAIT_REFUND, None, as_of)
    if claim.status in CLOSED:
        return None
    raise ValueError(f"no to-do rule for an open {claim.type} claim {claim.status}")


def withdrawal_deadline(claim: ClaimFacts, policy: Policy = DEFAULT_POLICY) -> datetime:
    """Until when the buyer is asked to withdraw: the end of the Tokyo day a wait answer named,
    else the delay threshold after the reship or the answer."""
    if claim.wait_until is not None:
        return end_of_day(claim.wait_until)
    return claim.since + policy.claim_delay


def _step(action: Action, due: datetime | None, as_of: datetime) -> Step:
    return Step(action, due, overdue=due is not None and as_of > due)
