"""Every (claim status × action) pair, against the reading of SPEC §3 written out here as a table;
and the tables of domain/claims.py against the aggregates' commands."""

import inspect
from collections import Counter
from datetime import date

import pytest

from domain.cart import Cart
from domain.claims import MAY_ACT, TRANSITIONS
from domain.errors import Rejected
from domain.inquiry import Inquiry, ItemInquiries
from domain.order import Order
from domain.seller import Seller
from tests.unit.builders import (
    at,
    cancel_requested,
    delivered,
    exchange_requested,
    given,
    non_receipt_reported,
    prepared,
    refund_paid,
    reshipped,
    return_requested,
    seller,
    shipped,
)

DELIVERED = (prepared(), shipped(), delivered())

# How to bring an order to each claim status.
HISTORIES = {
    ("cancel", "requested"): (prepared(), cancel_requested()),
    ("cancel", "in_progress"): (prepared(), cancel_requested(), seller("approve_cancel", days=0)),
    ("cancel", "completed"): (cancel_requested(), refund_paid()),
    ("cancel", "refused"): (prepared(), cancel_requested(), seller("refuse_cancel", days=0, reason="packed")),
    ("return", "requested"): (*DELIVERED, return_requested()),
    ("return", "returning"): (*DELIVERED, return_requested(), seller("approve_return")),
    ("return", "on_hold"): (*DELIVERED, return_requested(), seller("approve_return"), seller("hold_return")),
    ("return", "collected"): (*DELIVERED, return_requested(), seller("approve_return"), seller("collect_return")),
    ("return", "completed"): (
        *DELIVERED, return_requested(), seller("approve_return"), seller("collect_return"), refund_paid(days=7),
    ),
    ("return", "withdrawn"): (*DELIVERED, return_requested(), lambda o: o.withdraw_claim(actor="buyer", at=at(days=4))),
    ("exchange", "requested"): (*DELIVERED, exchange_requested()),
    ("exchange", "accepted"): (*DELIVERED, exchange_requested(), seller("accept_exchange", memo="m")),
    ("exchange", "reshipping"): (*DELIVERED, exchange_requested(), seller("accept_exchange", memo="m"), reshipped()),
    ("exchange", "refunding"): (*DELIVERED, exchange_requested(), seller("refund_in_full")),
    ("non_receipt", "reported"): (*DELIVERED, non_receipt_reported()),
    ("non_receipt", "seller_confirmed"): (
        *DELIVERED, non_receipt_reported(), seller("answer_non_receipt", action="wait", until=date(2026, 11, 9)),
    ),
    ("non_receipt", "refunding"): (*DELIVERED, non_receipt_reported(), seller("refund_in_full")),
}

W = 8  # every action happens on day 8
ACTIONS = {
    "approve_cancel": seller("approve_cancel", days=W),
    "refuse_cancel": seller("refuse_cancel", days=W, reason="packed"),
    "approve_return": seller("approve_return", days=W),
    "hold_return": seller("hold_return", days=W),
    "resume_return": seller("resume_return", days=W),
    "collect_return": seller("collect_return", days=W),
    "accept_exchange": seller("accept_exchange", days=W, memo="m"),
    "reship_exchange": reshipped(days=W),
    "convert_exchange_to_return": seller("convert_exchange_to_return", days=W),
    "answer_non_receipt": seller("answer_non_receipt", days=W, action="reship", carrier="y", tracking_no="1"),
    "refund_in_full": seller("refund_in_full", days=W),
    "withdraw_claim": lambda o: o.withdraw_claim(actor="buyer", at=at(days=W)),
    "pay_refund": refund_paid(days=W),
}

# The claim types each action works on (None: any).
ACTS_ON = {
    "approve_cancel": {"cancel"},
    "refuse_cancel": {"cancel"},
    "approve_return": {"return"},
    "hold_return": {"return"},
    "resume_return": {"return"},
    "collect_return": {"return"},
    "accept_exchange": {"exchange"},
    "reship_exchange": {"exchange"},
    "convert_exchange_to_return": {"exchange"},
    "answer_non_receipt": {"non_receipt"},
    "refund_in_full": {"exchange", "non_receipt"},
    "withdraw_claim": None,
    "pay_refund": None,
}

