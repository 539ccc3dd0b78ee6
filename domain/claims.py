"""Claims: their types, statuses, the allowed transitions and who may act — as data, checked by one guard.

Read this module next to SPEC §3. Internal statuses that the dashboard folds together are named in
DASHBOARD_KEY (an accepted exchange is still counted as `requested`).
"""

from dataclasses import dataclass, field
from datetime import datetime

from domain.errors import ActorNotAllowed, InvalidTransition

CLAIM_TYPES = ("cancel", "return", "exchange", "non_receipt")

# The dashboard's keys per claim type (SPEC §3, §8), `delayed` aside.
STATUS_KEYS = {
    "cancel": ("requested", "in_progress", "completed"),
    "return": ("requested", "returning", "on_hold", "collected", "completed"),
    "exchange": ("requested", "reshipping"),
    "non_receipt": ("reported", "seller_confirmed"),
}

# Internal status -> the dashboard key it is counted under (identity when absent).
DASHBOARD_KEY = {("exchange", "accepted"): "requested"}

# Closed statuses: the claim no longer blocks the order (SPEC §9 "Open claim").
CLOSED = frozenset({"completed", "withdrawn", "refused", "converted"})

# (claim type, action) -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[tuple[str, str], tuple[frozenset[str], str]] = {
    ("cancel", "approve"): (frozenset({"requested"}), "in_progress"),
    ("cancel", "refuse"): (frozenset({"requested"}), "refused"),
    ("cancel", "withdraw"): (frozenset({"requested"}), "withdrawn"),
    ("cancel", "refund_paid"): (frozenset({"in_progress"}), "completed"),
    ("return", "approve"): (frozenset({"requested"}), "returning"),
    ("return", "hold"): (frozenset({"returning"}), "on_hold"),
    ("return", "resume"): (frozenset({"on_hold"}), "returning"),
    ("return", "collect"): (frozenset({"returning", "on_hold"}), "collected"),
    ("return", "withdraw"): (frozenset({"requested", "returning", "on_hold"}), "withdrawn"),
    ("return", "refund_paid"): (frozenset({"collected"}), "completed"),
    ("exchange", "accept"): (frozenset({"requested"}), "accepted"),
    ("exchange", "reship"): (frozenset({"accepted"}), "reshipping"),
    ("exchange", "convert_to_return"): (
        frozenset({"requested", "accepted", "reshipping"}),
        "converted",
    ),
    ("exchange", "refund_in_full"): (
        frozenset({"requested", "accepted", "reshipping"}),
        "refunding",
    ),
    ("exchange", "withdraw"): (frozenset({"requested", "accepted", "reshipping"}), "withdrawn"),
    ("exchange", "refund_paid"): (frozenset({"refunding"}), "completed"),
    ("non_receipt", "answer"): (frozenset({"reported"}), "seller_confirmed"),
    ("non_receipt", "refund_in_full"): (frozenset({"reported", "seller_confirmed"}), "refunding"),
    ("non_receipt", "withdraw"): (frozenset({"reported", "seller_confirmed"}), "withdrawn"),
    ("non_receipt", "refund_paid"): (frozenset({"refunding"}), "completed"),
}

# Every status a claim of each type can be in, open or closed.
STATUSES = {
    claim_type: sorted(
        {to for (t, _), (_, to) in TRANSITIONS.items() if t == claim_type}
        | {s for (t, _), (froms, _) in TRANSITIONS.items() if t == claim_type for s in froms}
    )
    for claim_type in CLAIM_TYPES
}

CLAIM_ACTIONS = sorted({action for _, action in TRANSITIONS})

# Who may send each command (SPEC §4's actor column).
MAY_ACT = {
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
    "settle_return_charge": {"payment"},
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
    "decide_partial_refund": {"marketplace"},
    "pay_refund": {"payment"},
    "message_buyer": {"seller"},
    "give_feedback": {"buyer"},
    "register_seller": {"marketplace"},
    "exchange_points": {"seller", "marketplace"},
}


def check_actor(command: str, actor: str) -> None:
    """Raise ActorNotAllowed unless the actor may send the command."""
    if actor not in MAY_ACT[command]:
        raise ActorNotAllowed(f"{actor} may not {command.replace('_', ' ')}")


def next_status(claim_type: str, status: str, action: str) -> str:
    """The status an action leads to from the current one; InvalidTransition when not allowed."""
    allowed = TRANSITIONS.get((claim_type, action))
    if allowed is None or status not in allowed[0]:
        raise InvalidTransition(f"{claim_type} {action}", status)
    return allowed[1]


def dashboard_key(claim_type: str, status: str) -> str:
    return DASHBOARD_KEY.get((claim_type, status), status)


@dataclass
class Claim:
    """One claim on an order and what the seller and buyer said in it."""

    type: str
    status: str
    filed_at: datetime
    filed_by: str
    reason: str = ""
    responsibility: str | None = None
    attachments: list[str] = field(default_factory=list)
    details: dict = field(default_factory=dict)
    closed_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED
