"""The readings SPEC §9 settles ("Refusal after delivery" to "Optional text and forms"), one test each."""

from datetime import date

import pytest

from consumers.ingest import ingest_lines
from domain.application import Orders
from tests.unit.builders import (
    rejected,
    at,
    cancel_requested,
    claim_status,
    delivered,
    given,
    non_receipt_reported,
    prepared,
    refund_paid,
    return_requested,
    seller,
    shipped,
)
from tests.unit.messages import lines, message, placed


def test_refusal_after_delivery_is_an_invalid_transition():
    order = given(prepared(), shipped(), cancel_requested(), delivered())
    assert claim_status(order) == ("cancel", "requested")
    assert rejected(lambda: seller("refuse_cancel", days=3, reason="sent")(order)) == "invalid_transition"


def test_the_specific_rules_are_checked_in_spec_order_a_zero_charge_on_a_seller_responsible_return_is_amount_invalid():
    order = given(prepared(), shipped(), delivered(), return_requested(responsibility="seller"))
    assert rejected(lambda: seller("request_return_charge", amount=0)(order)) == "amount_invalid"
    assert rejected(lambda: seller("request_return_charge", amount=100)(order)) == "not_buyer_responsible"


def test_a_refund_that_comes_to_zero_owes_nothing_and_the_claim_completes_when_it_is_decided():
    partial = seller("request_partial_refund", days=3, category="price_or_shipping", amount=2500)
    order = given(prepared(), shipped(), delivered(), partial,
                  lambda o: o.approve_partial_refund(actor="marketplace", at=at(days=3)),
                  return_requested(days=4), seller("approve_return", days=4), seller("collect_return", days=5))
    assert order.money.refundable == 0
    assert claim_status(order) == ("return", "completed")
    assert order.outcome == "refunded"
    refund_paid(days=6)(order)  # the partial refund, owed since its approval
    assert rejected(lambda: refund_paid(days=7)(order)) == "invalid_transition"  # nothing left to mark


def test_a_cancel_of_a_free_order_completes_at_once():
    order = given(cancel_requested(), unit_price=0, shipping_fee=0)
    assert claim_status(order) == ("cancel", "completed")
    assert order.outcome == "cancelled"


@pytest.mark.parametrize("by, actor", [("tracking", "buyer"), ("buyer", "carrier"), ("auto", "carrier"), ("tracking", "system")])
def test_who_delivers_a_tracking_delivery_comes_from_the_carrier_a_receipt_from_the_buyer_auto_from_the_system(by, actor):
    order = given(prepared(), shipped())
    assert rejected(lambda: order.deliver(actor=actor, at=at(days=2), by=by)) == "actor_not_allowed"


@pytest.mark.parametrize("answer", [None, "wait"])
def test_receipt_confirmation_ends_a_non_receipt_claim_as_withdrawn(answer):
    steps = [prepared(), shipped(), delivered(), non_receipt_reported()]
    if answer:
        steps.append(seller("answer_non_receipt", action="wait", until=date(2026, 11, 9)))
    order = given(*steps)
    order.deliver(actor="buyer", at=at(days=5), by="buyer")
    assert claim_status(order) == ("non_receipt", "withdrawn")
    assert order.delivered_by == "tracking"  # the delivery itself is as it was


def test_receipt_confirmation_after_a_full_refund_or_without_a_claim_is_a_second_delivery_and_invalid():
    refunded = given(prepared(), shipped(), delivered(), non_receipt_reported(), seller("refund_in_full"))
    assert rejected(lambda: refunded.deliver(actor="buyer", at=at(days=5), by="buyer")) == "invalid_transition"
    plain = given(prepared(), shipped(), delivered())
    assert rejected(lambda: plain.deliver(actor="buyer", at=at(days=5), by="buyer")) == "invalid_transition"


def test_a_cancelled_or_refunded_order_takes_no_delivery_facts():
    cancelled = given(prepared(), shipped(), cancel_requested(), seller("approve_cancel", days=0), refund_paid(days=1))
    assert cancelled.outcome == "cancelled"
    assert rejected(lambda: delivered(days=2)(cancelled)) == "invalid_transition"


def test_feedback_is_once_per_order_only_when_delivered_also_after_a_return_refunded_it():
    order = given(prepared(), shipped(), delivered(), return_requested(), seller("approve_return"),
                  seller("collect_return"), refund_paid(days=7))
    assert order.outcome == "refunded"
    order.give_feedback(actor="buyer", at=at(days=8), rating="bad")
    assert rejected(lambda: order.give_feedback(actor="buyer", at=at(days=9), rating="good")) == "invalid_transition"


def test_a_return_can_be_collected_from_on_hold():
    order = given(prepared(), shipped(), delivered(), return_requested(), seller("approve_return"), seller("hold_return"))
    seller("collect_return", days=5)(order)
    assert claim_status(order) == ("return", "collected")


def test_time_never_runs_backwards_within_an_order_a_message_dated_before_its_latest_event_is_out_of_order():
    app = Orders(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    summary = ingest_lines(app, lines(
        placed(),
        message("order.prepared", actor="seller", at="2026-11-03T10:00:00+09:00"),
        message("cancel.requested", actor="buyer", at="2026-11-03T09:59:59+09:00", reason="x"),  # before: out_of_order
        message("order.delivered", actor="carrier", at="2026-11-02T00:00:00+09:00", by="tracking"),  # checked first
        message("order.shipped", actor="seller", at="2026-11-03T10:00:00+09:00", carrier="c", tracking_no="1",
                trackable=True),  # the same moment is in order
    ))
    assert [r["code"] for r in summary.rejected] == ["out_of_order", "out_of_order"]
    assert app.get_order("100001").delivery == "shipping"


def test_a_bulk_cart_message_is_not_checked_for_its_orders_time():
    app = Orders(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    summary = ingest_lines(app, lines(
        placed(), message("order.prepared", actor="seller", at="2026-11-05T10:00:00+09:00"),
        message("message.sent", "", "seller", "2026-11-04T10:00:00+09:00", cart_no="C1", text="hi"),
    ))
    assert summary.accepted == 3 and not summary.rejected


@pytest.mark.parametrize("method, destination", [("card", "card_company"), ("cash", "qsite_balance"),
                                                 ("qcash", "qsite_balance")])
def test_each_refund_goes_where_the_payment_method_says(method, destination):
    order = given(cancel_requested(), payment_method=method)
    assert [(r.kind, r.amount, r.to) for r in order.money.refunds] == [("cancel", 2500, destination)]
