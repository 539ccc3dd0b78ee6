"""SPEC §4 Bounds: what a producer may send, and how everything past it is invalid with a reason that
names the field — never a crash, never an event a projection cannot apply."""

import hashlib
from datetime import datetime, timezone
import io

import orjson
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.pool import StaticPool

from consumers.contracts import MAX_LINE, InvalidMessage
from consumers.ingest import HEAD, LISTED, LongLine, ingest_lines, read_lines
from consumers.routes import parse
from domain.application import Orders
from projections import dashboard_queries as dash
from projections import points_queries as pts
from projections.export import write_xlsx
from projections.runner import PROJECTIONS, LogFollower, all_projections, rebuild
from projections.settlement import settle_orders
from tests.unit.messages import message, placed


def reason_of(document) -> str:
    with pytest.raises(InvalidMessage) as error:
        parse(document if isinstance(document, bytes) else orjson.dumps(document))
    return error.value.reason


def changed(document: dict, path: str, value) -> dict:
    copy = orjson.loads(orjson.dumps(document))
    *parents, last = path.split(".")
    target = copy
    for key in parents:
        target = target[key]
    target[last] = value
    return copy


@pytest.mark.parametrize("path, value, reason", [
    ("occurred_at", 0, "occurred_at: a time is an ISO 8601 string"),
    ("occurred_at", 1730000000, "occurred_at: a time is an ISO 8601 string"),
    ("occurred_at", "9999-12-31T23:59:59-12:00", "occurred_at: a time lies between 2000-01-01 and 2100-01-01"),
    ("occurred_at", "0001-01-01T00:00:00+00:00", "occurred_at: a time lies between"),
    ("occurred_at", "2100-01-01T08:59:59+09:00", None),  # 2099-12-31T23:59:59Z: still inside
    ("occurred_at", "2100-01-01T09:00:00+09:00", "occurred_at: a time lies between"),
    ("occurred_at", "1999-12-31T23:59:59+00:00", "occurred_at: a time lies between"),
    ("occurred_at", "yesterday", "occurred_at: 'yesterday' is not an ISO 8601 time"),
    ("data.promised_ship_date", "2026-11-04T10:00:00+09:00", "data.promised_ship_date: a date is a string YYYY-MM-DD"),
    ("data.promised_ship_date", 20261104, "data.promised_ship_date: a date is a string YYYY-MM-DD"),
    ("data.promised_ship_date", "2026-02-30", "data.promised_ship_date: 2026-02-30 is not a calendar date"),
    ("data.promised_ship_date", "2150-01-01", "data.promised_ship_date: a date lies between"),
    ("data.unit_price", 10**12 + 1, "data.unit_price: Input should be less than or equal to 1000000000000"),
    ("data.unit_price", 10**12, None),
    ("data.unit_price", -1, "data.unit_price: Input should be greater than or equal to 0"),
    ("data.unit_price", 1.5, "data.unit_price: Input should be a valid integer"),
    ("data.unit_price", "100", "data.unit_price: Input should be a valid integer"),
    ("data.unit_price", True, "data.unit_price: Input should be a valid integer"),
    ("data.quantity", 10**6 + 1, "data.quantity: Input should be less than or equal to 1000000"),
    ("data.quantity", 0, "data.quantity: Input should be greater than or equal to 1"),
    ("data.item.name", "x" * 4001, "data.item.name: String should have at most 4000 characters"),
    ("data.item.name", "x" * 4000, None),
    ("data.item.option", None, None),
    ("order_no", "x" * 65, "order_no: String should have at most 64 characters"),
    ("order_no", " 100001", "order_no: an id has no surrounding spaces"),
    ("data.cart_no", "", "data.cart_no: String should have at least 1 character"),
    ("data.buyer.id", "B1 ", "data.buyer.id: an id has no surrounding spaces"),
    ("data.item.name", "マグ\u0000", "data.item.name: contains a NUL character"),
    ("message_id", "m\u0000", "message_id: contains a NUL character"),
])
def test_an_order_placed_outside_the_bounds_is_invalid_with_the_field_named(path, value, reason):
    document = changed(placed(), path, value)
    if reason is None:
        assert parse(orjson.dumps(document)).type == "order.placed"
    else:
        assert reason_of(document).startswith(reason)


def test_a_refund_or_charge_of_zero_or_less_stays_valid_for_the_rules_to_reject_and_beyond_the_bounds_is_invalid():
    assert parse(orjson.dumps(message("return_charge.requested", actor="seller", amount=0))).data.amount == 0
    assert parse(orjson.dumps(message("return_charge.requested", actor="seller", amount=-5))).data.amount == -5
    assert reason_of(message("return_charge.requested", actor="seller", amount=10**13)).startswith("data.amount:")


