"""One test per rule of SPEC §2–3 and §9, on the Order aggregate."""

from datetime import date, datetime

import pytest

from domain.calendar import TOKYO
from tests.unit.builders import (
    rejected,
    at,
    cancel_requested,
    claim_status,
    delivered,
    exchange_requested,
    given,
    new_order,
    non_receipt_reported,
    prepared,
    refund_paid,
    reshipped,
    return_requested,
    seller,
    shipped,
)


# ---- §2 delivery status --------------------------------------------------------------------


def test_an_order_moves_from_new_to_preparing_to_shipping_to_delivered():
    order = new_order()
    assert order.delivery == "new"
    prepared()(order)
    assert order.delivery == "preparing"
    shipped()(order)
    assert order.delivery == "shipping"
    delivered()(order)
    assert order.delivery == "delivered"


def test_delivery_records_who_confirmed_it():
    for actor, by in (("carrier", "tracking"), ("buyer", "buyer"), ("system", "auto")):
        order = given(prepared(), shipped())
        order.deliver(actor=actor, at=at(days=2), by=by)
        assert order.delivered_by == by


def test_an_unshipped_order_is_delayed_once_the_tokyo_date_passes_its_promised_ship_date():
    order = new_order(promised_ship_date=date(2026, 11, 2))
    assert not order.is_delayed(datetime(2026, 11, 2, 23, 59, tzinfo=TOKYO))
    # 15:30 UTC on 11-02 is already 11-03 00:30 in Tokyo
    assert order.is_delayed(datetime.fromisoformat("2026-11-02T15:30:00+00:00"))


def test_a_shipped_order_is_never_delayed():
    order = given(prepared(), shipped(), promised_ship_date=date(2026, 11, 2))
    assert not order.is_delayed(at(days=5))


def test_a_preparing_order_can_move_its_promised_ship_date():
    order = new_order()
    order.prepare(actor="seller", at=at(1), promised_ship_date=date(2026, 11, 9))
    assert order.promised_ship_date == date(2026, 11, 9)


def test_delivery_before_shipping_is_an_invalid_transition():
    assert rejected(lambda: new_order().deliver(actor="carrier", at=at(5), by="tracking")) == "invalid_transition"


# ---- cancel --------------------------------------------------------------------------------


def test_a_buyer_cancel_on_a_new_order_completes_without_the_seller():
    order = given(cancel_requested())
    assert claim_status(order) == ("cancel", "in_progress")
    assert order.money.refunded == order.money.paid


def test_a_buyer_cancel_on_a_delayed_order_completes_without_the_seller():
    order = given(prepared(), promised_ship_date=date(2026, 11, 2))
    order.request_cancel(actor="buyer", at=at(days=1), reason="too_late")
    assert claim_status(order) == ("cancel", "in_progress")


def test_a_buyer_cancel_on_a_made_to_order_item_waits_for_the_seller():
    order = given(cancel_requested(), item_kind="made_to_order")
    assert claim_status(order) == ("cancel", "requested")
    assert order.money.refunded == 0


def test_a_buyer_cancel_on_a_prepared_order_waits_and_seller_approval_starts_the_refund():
    order = given(prepared(), cancel_requested())
    assert claim_status(order) == ("cancel", "requested")
    seller("approve_cancel", days=0)(order)
    assert claim_status(order) == ("cancel", "in_progress")
    assert order.money.refunded == order.money.paid


def test_the_refund_payment_completes_a_cancel_and_ends_the_order():
    order = given(cancel_requested(), refund_paid())
    assert claim_status(order) == ("cancel", "completed")
    assert order.outcome == "cancelled"
    assert order.open_claim is None


def test_a_marketplace_cancel_goes_to_in_progress_on_any_undelivered_order():
    order = given(prepared(), shipped(), cancel_requested(hours=5, actor="marketplace"))
    assert claim_status(order) == ("cancel", "in_progress")


def test_a_buyer_cancel_after_delivery_is_refused_as_a_return_matter():
    order = given(prepared(), shipped(), delivered())
    assert rejected(lambda: cancel_requested(hours=60)(order)) == "already_delivered"