# SPEC §3 read as a table: what each allowed action leads to, as (claim type, status).
ALLOWED = {
    ("cancel", "requested"): {
        "approve_cancel": ("cancel", "in_progress"),
        "refuse_cancel": ("cancel", "refused"),
        "withdraw_claim": ("cancel", "withdrawn"),
    },
    ("cancel", "in_progress"): {"pay_refund": ("cancel", "completed")},
    ("return", "requested"): {"approve_return": ("return", "returning"), "withdraw_claim": ("return", "withdrawn")},
    ("return", "returning"): {
        "hold_return": ("return", "on_hold"),
        "collect_return": ("return", "collected"),
        "withdraw_claim": ("return", "withdrawn"),
    },
    ("return", "on_hold"): {
        "resume_return": ("return", "returning"),
        "collect_return": ("return", "collected"),
        "withdraw_claim": ("return", "withdrawn"),
    },
    ("return", "collected"): {"pay_refund": ("return", "completed")},
    ("exchange", "requested"): {
        "accept_exchange": ("exchange", "accepted"),
        "convert_exchange_to_return": ("return", "requested"),
        "refund_in_full": ("exchange", "refunding"),
        "withdraw_claim": ("exchange", "withdrawn"),
    },
    ("exchange", "accepted"): {
        "reship_exchange": ("exchange", "reshipping"),
        "convert_exchange_to_return": ("return", "requested"),
        "refund_in_full": ("exchange", "refunding"),
        "withdraw_claim": ("exchange", "withdrawn"),
    },
    ("exchange", "reshipping"): {
        "convert_exchange_to_return": ("return", "requested"),
        "refund_in_full": ("exchange", "refunding"),
        "withdraw_claim": ("exchange", "withdrawn"),
    },
    ("exchange", "refunding"): {"pay_refund": ("exchange", "completed")},
    ("non_receipt", "reported"): {
        "answer_non_receipt": ("non_receipt", "seller_confirmed"),
        "refund_in_full": ("non_receipt", "refunding"),
        "withdraw_claim": ("non_receipt", "withdrawn"),
    },
    ("non_receipt", "seller_confirmed"): {
        "refund_in_full": ("non_receipt", "refunding"),
        "withdraw_claim": ("non_receipt", "withdrawn"),
    },
    ("non_receipt", "refunding"): {"pay_refund": ("non_receipt", "completed")},
}

# Refusals where a specific rule fires before the transition check (SPEC §9's order of checks).
SPECIFIC: dict = {}  # a full refund states no amount: on a claim already refunding it is invalid_transition (SPEC §9)

CLOSED = {"completed", "refused", "withdrawn"}


def expected(state: tuple[str, str], action: str):
    allowed = ALLOWED.get(state, {})
    if action in allowed:
        return allowed[action]
    if (state, action) in SPECIFIC:
        return SPECIFIC[(state, action)]
    claim_type, status = state
    open_type = None if status in CLOSED else claim_type
    if ACTS_ON[action] is not None and open_type not in ACTS_ON[action]:
        return "no_open_claim"
    if action == "withdraw_claim" and open_type is None:
        return "no_open_claim"
    return "invalid_transition"


CASES = [(state, action) for state in HISTORIES for action in ACTIONS]


@pytest.mark.parametrize("state, action", CASES, ids=[f"{t}.{s}-{a}" for (t, s), a in CASES])
def test_every_claim_status_and_action_pair(state, action):
    order = given(*HISTORIES[state], promised_ship_date=date(2026, 11, 30))  # never delayed here
    assert (order.claim.type, order.claim.status) == state
    want = expected(state, action)
    if isinstance(want, tuple):
        ACTIONS[action](order)
        assert (order.claim.type, order.claim.status) == want
        moved = order.pending_events[-1]  # the event carries what the table said, and replay takes it from there
        assert isinstance(moved, Order.ClaimEvent)
        table_target = TRANSITIONS[(state[0], action)][1]
        assert getattr(moved, "exchange_status", moved.status) == table_target
    else:
        with pytest.raises(Rejected) as error:
            ACTIONS[action](order)
        assert error.value.code == want


def public_commands(aggregate: type) -> list[str]:
    """The aggregate's public methods that take an actor: its commands (its own and its rules')."""
    names = []
    for name in dir(aggregate):
        member = getattr(aggregate, name)
        is_method = inspect.isfunction(member) or inspect.ismethod(member)  # not the nested event classes
        if name.startswith("_") or not is_method or not member.__module__.startswith("domain."):
            continue
        if "actor" in inspect.signature(member).parameters:
            names.append(name)
    return names


def test_every_command_of_every_aggregate_has_exactly_one_row_in_the_actor_table():
    aggregates = (Order, Cart, Seller, Inquiry, ItemInquiries)
    commands = Counter(name for aggregate in aggregates for name in public_commands(aggregate))
    assert commands == Counter(set(MAY_ACT))  # each command once, no row without its command


def test_the_commands_that_move_a_claim_are_the_commands_of_the_transition_table():
    moving = {name for name in public_commands(Order) if "claim_type=" in inspect.getsource(getattr(Order, name))}
    assert moving == {command for _, command in TRANSITIONS}
    assert len(TRANSITIONS) == len(set(TRANSITIONS))