def test_optional_texts_may_be_left_out_or_null_and_a_left_out_tracking_number_is_for_the_rules():
    reship = message("exchange.reshipped", actor="seller", carrier="c", cost_bearer="seller", reship_date="2026-11-05",
                     recipient={"name": "n", "phone": "p", "address": "a"})
    assert parse(orjson.dumps(reship)).data.tracking_no == ""
    assert parse(orjson.dumps(changed(reship, "data.tracking_no", None))).data.tracking_no == ""
    assert parse(orjson.dumps(message("exchange.accepted", actor="seller"))).data.memo == ""
    assert parse(orjson.dumps(message("message.sent", "", "seller", cart_no="C1"))).data.text == ""
    seller_message = message("seller.registered", None, "marketplace", seller_id="S1", level="power")
    assert parse(orjson.dumps(seller_message)).envelope.order_no == ""


def test_a_line_over_one_megabyte_is_invalid_without_being_parsed():
    assert reason_of(b"{" + b" " * MAX_LINE + b"}").startswith("line: 1,048,578 bytes, more than 1,048,576")


def test_the_line_reader_keeps_a_huge_lines_head_length_and_digest_and_never_the_line():
    huge = b"x" * (3 * MAX_LINE + 17)
    stream = io.BytesIO(b'\xef\xbb\xbf{"a": 1}\n' + huge + b"\n" + b'{"b": 2}\n')
    first, long_line, last = list(read_lines(stream))
    assert first == b'{"a": 1}\n' and last == b'{"b": 2}\n'
    assert isinstance(long_line, LongLine)
    assert (len(long_line.head), long_line.length) == (HEAD, len(huge))
    assert long_line.sha256 == hashlib.sha256(huge).hexdigest()


def test_a_file_may_start_with_a_byte_order_mark():
    app = Orders(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    summary = ingest_lines(app, read_lines(io.BytesIO(b"\xef\xbb\xbf" + orjson.dumps(placed()) + b"\n")))
    assert (summary.accepted, summary.invalid) == (1, [])


def test_the_ingest_summary_counts_every_line_but_lists_only_the_first_thousand():
    app = Orders(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    summary = ingest_lines(app, [b"not json"] * (LISTED + 500))
    document = summary.as_json()
    assert len(document["invalid"]) == LISTED
    assert document["counts"] == {"rejected": 0, "invalid": LISTED + 500}


BIG = "9" * 64


def largest_order() -> list[bytes]:
    """An order at every bound the contract admits: the longest ids and texts, the largest money,
    control characters and formula-like text, the latest time."""
    big = placed(BIG, cart_no="C" * 64, seller_id="S" * 64, quantity=10**6, unit_price=10**12,
                 shipping_fee=10**12, item={"item_no": "I" * 64, "name": "=HYPERLINK(\"x\")" + "名" * 3984,
                                            "option": "\x01\x1f"},
                 buyer={"id": "B" * 64, "name": "山" * 4000, "phone": "0" * 4000, "address": "東" * 4000})
    big["occurred_at"] = "2099-12-31T23:00:00+00:00"
    steps = [
        message("order.shipped", BIG, "seller", "2099-12-31T23:10:00+00:00", carrier="c" * 4000,
                tracking_no="t" * 4000, trackable=True),
        message("order.delivered", BIG, "carrier", "2099-12-31T23:20:00+00:00", by="tracking"),
        message("return.requested", BIG, "buyer", "2099-12-31T23:30:00+00:00", reason="r\t\x0b" * 1333,
                responsibility="buyer"),
        message("return_charge.requested", BIG, "seller", "2099-12-31T23:40:00+00:00", amount=10**12),
    ]
    return [orjson.dumps(m) for m in (big, *steps)]


def project_largest_order(app, engine, tmp_path) -> None:
    """Ingest it, follow and rebuild every projection, query and export: nothing may fail."""
    summary = ingest_lines(app, largest_order())
    assert (summary.accepted, summary.rejected, summary.invalid) == (5, [], [])
    LogFollower(app, engine, all_projections()).catch_up()
    for cls in PROJECTIONS.values():
        rebuild(app, engine, cls())
    with engine.connect() as conn:
        assert conn.execute(select(settle_orders.c.paid)).scalar() == 10**18 + 10**12
        rows = dash.lookup(conn, "S" * 64, datetime(2100, 1, 1, tzinfo=timezone.utc), order_no=BIG)
        assert [r["status"] for r in rows] == ["return.requested"]
        assert pts.ledger(conn, "S" * 64, "2100-01", items=True)["items"][0]["amount"] == 10**18 + 10**12
    write_xlsx(tmp_path / "list.xlsx", rows, dash.LIST_COLUMNS)
    assert (tmp_path / "list.xlsx").stat().st_size > 0


def test_the_largest_values_the_contract_admits_go_through_every_projection_rebuild_and_export(tmp_path):
    app = Orders(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    project_largest_order(app, create_engine(f"sqlite:///{tmp_path / 'views.db'}", poolclass=StaticPool), tmp_path)