@pytest.mark.parametrize(
    "history, kind",
    [
        ((prepared(), cancel_requested()), "general"),
        ((prepared(), shipped(), cancel_requested()), "general"),
        ((cancel_requested(),), "made_to_order"),
    ],
    ids=["preparing", "shipping", "made_to_order"],
)
def test_cancel_refusal_is_allowed_on_prepared_or_shipped_orders_and_made_to_order_items(history, kind):
    order = given(*history, item_kind=kind)
    order.refuse_cancel(actor="seller", at=at(4), reason="already_packed", note="本日発送")
    assert claim_status(order) == ("cancel", "refused")
    assert order.open_claim is None


def test_cancel_refusal_is_refused_on_a_delayed_order():
    delayed = given(prepared(), promised_ship_date=date(2026, 11, 1))
    delayed.request_cancel(actor="buyer", at=at(2), reason="late")
    code = rejected(lambda: delayed.refuse_cancel(actor="seller", at=at(3), reason="packed"))
    assert code == "refusal_not_allowed"


def test_cancel_refusal_is_refused_on_a_new_order():
    order = given(cancel_requested(actor="marketplace"))
    assert rejected(lambda: order.refuse_cancel(actor="seller", at=at(4), reason="packed")) == "refusal_not_allowed"


def test_a_refused_order_shipped_the_same_tokyo_day_is_no_breach():
    order = given(prepared(), cancel_requested())
    order.refuse_cancel(actor="seller", at=at(4), reason="packed")
    order.ship(actor="seller", at=datetime(2026, 11, 2, 23, 50, tzinfo=TOKYO), carrier="y", tracking_no="1", trackable=True)
    assert not order.refusal_breached(at(days=3))


def test_a_refused_order_not_shipped_by_the_end_of_that_tokyo_day_is_a_refusal_breach():
    order = given(prepared(), cancel_requested())
    order.refuse_cancel(actor="seller", at=at(4), reason="packed")
    assert not order.refusal_breached(datetime(2026, 11, 2, 23, 59, tzinfo=TOKYO))
    assert order.refusal_breached(datetime(2026, 11, 3, 0, 1, tzinfo=TOKYO))
    order.ship(actor="seller", at=at(days=1, hours=2), carrier="y", tracking_no="1", trackable=True)
    assert order.refusal_breached(at(days=2))


def test_seller_reason_cancel_takes_only_out_of_stock_or_shipping_delay():
    order = new_order()
    assert rejected(lambda: seller("cancel_for_seller_reason", days=0, reason="buyer_reason")(order)) == "invalid_reason"
    seller("cancel_for_seller_reason", days=0, reason="out_of_stock")(order)
    assert claim_status(order) == ("cancel", "in_progress")
    assert order.money.refunded == order.money.paid


def test_seller_reason_cancel_after_shipping_is_refused():
    order = given(prepared(), shipped())
    assert rejected(lambda: seller("cancel_for_seller_reason", days=1, reason="out_of_stock")(order)) == "already_shipped"


def test_seller_actions_on_a_cancelled_order_are_invalid_transitions():
    order = given(cancel_requested(), refund_paid())
    assert rejected(lambda: prepared(hours=100)(order)) == "invalid_transition"
    assert rejected(lambda: shipped(hours=100)(order)) == "invalid_transition"


def test_a_cancel_in_progress_cannot_be_shipped():
    order = given(cancel_requested())
    assert rejected(lambda: shipped(hours=5)(order)) == "invalid_transition"


# ---- return --------------------------------------------------------------------------------


def test_a_return_moves_requested_returning_on_hold_returning_collected_completed():
    order = given(prepared(), shipped(), delivered(), return_requested())
    assert claim_status(order) == ("return", "requested")
    for method, status in (
        ("approve_return", "returning"),
        ("hold_return", "on_hold"),
        ("resume_return", "returning"),
        ("collect_return", "collected"),
    ):
        seller(method)(order)
        assert claim_status(order) == ("return", status)
    assert order.money.refunded == order.money.paid  # collected = refund requested
    refund_paid(days=7)(order)
    assert claim_status(order) == ("return", "completed")
    assert order.outcome == "refunded"


def test_a_return_is_allowed_once_the_order_is_shipping():
    order = given(prepared(), shipped(), return_requested(days=1))
    assert claim_status(order) == ("return", "requested")


def test_a_return_before_shipping_is_refused():
    assert rejected(lambda: given(prepared(), return_requested())) == "not_delivered"


def test_a_return_extra_charge_needs_a_buyer_responsible_return():
    order = given(prepared(), shipped(), delivered(), return_requested(responsibility="seller"))
    assert rejected(lambda: seller("request_return_charge", amount=500)(order)) == "not_buyer_responsible"


