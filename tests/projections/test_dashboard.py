"""The status-count dashboard: each cell, delayed at the as-of time, period, lists, lookup, breaches, xlsx."""

from datetime import date, datetime

import openpyxl

from projections import dashboard_queries as dash
from projections.export import write_xlsx
from tests.projections.stories import delivered, order, paid, ship, step, t

AS_OF = datetime.fromisoformat(t("10-06 12:00"))


def prepared(no, when="10-01 11:00"):
    return step("order.prepared", no, "seller", when)


def every_cell() -> list[dict]:
    s = []
    s += [order("A"), prepared("A"), step("cancel.requested", "A", "buyer", "10-03 10:00", reason="mistake")]
    s += [order("B"), step("cancel.requested", "B", "buyer", "10-03 10:00", reason="mistake")]
    s += [order("C"), step("cancel.requested", "C", "buyer", "10-01 11:00", reason="mistake"), paid("C", "10-02 10:00")]
    ret = lambda no: step("return.requested", no, "buyer", "10-04 10:00", reason="damaged", responsibility="buyer")
    approve = lambda no: step("return.approved", no, "seller", "10-04 12:00")
    collect = lambda no: step("return.collected", no, "seller", "10-05 12:00")
    s += [*delivered("D"), ret("D")]
    s += [*delivered("E"), ret("E"), approve("E")]
    s += [*delivered("F"), ret("F"), approve("F"), step("return.held", "F", "seller", "10-04 13:00")]
    s += [*delivered("G"), ret("G"), approve("G"), collect("G")]
    s += [*delivered("H"), ret("H"), approve("H"), collect("H"), paid("H", "10-06 09:00")]
    exch = lambda no: step("exchange.requested", no, "buyer", "10-04 10:00", reason="damaged")
    accept = lambda no: step("exchange.accepted", no, "seller", "10-04 11:00", memo="m")
    s += [*delivered("I"), exch("I")]
    s += [*delivered("J"), exch("J"), accept("J")]
    s += [*delivered("K"), exch("K"), accept("K"), step("exchange.reshipped", "K", "seller", "10-04 12:00", carrier="y",
          tracking_no="9", cost_bearer="seller", reship_date="2026-10-04", recipient={"name": "n", "phone": "p", "address": "a"})]
    report = lambda no: step("non_receipt.reported", no, "buyer", "10-04 10:00", note="")
    s += [*delivered("L"), report("L")]
    s += [*delivered("M"), report("M"), step("non_receipt.answered", "M", "seller", "10-04 12:00", action="wait", until="2026-10-08")]
    s += [*delivered("N"), exch("N"), step("claim.withdrawn", "N", "buyer", "10-05 10:00", note="")]
    return s


def test_every_status_key_is_counted_per_claim_type(world):
    world.send(*every_cell())
    with world.conn() as conn:
        counts = dash.counts(conn, "S1", AS_OF)
    assert counts == {
        "cancel": {"requested": 1, "in_progress": 1, "completed": 1, "delayed": 0},
        "return": {"requested": 1, "returning": 1, "on_hold": 1, "collected": 1, "completed": 1, "delayed": 0},
        "exchange": {"requested": 2, "reshipping": 1, "delayed": 0},
        "non_receipt": {"reported": 1, "seller_confirmed": 1, "delayed": 0},
    }


def test_open_claims_filed_4_days_before_the_as_of_time_are_also_counted_delayed(world):
    world.send(*delivered("P"), step("exchange.requested", "P", "buyer", "10-10 10:00", reason="x"))
    with world.conn() as conn:
        before = dash.counts(conn, "S1", datetime.fromisoformat(t("10-14 09:59")))
        after = dash.counts(conn, "S1", datetime.fromisoformat(t("10-14 10:00")))
    assert before["exchange"] == {"requested": 1, "reshipping": 0, "delayed": 0}
    assert after["exchange"] == {"requested": 1, "reshipping": 0, "delayed": 1}


def test_closed_claims_are_never_delayed(world):
    world.send(*every_cell())
    with world.conn() as conn:
        later = dash.counts(conn, "S1", datetime.fromisoformat(t("11-30 12:00")))
    open_claims = {"cancel": 2, "return": 4, "exchange": 3, "non_receipt": 2}
    assert {k: v["delayed"] for k, v in later.items()} == open_claims


def test_a_cancel_that_refunds_nothing_completes_as_it_is_filed_and_is_never_open_or_delayed(world):
    world.send(order("Z", unit_price=0, shipping_fee=0), step("cancel.requested", "Z", "buyer", "10-01 11:00", reason="x"))
    with world.conn() as conn:
        later = dash.counts(conn, "S1", datetime.fromisoformat(t("11-30 12:00")))
        listed = dash.claim_list(conn, "S1", "cancel", "completed", AS_OF)
    assert later["cancel"] == {"requested": 0, "in_progress": 0, "completed": 1, "delayed": 0}
    assert [(r["order_no"], r["completed_at"]) for r in listed] == [("Z", "2026-10-01T11:00:00+09:00")]


