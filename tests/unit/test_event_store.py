"""How events reach the store: a Receipt's event made directly, and the SQLite store's settings."""

from datetime import datetime, timezone

import orjson

from domain.application import Orders
from domain.receipt import Receipt, receipt_event
from entrypoints.bootstrap import Settings, build_orders
from store.recorders import PAGE_CACHE_KIB


def test_a_receipt_made_without_its_aggregate_is_stored_as_the_aggregate_would_store_it():
    app = Orders(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    fields = dict(message_id="m-1", message_type="cancel.requested", order_no="O1",
                  at=datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc), outcome="rejected",
                  code="unknown_order", detail="order 'O1' was never placed")
    by_aggregate = app.mapper.to_stored_event(Receipt(**fields).collect_events()[0])
    direct = app.mapper.to_stored_event(receipt_event(**fields))
    assert (direct.originator_id, direct.originator_version, direct.topic) == (
        by_aggregate.originator_id, by_aggregate.originator_version, by_aggregate.topic)
    without_timestamp = lambda stored: {k: v for k, v in orjson.loads(stored.state).items() if k != "timestamp"}  # noqa: E731
    assert without_timestamp(direct) == without_timestamp(by_aggregate)
    receipt = app.mapper.to_domain_event(direct).mutate(None)
    assert (receipt.outcome, receipt.code, receipt.at) == ("rejected", "unknown_order", fields["at"])


def test_the_sqlite_store_commits_without_waiting_for_the_disk_in_wal_mode(tmp_path):
    app = build_orders(Settings(database_url=f"sqlite:///{tmp_path / 'store.db'}"))
    settings = {}
    with app.recorder.datastore.transaction(commit=False) as cursor:
        for name in ("journal_mode", "synchronous", "cache_size"):
            cursor.execute(f"PRAGMA {name}")
            settings[name] = cursor.fetchone()[0]
    assert settings == {"journal_mode": "wal", "synchronous": 1, "cache_size": -PAGE_CACHE_KIB}  # 1 = NORMAL