def test_a_return_extra_charge_is_more_than_zero_and_at_most_what_the_buyer_paid():
    order = given(prepared(), shipped(), delivered(), return_requested())
    assert rejected(lambda: seller("request_return_charge", amount=0)(order)) == "amount_invalid"
    assert rejected(lambda: seller("request_return_charge", amount=order.money.paid + 1)(order)) == "amount_invalid"
    seller("request_return_charge", amount=order.money.paid)(order)
    assert order.money.pending_charge.amount == order.money.paid


def test_only_one_return_extra_charge_is_open_at_a_time():
    order = given(prepared(), shipped(), delivered(), return_requested(), seller("request_return_charge", amount=600))
    assert rejected(lambda: seller("request_return_charge", amount=300)(order)) == "invalid_transition"


def test_a_paid_return_extra_charge_counts_for_the_seller_and_a_declined_one_does_not():
    order = given(prepared(), shipped(), delivered(), return_requested(), seller("request_return_charge", amount=600))
    order.pay_return_charge(actor="payment", at=at(days=5))
    assert order.money.charges_paid == 600
    seller("request_return_charge", amount=300)(order)
    order.decline_return_charge(actor="payment", at=at(days=6))
    assert order.money.charges_paid == 600 and order.money.pending_charge is None


def test_the_seller_may_cancel_an_unpaid_return_extra_charge_only():
    order = given(prepared(), shipped(), delivered(), return_requested(), seller("request_return_charge", amount=600))
    seller("cancel_return_charge")(order)
    assert order.money.pending_charge is None
    assert rejected(lambda: seller("cancel_return_charge")(order)) == "invalid_transition"


# ---- exchange ------------------------------------------------------------------------------


def test_an_accepted_exchange_still_counts_as_requested():
    from domain.claims import dashboard_key

    order = given(prepared(), shipped(), delivered(), exchange_requested(), seller("accept_exchange", memo="手配します"))
    assert dashboard_key(*claim_status(order)) == "requested"
    assert order.claim.details["memo"] == "手配します"


def test_an_exchange_reship_needs_a_tracking_number():
    order = given(prepared(), shipped(), delivered(), exchange_requested(), seller("accept_exchange", memo="m"))
    assert rejected(lambda: reshipped(tracking_no=" ")(order)) == "tracking_required"
    reshipped()(order)
    assert claim_status(order) == ("exchange", "reshipping")


def test_the_reship_arriving_does_not_close_the_exchange_until_the_buyer_withdraws():
    order = given(prepared(), shipped(), delivered(), exchange_requested(), seller("accept_exchange", memo="m"), reshipped())
    assert order.open_claim is not None
    order.withdraw_claim(actor="buyer", at=at(days=9), note="受け取りました")
    assert claim_status(order) == ("exchange", "withdrawn")
    assert order.outcome is None


def test_an_exchange_can_be_refunded_in_full_instead():
    order = given(prepared(), shipped(), delivered(), exchange_requested(), seller("refund_in_full"))
    assert claim_status(order) == ("exchange", "refunding")
    refund_paid(days=8)(order)
    assert claim_status(order) == ("exchange", "completed")
    assert order.outcome == "refunded"


def test_an_exchange_can_become_a_return_request():
    order = given(prepared(), shipped(), delivered(), exchange_requested(), seller("convert_exchange_to_return"))
    assert claim_status(order) == ("return", "requested")
    assert order.pending_events[-1].exchange_status == "converted"  # the exchange it replaced


def test_an_exchange_before_shipping_is_refused():
    assert rejected(lambda: given(exchange_requested())) == "not_delivered"


# ---- non-receipt ---------------------------------------------------------------------------


def test_non_receipt_is_only_reported_on_a_delivered_order():
    assert rejected(lambda: given(prepared(), shipped(), non_receipt_reported())) == "not_delivered"
    order = given(prepared(), shipped(), delivered(), non_receipt_reported())
    assert claim_status(order) == ("non_receipt", "reported")


