"""Parking never crashes the batch (SPEC §8): a message whose own order cannot be loaded is parked
all the same — with its masked copy only, since whose key seals it cannot be read — and the rest of
the batch goes on; a store fault is still raised as transient."""

import pytest
from eventsourcing.persistence import OperationalError

from consumers.ingest import ingest_lines
from domain.application import Orders
from domain.order import order_id
from domain.parking import parked_id
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
