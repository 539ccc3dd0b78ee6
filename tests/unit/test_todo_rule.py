"""SPEC §6.4: the next step expected of the seller on each claim, its due time, and overdue."""

from datetime import date, datetime, timedelta

import pytest

from domain.calendar import TOKYO
from domain.claims import CLOSED, STATUSES, ClaimType, Status
from domain.policy import Policy
from domain.rules.cancel import refusal_breached
from domain.rules.claims_end import buyer_contacted
from domain.rules.guards import days_late
from domain.todo import ClaimFacts, Step, next_step, withdrawal_deadline

FILED = datetime(2026, 10, 10, 10, 0, tzinfo=TOKYO)
DUE = FILED + timedelta(days=4)  # the default delay threshold
SECOND = timedelta(seconds=1)


def claim(type_: str, status: str, since: datetime = FILED, **facts) -> ClaimFacts:
    return ClaimFacts(type=ClaimType(type_), status=Status(status), filed_at=FILED, since=since, **facts)


# Every (type, status) the claim table knows -> the seller's next step (None: off the list).
NEXT = {
    ("cancel", "requested"): "approve_or_refuse_cancel",
    ("cancel", "in_progress"): "await_refund",
    ("cancel", "refused"): "ship_refused_cancel",  # not shipped yet
    ("cancel", "completed"): None,
    ("cancel", "withdrawn"): None,
    ("return", "requested"): "approve_return",
    ("return", "returning"): "confirm_collection",
    ("return", "on_hold"): "confirm_collection",
    ("return", "collected"): "await_refund",
    ("return", "completed"): None,
    ("return", "withdrawn"): None,
    ("exchange", "requested"): "accept_exchange",
    ("exchange", "accepted"): "reship_exchange",
    ("exchange", "reshipping"): "ask_buyer_to_withdraw",
    ("exchange", "refunding"): "await_refund",
    ("exchange", "converted"): None,
    ("exchange", "completed"): None,
    ("exchange", "withdrawn"): None,
    ("non_receipt", "reported"): "answer_non_receipt",
    ("non_receipt", "seller_confirmed"): "ask_buyer_to_withdraw",
    ("non_receipt", "refunding"): "await_refund",
    ("non_receipt", "completed"): None,
    ("non_receipt", "withdrawn"): None,
}


def test_the_table_names_every_status_of_every_claim_type():
    assert set(NEXT) == {(t, s) for t, statuses in STATUSES.items() for s in statuses}


@pytest.mark.parametrize("type_, status", sorted(NEXT))
def test_each_status_asks_its_step_of_the_seller_and_every_open_claim_asks_one(type_, status):
    step = next_step(claim(type_, status), FILED + timedelta(hours=1))
    assert (step.action if step else None) == NEXT[(type_, status)]
    if Status(status) not in CLOSED:
        assert step is not None


@pytest.mark.parametrize("type_, status", [
    ("cancel", "requested"), ("return", "requested"), ("exchange", "requested"), ("non_receipt", "reported"),
])
def test_a_first_seller_step_is_due_the_delay_threshold_after_filing_and_overdue_only_after_it(type_, status):
    first = claim(type_, status)
    assert next_step(first, FILED) == Step(NEXT[(type_, status)], DUE, False)
    assert next_step(first, DUE).overdue is False  # exactly at the due time: not yet
    assert next_step(first, DUE + SECOND).overdue is True


def test_the_delay_threshold_is_the_policys():
    step = next_step(claim("return", "requested"), FILED, Policy(claim_delay=timedelta(days=2)))
    assert step.due == FILED + timedelta(days=2)


def test_an_accepted_exchange_is_still_a_request_its_reship_is_due_when_the_request_turns_delayed():
    accepted = claim("exchange", "accepted", since=FILED + timedelta(days=3))
    assert next_step(accepted, DUE) == Step("reship_exchange", DUE, False)
    assert next_step(accepted, DUE + SECOND).overdue


def test_after_a_cancel_refusal_the_seller_ships_by_the_end_of_that_tokyo_day():
    refused = claim("cancel", "refused", since=datetime(2026, 10, 12, 23, 30, tzinfo=TOKYO))
    end_of_day = datetime(2026, 10, 13, 0, 0, tzinfo=TOKYO) - timedelta(microseconds=1)
    assert next_step(refused, datetime(2026, 10, 12, 23, 59, 59, tzinfo=TOKYO)) == Step("ship_refused_cancel", end_of_day, False)
    assert next_step(refused, datetime(2026, 10, 13, 0, 0, tzinfo=TOKYO)).overdue is True