def test_the_seller_answers_non_receipt_with_wait_or_reship_and_is_then_confirmed():
    waiting = given(prepared(), shipped(), delivered(), non_receipt_reported())
    seller("answer_non_receipt", action="wait", until=date(2026, 11, 10))(waiting)
    assert claim_status(waiting) == ("non_receipt", "seller_confirmed")
    reshipping = given(prepared(), shipped(), delivered(), non_receipt_reported())
    assert rejected(lambda: seller("answer_non_receipt", action="reship", carrier="y")(reshipping)) == "tracking_required"
    seller("answer_non_receipt", action="reship", carrier="y", tracking_no="9")(reshipping)
    assert claim_status(reshipping) == ("non_receipt", "seller_confirmed")


def test_non_receipt_can_be_refunded_in_full():
    order = given(prepared(), shipped(), delivered(), non_receipt_reported(), seller("refund_in_full"), refund_paid(days=9))
    assert claim_status(order) == ("non_receipt", "completed")


# ---- withdrawal ----------------------------------------------------------------------------


def test_only_the_buyer_can_withdraw_a_claim():
    order = given(prepared(), shipped(), delivered(), exchange_requested())
    assert rejected(lambda: seller("withdraw_claim")(order)) == "actor_not_allowed"
    order.withdraw_claim(actor="buyer", at=at(days=4))
    assert claim_status(order) == ("exchange", "withdrawn")


def test_the_marketplace_withdraws_only_after_the_seller_messaged_the_buyer_since_the_claim_was_filed():
    order = given(prepared(), shipped(), delivered())
    order.note_buyer_message(actor="seller", at=at(days=2, hours=1), cart_no="C1")  # before the claim
    exchange_requested(days=3)(order)
    assert rejected(lambda: order.withdraw_claim(actor="marketplace", at=at(days=8))) == "no_buyer_contact"
    order.note_buyer_message(actor="seller", at=at(days=4), cart_no="C1")
    order.withdraw_claim(actor="marketplace", at=at(days=8))
    assert claim_status(order) == ("exchange", "withdrawn")


# ---- one claim at a time, refunds ----------------------------------------------------------


def test_only_one_claim_is_open_at_a_time():
    order = given(prepared(), shipped(), delivered(), return_requested())
    assert rejected(lambda: exchange_requested(days=4)(order)) == "claim_open"


def test_a_new_claim_may_follow_a_closed_one():
    order = given(prepared(), shipped(), delivered(), exchange_requested())
    order.withdraw_claim(actor="buyer", at=at(days=4))
    return_requested(days=5)(order)
    assert claim_status(order) == ("return", "requested")


def test_a_claim_action_without_an_open_claim_of_that_type_is_refused():
    order = given(prepared(), shipped(), delivered(), return_requested())
    assert rejected(lambda: seller("approve_cancel")(order)) == "no_open_claim"
    assert rejected(lambda: seller("accept_exchange", memo="m")(given(prepared()))) == "no_open_claim"


def test_a_full_refund_is_what_was_paid_less_what_was_already_refunded():
    order = given(prepared(), shipped(), delivered(), seller("request_partial_refund", category="price_or_shipping", amount=500))
    order.approve_partial_refund(actor="marketplace", at=at(days=5))
    non_receipt_reported(days=6)(order)
    seller("refund_in_full", days=7)(order)
    assert [r.amount for r in order.money.refunds] == [500, order.money.paid - 500]
    assert order.money.refundable == 0


def test_money_is_never_refunded_more_than_was_paid():
    """A full refund states no amount (SPEC §9): one that comes to 0 owes nothing and completes its claim."""
    order = given(prepared(), shipped(), delivered(), seller("request_partial_refund", category="price_or_shipping", amount=2500))
    order.approve_partial_refund(actor="marketplace", at=at(days=5))
    exchange_requested(days=6)(order)
    seller("refund_in_full", days=7)(order)
    assert [r.amount for r in order.money.refunds] == [2500]
    assert claim_status(order) == ("exchange", "completed")
    assert order.outcome == "refunded"


def test_a_full_refund_on_a_claim_already_refunding_is_an_invalid_transition():
    order = given(prepared(), shipped(), delivered(), exchange_requested(), seller("refund_in_full"))
    assert rejected(lambda: seller("refund_in_full", days=7)(order)) == "invalid_transition"


def test_refund_paid_pays_the_oldest_owed_refund():
    order = given(prepared(), shipped(), delivered(), seller("request_partial_refund", category="price_or_shipping", amount=300))
    order.approve_partial_refund(actor="marketplace", at=at(days=5))
    non_receipt_reported(days=6)(order)
    seller("refund_in_full", days=7)(order)
    refund_paid(days=8)(order)
    assert order.money.refunds[0].paid_at is not None and order.money.refunds[1].paid_at is None
    assert claim_status(order) == ("non_receipt", "refunding")
    refund_paid(days=9)(order)
    assert claim_status(order) == ("non_receipt", "completed")


