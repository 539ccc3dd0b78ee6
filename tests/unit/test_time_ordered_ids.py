"""Keys that keep inserts local (issue 21, docs/decisions/0019): a new store gives orders and carts
UUIDv7 ids, found by their numbers through a table of their own; a store of an earlier release keeps
its uuid5 ids, and says which scheme it has."""

import shutil
import sqlite3
from pathlib import Path
from uuid import UUID

from consumers.ingest import ingest_lines
from domain.cart import cart_id
from domain.order import order_id
from entrypoints.bootstrap import Settings, build_orders
from tests.unit.messages import lines, message, placed

RELEASE = Path(__file__).parents[1] / "compat" / "release_02f388d" / "store.db"


def orders_app(path: Path):
    return build_orders(Settings(database_url=f"sqlite:///{path}"))


def recorded(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


def test_a_new_store_gives_orders_and_carts_time_ordered_ids_and_finds_them_by_number_after_a_restart(tmp_path):
    store = tmp_path / "store.db"
    first = orders_app(store)
    ingest_lines(first, lines(placed("100001", cart_no="C1"), placed("100002", cart_no="C1")))
    ingest_lines(first, lines(placed("100003", cart_no="C2")))
    assert recorded(store, "SELECT value FROM store_settings WHERE name = 'id_scheme'") == [(b"uuid7",)]
    ids = dict(((kind, key), UUID(oid)) for kind, key, oid in recorded(store, "SELECT * FROM aggregate_ids"))
    assert set(ids) == {("order", "100001"), ("order", "100002"), ("order", "100003"), ("cart", "C1"), ("cart", "C2")}
    assert all(oid.version == 7 for oid in ids.values())
    assert ids[("order", "100001")] < ids[("order", "100002")] < ids[("order", "100003")]  # by the time they were made

    again = orders_app(store)  # a new process: nothing cached
    order = again.get_order("100002")
    version = order.version
    assert order.id == ids[("order", "100002")] and order.id != order_id("100002")
    summary = ingest_lines(again, lines(message("cancel.requested", "100002", reason="ordered_by_mistake"),
                                        placed("100004", cart_no="C1"), placed("100001", cart_no="C1")))
    assert summary.accepted == 2 and [r["code"] for r in summary.rejected] == ["order_exists"]
    assert again.get_order("100002").version == version + 1
    assert recorded(store, "SELECT COUNT(*) FROM aggregate_ids WHERE kind = 'cart'") == [(2,)]
    stored_carts = {oid for (oid,) in recorded(store, "SELECT DISTINCT originator_id FROM stored_events "
                                                      "WHERE topic LIKE 'domain.cart:Cart.%'")}
    assert stored_carts == {ids[("cart", "C1")].hex, ids[("cart", "C2")].hex}
    assert [e.order_no for e in again.order_events("100004")[:1]] == ["100004"]


def test_two_writers_placing_the_same_order_store_one_id_and_the_second_is_told_it_exists(tmp_path):
    store = tmp_path / "store.db"
    one, two = orders_app(store), orders_app(store)
    assert ingest_lines(one, lines(placed("100001", cart_no="C1"))).accepted == 1
    summary = ingest_lines(two, lines(placed("100001", cart_no="C1"), placed("100002", cart_no="C1")))
    assert summary.accepted == 1 and [r["code"] for r in summary.rejected] == ["order_exists"]
    assert recorded(store, "SELECT kind, natural_key FROM aggregate_ids ORDER BY 1, 2") == [
        ("cart", "C1"), ("order", "100001"), ("order", "100002")]
    assert two.get_order("100001").id == one.get_order("100001").id
    assert two.get_order("100002").cart_no == "C1"


def test_a_store_of_an_earlier_release_keeps_its_uuid5_ids_and_records_the_scheme(tmp_path):
    copy = tmp_path / "store.db"
    shutil.copyfile(RELEASE, copy)
    app = orders_app(copy)
    assert ingest_lines(app, lines(placed("Z-777001", cart_no="CZ777"))).accepted == 1
    assert recorded(copy, "SELECT value FROM store_settings WHERE name = 'id_scheme'") == [(b"uuid5",)]
    assert recorded(copy, "SELECT COUNT(*) FROM aggregate_ids") == [(0,)]
    assert orders_app(copy).get_order("Z-777001").id == order_id("Z-777001")
    assert {oid for (oid,) in recorded(copy, "SELECT originator_id FROM stored_events WHERE topic LIKE "
                                             "'domain.cart:Cart.%' AND originator_version = 1")} >= {cart_id("CZ777").hex}
