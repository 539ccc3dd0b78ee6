"""Parking never crashes the batch (SPEC §8): a message whose own order cannot be loaded is parked
all the same — with its masked copy only, since whose key seals it cannot be read — and the rest of
the batch goes on; a store fault is still raised as transient."""

import dataclasses
from datetime import datetime, timezone

import pytest
from eventsourcing.persistence import OperationalError

from consumers import routes
from consumers.ingest import ingest_lines
from domain.application import Orders
from domain.order import order_id
from domain.parking import ParkedMessage, parked_id
from domain.privacy import mask_error
from store.keys import NewKey
from store.sealing import Sealer
from tests.unit.messages import lines, message, placed


@pytest.fixture
def app():
    return Orders(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def unloadable(app, monkeypatch, order_no, error):
    """The repository fails to load one order (as an event that does not replay or unseal would)."""
    get = app.repository.get
    broken = order_id(order_no)

    def failing_get(aggregate_id, *args, **kwargs):
        if aggregate_id == broken:
            raise error
        return get(aggregate_id, *args, **kwargs)

    app.forget_cached_aggregates()
    monkeypatch.setattr(app.repository, "get", failing_get)


def shipped(order_no):
    return message("order.shipped", order_no, "seller", "2026-11-02T11:00:00+09:00", carrier="y", tracking_no="T",
                   trackable=True)


def test_a_message_whose_order_cannot_be_loaded_is_parked_and_the_batch_goes_on(app, monkeypatch):
    assert ingest_lines(app, lines(placed("100001", cart_no="C1"), placed("100002", cart_no="C2"))).accepted == 2
    unloadable(app, monkeypatch, "100002", ValueError("event does not decode"))
    summary = ingest_lines(app, lines(shipped("100002"), shipped("100001")))
    assert (summary.accepted, summary.parked_count) == (1, 1)
    assert "event does not decode" in summary.parked[0]["error"]
    parked = app.repository.get(parked_id(summary.parked[0]["message_id"]))
    assert parked.is_parked
    assert app.repository.get(order_id("100001")).version > 1  # the other message was applied


def test_a_store_fault_while_parking_is_still_raised(app, monkeypatch):
    ingest_lines(app, lines(placed("100001")))
    unloadable(app, monkeypatch, "100001", OperationalError("database away"))
    with pytest.raises(OperationalError):
        ingest_lines(app, lines(shipped("100001")))


class _Keys:
    def __init__(self):
        self.on_erased = []


def test_a_parked_message_whose_order_cannot_be_read_keeps_only_its_masked_copy():
    def first_state(originator_id):
        raise ValueError("cannot unseal")

    sealer = Sealer(_Keys(), first_state)
    state = {"message": '{"type":"order.shipped","data":{"buyer":{"name":"佐藤 陽菜"}}}',
             "key_of": str(order_id("100001"))}
    sealer.seal("domain.parking:ParkedMessage.Parked", order_id("x"), state)
    assert "陽菜" not in state["message"] and "佐" in state["message"]


def test_a_store_fault_reading_the_key_of_a_parked_message_is_raised():
    def first_state(originator_id):
        raise OperationalError("database away")

    sealer = Sealer(_Keys(), first_state)
    with pytest.raises(OperationalError):
        sealer.seal("domain.parking:ParkedMessage.Parked", order_id("x"),
                    {"message": "{}", "key_of": str(order_id("100001"))})


class _BatchKeys(_Keys):
    """Buyer keys that make a key for the batch, and refuse to store one in a transaction of its own."""

    def found_for(self, buyer_ids):
        return {}

    def made_for(self, buyer_ids):
        return [NewKey(f"k-{b}", b, datetime.now(timezone.utc), b"wrapped", bytes(32)) for b in sorted(buyer_ids)]

    def current(self, buyer_id):
        raise AssertionError("a key committed outside the events' transaction")


def test_the_key_of_a_parked_message_that_starts_an_order_is_made_with_the_batch():
    parked = ParkedMessage(message_id="m-1", message_type="order.placed", order_no="100001", source="line 1",
                           message='{"data":{"buyer":{"id":"B9","name":"佐藤 陽菜"}}}', error="ZeroDivisionError: x",
                           at=datetime.now(timezone.utc), buyer_id="B9")
    sealer = Sealer(_BatchKeys(), lambda oid: None)
    made = sealer.prepare(parked.collect_events(), store_with_events=True)
    assert [key.buyer_id for key in made] == ["B9"]
    state = {"message": parked.message, "buyer_id": "B9"}
    sealer.seal("domain.parking:ParkedMessage.Parked", parked.id, state)
    assert state["message"]["_sealed_"] == "k-B9"


def test_a_defect_quoting_the_buyer_is_parked_masked(app, monkeypatch):
    buyer = {"id": "B1", "name": "佐藤 陽菜", "phone": "090-1234-5678", "address": "東京都新宿区西新宿2-8-1"}

    def broken(uow, envelope, data):
        raise ValueError(f"no route for {buyer['name']} ({buyer['phone']}, {buyer['address']}); 陽菜 again")

    monkeypatch.setitem(routes.ROUTES, "order.placed", dataclasses.replace(routes.ROUTES["order.placed"], run=broken))
    summary = ingest_lines(app, lines(placed("100001", buyer=buyer), placed("100002", cart_no="C2", buyer=buyer)))
    assert summary.parked_count == 2
    for error in [p["error"] for p in summary.parked] + [
            app.repository.get(parked_id(p["message_id"])).error for p in summary.parked]:
        assert error.startswith("ValueError: no route for 佐")
        assert not [s for s in ("佐藤", "陽菜", "1234-5678", "新宿区西新宿") if s in error], error
        assert "5678" in error  # masked as a phone: its last digits


def test_masking_an_error_keeps_what_is_not_personal():
    assert mask_error("KeyError: 'carrier' at 2026-11-02T10:00:00 order 100001") == \
        "KeyError: 'carrier' at 2026-11-02T10:00:00 order 100001"
    assert mask_error("call 03-1234-5678 or +81 90 1234 5678") == "call ***-****-5678 or ***-****-5678"