def test_refund_paid_with_nothing_owed_is_an_invalid_transition():
    assert rejected(lambda: given(prepared(), refund_paid())) == "invalid_transition"


# ---- partial refund ------------------------------------------------------------------------


def test_a_partial_refund_is_only_for_a_delivered_order():
    order = given(prepared(), shipped())
    code = rejected(lambda: seller("request_partial_refund", category="price_or_shipping", amount=100)(order))
    assert code == "not_delivered"


def test_a_quantity_error_refunds_a_smaller_quantity_times_the_unit_price():
    order = given(prepared(), shipped(), delivered())
    assert rejected(lambda: seller("request_partial_refund", category="quantity_error", quantity=2)(order)) == "amount_invalid"
    seller("request_partial_refund", category="quantity_error", quantity=1)(order)
    assert order.money.pending_partial_refund.amount == 1000


def test_a_partial_refund_amount_is_positive_and_within_what_can_be_refunded():
    order = given(prepared(), shipped(), delivered())
    for amount in (0, -5, order.money.paid + 1):
        code = rejected(lambda: seller("request_partial_refund", category="price_or_shipping", amount=amount)(order))
        assert code == "amount_invalid"


def test_a_partial_refund_waits_for_staff_who_approve_or_reject_and_the_seller_may_cancel_it_until_then():
    request = seller("request_partial_refund", category="price_or_shipping", amount=300)
    approved = given(prepared(), shipped(), delivered(), request)
    assert approved.money.refunded == 0
    assert rejected(lambda: approved.approve_partial_refund(actor="seller", at=at(days=5))) == "actor_not_allowed"
    approved.approve_partial_refund(actor="marketplace", at=at(days=5))
    assert approved.money.refunded == 300
    assert rejected(lambda: seller("cancel_partial_refund", days=6)(approved)) == "invalid_transition"

    refused = given(prepared(), shipped(), delivered(), request)
    refused.reject_partial_refund(actor="marketplace", at=at(days=5))
    assert refused.money.refunded == 0 and refused.money.partial_refunds[-1].status == "rejected"

    cancelled = given(prepared(), shipped(), delivered(), request, seller("cancel_partial_refund", days=5))
    assert cancelled.money.partial_refunds[-1].status == "cancelled"


# ---- feedback, actors, order of checks -----------------------------------------------------


def test_feedback_is_given_once_on_a_delivered_order():
    order = given(prepared(), shipped())
    assert rejected(lambda: order.give_feedback(actor="buyer", at=at(days=3), rating="great")) == "not_delivered"
    delivered()(order)
    order.give_feedback(actor="buyer", at=at(days=3), rating="great")
    assert order.feedback == "great"
    assert rejected(lambda: order.give_feedback(actor="buyer", at=at(days=4), rating="bad")) == "invalid_transition"


def test_a_buyer_may_not_approve_and_a_seller_may_not_request_a_cancel():
    order = given(prepared(), cancel_requested())
    assert rejected(lambda: order.approve_cancel(actor="buyer", at=at(5))) == "actor_not_allowed"
    assert rejected(lambda: order.request_cancel(actor="seller", at=at(5), reason="x")) == "actor_not_allowed"


def test_checks_run_in_spec_order_actor_then_claim_then_specific_rule():
    order = new_order()
    # no claim and a wrong actor: the actor is checked first
    assert rejected(lambda: order.refuse_cancel(actor="buyer", at=at(1), reason="r")) == "actor_not_allowed"
    # no open claim outranks the refusal rule on a new order
    assert rejected(lambda: order.refuse_cancel(actor="seller", at=at(1), reason="r")) == "no_open_claim"
    # an open claim outranks the seller-cancel reason
    cancel_requested()(order)
    code = rejected(lambda: order.cancel_for_seller_reason(actor="seller", at=at(4), reason="buyer"))
    assert code == "claim_open"


def test_carrier_and_payment_facts_are_accepted_while_a_claim_is_open():
    order = given(prepared(), shipped(), cancel_requested(hours=4))
    delivered()(order)
    assert order.delivery == "delivered" and claim_status(order) == ("cancel", "requested")
