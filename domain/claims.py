"""Claims: their types, statuses, the allowed transitions and who may act — as data, checked by one guard.

Read this module next to SPEC §3. The transition table is the only place that says where a
command leads: a command asks `next_status`, passes the answer into its event, and every reader
(the aggregate's replay, the projections) takes the status from the event. Internal statuses that
the dashboard folds together are named in DASHBOARD_KEY (an accepted exchange is still counted
as `requested`).
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.errors import ActorNotAllowed, InvalidTransition


class ClaimType(StrEnum):
    CANCEL = "cancel"
    RETURN = "return"
    EXCHANGE = "exchange"
    NON_RECEIPT = "non_receipt"


class Status(StrEnum):
    REQUESTED = "requested"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    RETURNING = "returning"
    ON_HOLD = "on_hold"
    COLLECTED = "collected"
    ACCEPTED = "accepted"
    RESHIPPING = "reshipping"
    CONVERTED = "converted"
    REFUNDING = "refunding"
    REPORTED = "reported"
    SELLER_CONFIRMED = "seller_confirmed"


CANCEL, RETURN, EXCHANGE, NON_RECEIPT = ClaimType
CLAIM_TYPES = tuple(ClaimType)

# The dashboard's keys per claim type (SPEC §3, §8), `delayed` aside.
STATUS_KEYS: dict[ClaimType, tuple[Status, ...]] = {
    CANCEL: (Status.REQUESTED, Status.IN_PROGRESS, Status.COMPLETED),
    RETURN: (Status.REQUESTED, Status.RETURNING, Status.ON_HOLD, Status.COLLECTED, Status.COMPLETED),
    EXCHANGE: (Status.REQUESTED, Status.RESHIPPING),
    NON_RECEIPT: (Status.REPORTED, Status.SELLER_CONFIRMED),
}

# Internal status -> the dashboard key it is counted under (identity when absent).
DASHBOARD_KEY = {(EXCHANGE, Status.ACCEPTED): Status.REQUESTED}

# Closed statuses: the claim no longer blocks the order (SPEC §9 "Open claim").
CLOSED = frozenset({Status.COMPLETED, Status.WITHDRAWN, Status.REFUSED, Status.CONVERTED})

NOT_FILED = None  # the state a filing command starts from: no claim of that type is open
_open = frozenset

# (claim type, command) -> (statuses it may start from, status it leads to). The commands are
# the Order's public methods; a filing command starts from NOT_FILED.
TRANSITIONS: dict[tuple[ClaimType, str], tuple[frozenset[Status | None], Status]] = {
    (CANCEL, "request_cancel"): (_open({NOT_FILED}), Status.REQUESTED),
    (CANCEL, "cancel_for_seller_reason"): (_open({NOT_FILED}), Status.IN_PROGRESS),
    (CANCEL, "approve_cancel"): (_open({Status.REQUESTED}), Status.IN_PROGRESS),
    (CANCEL, "refuse_cancel"): (_open({Status.REQUESTED}), Status.REFUSED),
    (CANCEL, "withdraw_claim"): (_open({Status.REQUESTED}), Status.WITHDRAWN),
    (CANCEL, "pay_refund"): (_open({Status.IN_PROGRESS}), Status.COMPLETED),
    (RETURN, "request_return"): (_open({NOT_FILED}), Status.REQUESTED),
    (RETURN, "convert_exchange_to_return"): (_open({NOT_FILED}), Status.REQUESTED),
    (RETURN, "approve_return"): (_open({Status.REQUESTED}), Status.RETURNING),
    (RETURN, "hold_return"): (_open({Status.RETURNING}), Status.ON_HOLD),
    (RETURN, "resume_return"): (_open({Status.ON_HOLD}), Status.RETURNING),
    (RETURN, "collect_return"): (_open({Status.RETURNING, Status.ON_HOLD}), Status.COLLECTED),
    (RETURN, "withdraw_claim"): (_open({Status.REQUESTED, Status.RETURNING, Status.ON_HOLD}), Status.WITHDRAWN),
    (RETURN, "pay_refund"): (_open({Status.COLLECTED}), Status.COMPLETED),
    (EXCHANGE, "request_exchange"): (_open({NOT_FILED}), Status.REQUESTED),
    (EXCHANGE, "accept_exchange"): (_open({Status.REQUESTED}), Status.ACCEPTED),
    (EXCHANGE, "reship_exchange"): (_open({Status.ACCEPTED}), Status.RESHIPPING),
    (EXCHANGE, "convert_exchange_to_return"): (
        _open({Status.REQUESTED, Status.ACCEPTED, Status.RESHIPPING}), Status.CONVERTED,
    ),
    (EXCHANGE, "refund_in_full"): (_open({Status.REQUESTED, Status.ACCEPTED, Status.RESHIPPING}), Status.REFUNDING),
    (EXCHANGE, "withdraw_claim"): (_open({Status.REQUESTED, Status.ACCEPTED, Status.RESHIPPING}), Status.WITHDRAWN),
    (EXCHANGE, "pay_refund"): (_open({Status.REFUNDING}), Status.COMPLETED),
    (NON_RECEIPT, "report_non_receipt"): (_open({NOT_FILED}), Status.REPORTED),
    (NON_RECEIPT, "answer_non_receipt"): (_open({Status.REPORTED}), Status.SELLER_CONFIRMED),
    (NON_RECEIPT, "refund_in_full"): (_open({Status.REPORTED, Status.SELLER_CONFIRMED}), Status.REFUNDING),
    (NON_RECEIPT, "withdraw_claim"): (_open({Status.REPORTED, Status.SELLER_CONFIRMED}), Status.WITHDRAWN),
    # the buyer's receipt confirmation of a delivered order ends its non-receipt claim (SPEC §9)
    (NON_RECEIPT, "deliver"): (_open({Status.REPORTED, Status.SELLER_CONFIRMED}), Status.WITHDRAWN),
    (NON_RECEIPT, "pay_refund"): (_open({Status.REFUNDING}), Status.COMPLETED),
}

# Every status a claim of each type can be in, open or closed.
STATUSES = {
    claim_type: sorted(
        {to for (t, _), (_, to) in TRANSITIONS.items() if t == claim_type}
        | {s for (t, _), (froms, _) in TRANSITIONS.items() if t == claim_type for s in froms if s is not NOT_FILED}
    )
    for claim_type in CLAIM_TYPES
}

# Who may send each command (SPEC §4's actor column), by the aggregates' public method names.
MAY_ACT = {
    # Order
    "place": {"buyer"},
    "prepare": {"seller"},
    "ship": {"seller"},
    "deliver": {"carrier", "buyer", "system"},
    "request_cancel": {"buyer", "marketplace"},
    "approve_cancel": {"seller"},
    "refuse_cancel": {"seller"},
    "cancel_for_seller_reason": {"seller"},
    "request_return": {"buyer"},
    "approve_return": {"seller"},
    "hold_return": {"seller"},
    "resume_return": {"seller"},
    "collect_return": {"seller"},
    "request_return_charge": {"seller"},
    "cancel_return_charge": {"seller"},
    "pay_return_charge": {"payment"},
    "decline_return_charge": {"payment"},
    "request_exchange": {"buyer"},
    "accept_exchange": {"seller"},
    "reship_exchange": {"seller"},
    "convert_exchange_to_return": {"seller"},
    "report_non_receipt": {"buyer"},
    "answer_non_receipt": {"seller"},
    "refund_in_full": {"seller"},
    "withdraw_claim": {"buyer", "marketplace"},
    "request_partial_refund": {"seller"},
    "cancel_partial_refund": {"seller"},
    "approve_partial_refund": {"marketplace"},
    "reject_partial_refund": {"marketplace"},
    "pay_refund": {"payment"},
    "note_buyer_message": {"seller"},
    "give_feedback": {"buyer"},
    # Cart
    "send_message": {"seller"},
    # Inquiry, ItemInquiries (SPEC §10)
    "post": {"buyer"},
    "answer": {"seller"},
    "hide": {"seller"},
    "restrict": {"seller"},
    # Seller
    "register": {"marketplace"},
    "change_level": {"marketplace"},
    "exchange_points": {"seller", "marketplace"},
}


def check_actor(command: str, actor: str) -> None:
    """Raise ActorNotAllowed unless the actor may send the command."""
    if actor not in MAY_ACT[command]:
        raise ActorNotAllowed(f"{actor} may not {command.replace('_', ' ')}")


def next_status(claim_type: ClaimType, status: Status | None, command: str) -> Status:
    """The status a command leads to from the current one; InvalidTransition when not allowed."""
    allowed = TRANSITIONS.get((claim_type, command))
    if allowed is None or status not in allowed[0]:
        raise InvalidTransition(f"{claim_type} {command.replace('_', ' ')}", status or "no claim")
    return allowed[1]


def dashboard_key(claim_type: str, status: str) -> Status:
    return DASHBOARD_KEY.get((claim_type, status), Status(status))


@dataclass
class Claim:
    """One claim on an order: what it is, where it stands, what the seller and buyer said in it."""

    type: ClaimType
    status: Status
    filed_at: datetime
    filed_by: str
    reason: str = ""
    responsibility: str | None = None
    details: dict = field(default_factory=dict)
    closed_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED

    def next(self, command: str) -> Status:
        """Where `command` takes this claim (InvalidTransition if nowhere)."""
        return next_status(self.type, self.status, command)

    def move(self, status: Status, at: datetime) -> None:
        self.status = status
        if not self.is_open:
            self.closed_at = at