def test_the_refusal_day_is_the_tokyo_date_whatever_the_offset_of_the_refusal():
    refused = claim("cancel", "refused", since=datetime.fromisoformat("2026-10-12T15:30:00+00:00"))  # 00:30 on the 13th
    assert next_step(refused, FILED).due.astimezone(TOKYO).date() == date(2026, 10, 13)


@pytest.mark.parametrize("as_of", ["2026-10-12T23:59:59.999999+09:00", "2026-10-13T00:00:00+09:00", "2026-10-12T15:00:00+00:00"])
def test_a_refused_cancel_is_overdue_exactly_when_it_is_a_refusal_breach(as_of):
    refused_at = datetime(2026, 10, 12, 10, 0, tzinfo=TOKYO)
    at = datetime.fromisoformat(as_of)
    assert next_step(claim("cancel", "refused", since=refused_at), at).overdue == refusal_breached(refused_at.date(), None, at)


def test_a_refused_cancel_is_off_the_list_once_the_order_shipped():
    assert next_step(claim("cancel", "refused", shipped=True), FILED) is None


@pytest.mark.parametrize("type_, status", [("return", "returning"), ("return", "on_hold"), ("return", "collected"),
                                           ("cancel", "in_progress"), ("exchange", "refunding")])
def test_nothing_is_due_while_the_goods_come_back_or_a_refund_is_paid_out(type_, status):
    step = next_step(claim(type_, status), FILED + timedelta(days=365))
    assert (step.due, step.overdue, step.withdraw_possible) == (None, False, None)


def test_a_reshipped_exchange_asks_the_buyer_to_withdraw_until_the_threshold_after_the_reship():
    reshipped_at = FILED + timedelta(days=1)
    deadline = reshipped_at + timedelta(days=4)
    reshipping = claim("exchange", "reshipping", since=reshipped_at)
    assert next_step(reshipping, deadline) == Step("ask_buyer_to_withdraw", deadline, False)


def test_after_the_deadline_the_seller_asks_the_marketplace_which_is_possible_only_having_messaged_the_buyer():
    reshipped_at = FILED + timedelta(days=1)
    after = reshipped_at + timedelta(days=4) + SECOND
    silent = next_step(claim("exchange", "reshipping", since=reshipped_at), after)
    messaged = next_step(claim("exchange", "reshipping", since=reshipped_at, messaged_buyer=True), after)
    assert silent == Step("ask_marketplace_to_withdraw", reshipped_at + timedelta(days=4), True, withdraw_possible=False)
    assert messaged.withdraw_possible is True and messaged.action == "ask_marketplace_to_withdraw"


def test_a_wait_answer_gives_the_buyer_until_the_end_of_its_date_however_far():
    answered_at = FILED + timedelta(hours=5)
    for until in (date(2026, 10, 11), date(2026, 10, 25)):  # sooner and later than the delay threshold
        waiting = claim("non_receipt", "seller_confirmed", since=answered_at, wait_until=until)
        last_moment = datetime(until.year, until.month, until.day, 23, 59, 59, 999999, tzinfo=TOKYO)
        assert withdrawal_deadline(waiting) == last_moment
        assert next_step(waiting, last_moment).action == "ask_buyer_to_withdraw"
        assert next_step(waiting, last_moment + timedelta(microseconds=1)).action == "ask_marketplace_to_withdraw"


def test_a_reship_answer_to_a_non_receipt_gives_the_buyer_the_delay_threshold_after_the_answer():
    answered_at = FILED + timedelta(days=2)
    reshipped = claim("non_receipt", "seller_confirmed", since=answered_at)
    assert next_step(reshipped, FILED).due == answered_at + timedelta(days=4)


def test_a_message_counts_as_contact_from_the_moment_the_claim_was_filed():
    assert buyer_contacted(FILED, FILED) is True
    assert buyer_contacted(FILED - SECOND, FILED) is False
    assert buyer_contacted(None, FILED) is False


def test_an_order_is_late_from_the_tokyo_day_after_its_promised_ship_date():
    promised = date(2026, 10, 12)
    assert days_late(promised, datetime(2026, 10, 12, 23, 59, tzinfo=TOKYO)) == 0
    assert days_late(promised, datetime.fromisoformat("2026-10-12T15:00:00+00:00")) == 1  # 00:00 on the 13th in Tokyo
    assert days_late(promised, datetime(2026, 10, 15, 9, 0, tzinfo=TOKYO)) == 3
