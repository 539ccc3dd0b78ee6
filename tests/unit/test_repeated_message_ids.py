"""SPEC §4: a repeated message_id changes nothing. With the first message's content it is a
duplicate; with other content (type, order_no, occurred_at, actor, data as JSON values) it is
rejected `duplicate_conflict` — recorded once per distinct content, so the rejections topic and
the summary show a producer's reuse of ids."""

from dataclasses import replace

import orjson
import pytest

from consumers.ingest import ingest_lines
from domain.application import Orders
from consumers.routes import parse, to_command
from domain.receipt import conflict_id, receipt_id
from tests.unit.messages import lines, message, placed


@pytest.fixture
def app():
    return Orders(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def codes(summary):
    return [r["code"] for r in summary.rejected]


def shipped(**changes):
    return {**message("order.shipped", "100001", "seller", "2026-11-03T10:00:00+09:00", carrier="yamato",
                      tracking_no="T1", trackable=True), "message_id": "m-ship", **changes}


def test_the_same_message_again_is_a_duplicate_in_the_same_batch_and_in_a_later_one(app):
    first = ingest_lines(app, lines(placed(), shipped(), shipped()))
    again = ingest_lines(app, lines(shipped()))
    assert (first.accepted, first.duplicates, codes(first)) == (2, 1, [])
    assert (again.accepted, again.duplicates, codes(again)) == (0, 1, [])


def test_the_same_content_written_otherwise_is_still_a_duplicate(app):
    ingest_lines(app, lines(placed(), shipped()))
    reordered = {"data": {"trackable": True, "tracking_no": "T1", "carrier": "yamato"}}
    summary = ingest_lines(app, lines(shipped(**reordered), shipped(cart_no="ignored")))
    assert (summary.duplicates, codes(summary)) == (2, [])


@pytest.mark.parametrize("changes", [
    {"data": {"carrier": "sagawa", "tracking_no": "T1", "trackable": True}},
    {"occurred_at": "2026-11-03T11:00:00+09:00"},
    {"order_no": "100002"},
    {"actor": "marketplace"},
    {"type": "order.prepared", "data": {}},
])
def test_a_reused_id_with_other_content_is_rejected_duplicate_conflict_and_changes_nothing(app, changes):
    ingest_lines(app, lines(placed(), shipped()))
    version = app.get_order("100001").version
    summary = ingest_lines(app, lines(shipped(**changes)))
    assert codes(summary) == ["duplicate_conflict"] and summary.duplicates == 0
    assert "m-ship" in summary.rejected[0]["detail"]
    assert app.get_order("100001").version == version


def test_a_conflict_is_recorded_once_per_distinct_content_as_a_rejected_receipt(app):
    conflicting = shipped(data={"carrier": "sagawa", "tracking_no": "T1", "trackable": True})
    first = ingest_lines(app, lines(placed(), shipped(), conflicting, conflicting))
    later = ingest_lines(app, lines(conflicting))
    assert codes(first) == ["duplicate_conflict", "duplicate_conflict"] and codes(later) == ["duplicate_conflict"]
    receipts = [e for e in app.events.get(conflict_id("m-ship", _fingerprint_of(app, conflicting)))]
    assert len(receipts) == 1
    assert (receipts[0].outcome, receipts[0].code, receipts[0].message_id) == ("rejected", "duplicate_conflict", "m-ship")
    assert [e.outcome for e in app.events.get(receipt_id("m-ship"))] == ["accepted"]  # the first use's stays as it was


def _fingerprint_of(app, document):
    return parse(orjson.dumps(document)).fingerprint


def test_a_message_first_received_by_an_earlier_release_without_a_fingerprint_repeats_as_a_duplicate(app):
    ingest_lines(app, lines(placed()))
    first = to_command(parse(orjson.dumps(shipped())))
    app.process([replace(first, fingerprint=None)])  # its receipt as a release before fingerprints stored it
    summary = ingest_lines(app, lines(shipped(data={"carrier": "x", "tracking_no": "T", "trackable": True})))
    assert (summary.duplicates, codes(summary)) == (1, [])