def test_the_period_filter_is_on_the_order_date(world):
    world.send(*delivered("Q1", placed_at="09-30 23:30"), step("exchange.requested", "Q1", "buyer", "10-03 10:00", reason="x"),
               *delivered("Q2", placed_at="10-01 00:10"), step("exchange.requested", "Q2", "buyer", "10-03 10:00", reason="x"))
    with world.conn() as conn:
        october = dash.counts(conn, "S1", AS_OF, dash.Period(date(2026, 10, 1), date(2026, 10, 31)))
        september = dash.counts(conn, "S1", AS_OF, dash.Period(None, date(2026, 9, 30)))
    assert october["exchange"]["requested"] == 1 and september["exchange"]["requested"] == 1


def test_the_list_behind_a_count_has_the_seeds_columns_and_masked_buyer_names(world):
    world.send(*every_cell())
    with world.conn() as conn:
        rows = dash.claim_list(conn, "S1", "exchange", "requested", AS_OF)
        delayed = dash.claim_list(conn, "S1", "return", "delayed", datetime.fromisoformat(t("11-30 12:00")))
    assert [r["order_no"] for r in rows] == ["I", "J"]
    assert set(rows[0]) == set(dash.LIST_COLUMNS)
    assert rows[0]["status"] == "exchange.requested" and rows[1]["status"] == "exchange.accepted"
    assert rows[0]["buyer_name"] == "佐****" and rows[0]["requested_at"] == t("10-04 10:00")
    assert rows[0]["order_date"] == "2026-10-01" and rows[0]["cart_no"] == "CI" and rows[0]["quantity"] == 2
    assert [r["order_no"] for r in delayed] == ["D", "E", "F", "G"]


def test_lookup_by_order_or_cart_number_shows_only_the_sellers_own_orders(world):
    world.send(*delivered("R1", cart="CR"), step("exchange.requested", "R1", "buyer", "10-03 10:00", reason="x"),
               *delivered("R2", cart="CR"), step("non_receipt.reported", "R2", "buyer", "10-03 10:00", note=""),
               *delivered("X1", seller="S2"), step("exchange.requested", "X1", "buyer", "10-03 10:00", reason="x"))
    with world.conn() as conn:
        by_cart = dash.lookup(conn, "S1", AS_OF, cart_no="CR")
        by_order = dash.lookup(conn, "S1", AS_OF, order_no="R2")
        someone_elses = dash.lookup(conn, "S1", AS_OF, order_no="X1")
        counts_s2 = dash.counts(conn, "S2", AS_OF)
    assert [r["order_no"] for r in by_cart] == ["R1", "R2"]
    assert [r["status"] for r in by_order] == ["non_receipt.reported"]
    assert someone_elses == []
    assert counts_s2["exchange"]["requested"] == 1 and counts_s2["non_receipt"]["reported"] == 0


def test_a_refusal_breach_is_kept_visible_until_shipped_and_after(world):
    refuse = lambda no: step("cancel.refused", no, "seller", "10-02 10:00", reason="packed")
    ask = lambda no: step("cancel.requested", no, "buyer", "10-02 09:00", reason="x")
    world.send(order("S"), prepared("S"), ask("S"), refuse("S"), ship("S", "10-02 23:50"),
               order("T"), prepared("T"), ask("T"), refuse("T"), ship("T", "10-03 00:10"),
               order("U"), prepared("U"), ask("U"), refuse("U"))
    with world.conn() as conn:
        same_day = dash.refusal_breaches(conn, "S1", datetime.fromisoformat(t("10-02 23:59")))
        next_day = dash.refusal_breaches(conn, "S1", datetime.fromisoformat(t("10-03 12:00")))
    assert same_day == []
    assert [b["order_no"] for b in next_day] == ["T", "U"]


def test_any_list_exports_to_an_xlsx_file_that_opens_with_the_same_rows(world, tmp_path):
    world.send(*every_cell())
    with world.conn() as conn:
        rows = dash.claim_list(conn, "S1", "return", "requested", AS_OF)
    path = tmp_path / "returns.xlsx"
    write_xlsx(path, rows, dash.LIST_COLUMNS, title="return.requested")
    sheet = openpyxl.load_workbook(path).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == list(dash.LIST_COLUMNS)  # the keys: the pages' exports give Japanese headers
    assert [list(v) for v in values[1:]] == [[r[c] for c in dash.LIST_COLUMNS] for r in rows]
    assert sheet.title == "return.requested"
