"""The Orders application through real messages: outcomes, receipts, carts, sellers, batches."""

import pytest

from consumers.ingest import ingest_lines
from domain.application import Orders
from domain.cart import Cart, cart_id
from tests.unit.messages import lines, message, placed


@pytest.fixture
def app():
    return Orders(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def codes(summary):
    return [r["code"] for r in summary.rejected]


def test_a_message_for_an_order_never_placed_is_rejected_as_unknown_order(app):
    summary = ingest_lines(app, lines(message("cancel.requested", "999", reason="x")))
    assert codes(summary) == ["unknown_order"]


def test_placing_an_order_twice_is_rejected_as_order_exists(app):
    summary = ingest_lines(app, lines(placed(), placed()))
    assert summary.accepted == 1 and codes(summary) == ["order_exists"]


def test_a_placed_order_is_checked_for_existence_before_its_actor(app):
    summary = ingest_lines(app, lines(placed(), {**placed(), "actor": "seller"}))
    assert codes(summary) == ["order_exists"]


def test_an_order_may_arrive_before_its_seller_registers(app):
    registration = message("seller.registered", "", "marketplace", seller_id="S9", level="power")
    summary = ingest_lines(app, lines(placed(seller_id="S9"), registration))
    assert summary.accepted == 2
    assert app.get_seller("S9").level == "power"


def test_a_seller_counts_as_general_until_a_level_arrives_and_a_level_change_is_recorded(app):
    ingest_lines(app, lines(message("seller.registered", "", "marketplace", seller_id="S1", level="general")))
    ingest_lines(app, lines(message("seller.level_changed", "", "marketplace", seller_id="S1", level="excellent")))
    assert app.get_seller("S1").level == "excellent"
    assert app.get_seller("S2") is None


def test_a_repeated_message_id_is_a_duplicate_and_changes_nothing(app):
    first = placed()
    ingest_lines(app, lines(first))
    version = app.get_order("100001").version
    summary = ingest_lines(app, lines(first))
    assert (summary.accepted, summary.duplicates) == (0, 1)
    assert app.get_order("100001").version == version


def test_a_repeated_message_id_within_one_batch_is_a_duplicate(app):
    first = placed()
    summary = ingest_lines(app, lines(first, first))
    assert (summary.accepted, summary.duplicates) == (1, 1)


def test_a_rejection_is_stored_with_its_code_and_a_repeat_of_it_is_a_duplicate(app):
    refused = message("cancel.requested", "404", reason="x")
    ingest_lines(app, lines(refused))
    from domain.receipt import receipt_id

    receipt = app.repository.get(receipt_id(refused["message_id"]))
    assert (receipt.outcome, receipt.code) == ("rejected", "unknown_order")
    assert ingest_lines(app, lines(refused)).duplicates == 1


def test_a_rejected_message_changes_nothing_in_the_order(app):
    ingest_lines(app, lines(placed()))
    before = app.get_order("100001").version
    summary = ingest_lines(app, lines(message("cancel.refused", actor="seller", reason="packed")))
    assert codes(summary) == ["no_open_claim"]
    assert app.get_order("100001").version == before


def messages_sent(app, cart_no: str) -> int:
    return sum(isinstance(e, Cart.MessageSent) for e in app.events.get(cart_id(cart_no)))


def test_a_bulk_message_goes_once_per_cart_however_many_of_its_orders_were_picked(app):
    ingest_lines(app, lines(placed("1", cart_no="CA"), placed("2", cart_no="CA"), placed("3", cart_no="CB")))
    bulk = message("message.sent", "", "seller", "2026-11-02T12:00:00+09:00", order_nos=["1", "2", "3"], text="hi")
    summary = ingest_lines(app, lines(bulk))
    assert summary.accepted == 1
    assert messages_sent(app, "CA") == 1
    assert messages_sent(app, "CB") == 1
    assert all(len(app.get_order(no).buyer_messages) == 1 for no in ("1", "2", "3"))


def test_a_message_to_a_cart_reaches_every_order_of_the_cart(app):
    ingest_lines(app, lines(placed("1", cart_no="CA"), placed("2", cart_no="CA")))
    ingest_lines(app, lines(message("message.sent", "", "seller", cart_no="CA", text="hi")))
    assert messages_sent(app, "CA") == 1
    assert [len(app.get_order(no).buyer_messages) for no in ("1", "2")] == [1, 1]


def test_a_message_naming_an_unknown_order_is_rejected_and_sends_nothing(app):
    ingest_lines(app, lines(placed("1", cart_no="CA")))
    summary = ingest_lines(app, lines(message("message.sent", "", "seller", order_nos=["1", "nope"], text="hi")))
    assert codes(summary) == ["unknown_order"]
    assert messages_sent(app, "CA") == 0


def test_a_batch_applies_messages_in_order_within_one_transaction(app):
    stream = [
        placed(),
        message("order.prepared", actor="seller", at="2026-11-02T11:00:00+09:00"),
        message("cancel.requested", at="2026-11-02T12:00:00+09:00", reason="x"),
        message("cancel.approved", actor="seller", at="2026-11-02T13:00:00+09:00"),
        message("refund.paid", actor="payment", at="2026-11-03T13:00:00+09:00"),
    ]
    summary = ingest_lines(app, lines(*stream), batch_size=100)
    assert summary.accepted == 5
    assert app.get_order("100001").outcome == "cancelled"


def test_the_tracking_position_is_stored_with_the_events(app):
    from eventsourcing.persistence import Tracking

    from consumers.routes import parse, to_command

    command = to_command(parse(lines(placed())[0]))
    app.process([command], trackings=[Tracking(notification_id=7, application_name="orderclaims.upstream:0")])
    assert app.recorder.max_tracking_id("orderclaims.upstream:0") == 7


def test_every_rejection_code_of_spec_section_4_is_reachable_through_messages(app):
    d = "2026-11-0{}T{:02d}:00:00+09:00".format
    stream = [
        message("cancel.approved", "X", "seller", reason="x"),  # unknown_order
        placed("1"), placed("1"),  # order_exists
        message("cancel.approved", "1", "buyer", d(2, 11)),  # actor_not_allowed
        message("cancel.approved", "1", "seller", d(2, 11)),  # no_open_claim
        message("cancel.seller_initiated", "1", "seller", d(2, 11), reason="buyer_reason"),  # invalid_reason
        message("cancel.requested", "1", "buyer", d(2, 12), reason="x"),  # new: in_progress at once
        message("cancel.requested", "1", "buyer", d(2, 13), reason="x"),  # claim_open
        message("cancel.refused", "1", "seller", d(2, 13), reason="x"),  # refusal_not_allowed
        message("order.shipped", "1", "seller", d(2, 14), carrier="y", tracking_no="1", trackable=True),  # invalid_transition
        placed("2"),
        message("order.shipped", "2", "seller", d(2, 11), carrier="y", tracking_no="1", trackable=True),
        message("cancel.seller_initiated", "2", "seller", d(2, 12), reason="out_of_stock"),  # already_shipped
        message("non_receipt.reported", "2", "buyer", d(2, 12), note=""),  # not_delivered
        message("order.delivered", "2", "carrier", d(3, 12), by="tracking"),
        message("cancel.requested", "2", "buyer", d(3, 13), reason="x"),  # already_delivered
        message("return.requested", "2", "buyer", d(3, 14), reason="x", responsibility="seller"),
        message("return_charge.requested", "2", "seller", d(3, 15), amount=100),  # not_buyer_responsible
        message("claim.withdrawn", "2", "marketplace", d(3, 16), note=""),  # no_buyer_contact
        message("claim.withdrawn", "2", "buyer", d(3, 17), note=""),
        message("partial_refund.requested", "2", "seller", d(3, 18), category="price_or_shipping", amount=0),  # amount_invalid
        message("exchange.requested", "2", "buyer", d(4, 10), reason="x"),
        message("exchange.accepted", "2", "seller", d(4, 11), memo="m"),
        message("exchange.reshipped", "2", "seller", d(4, 12), carrier="y", tracking_no="", cost_bearer="seller",
                reship_date="2026-11-04", recipient={"name": "n", "phone": "p", "address": "a"}),  # tracking_required
        message("claim.withdrawn", "2", "buyer", d(4, 9), note=""),  # out_of_order
    ]
    stream.append({**stream[-1], "data": {"note": "another"}})  # duplicate_conflict
    summary = ingest_lines(app, lines(*stream))
    from domain.errors import REJECTION_CODES

    order_codes = set(REJECTION_CODES) - {"already_exchanged", "exchange_window_closed", "nothing_to_exchange",
                                          "unknown_inquiry", "inquiry_exists", "not_answered", "already_hidden",
                                          "asker_restricted"}  # the points' and inquiries' codes: their own tests
    assert set(codes(summary)) == order_codes
