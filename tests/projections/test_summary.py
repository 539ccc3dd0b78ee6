"""The marketplace-wide summary: every seller's dashboard line side by side, summed, sorted, by period
and as of a moment, and as flat rows for the .xlsx export."""

from datetime import date, datetime

import openpyxl
import pytest

from projections import dashboard_queries as dash
from projections import settlement_queries as settle
from projections import summary_queries as sq
from projections.dashboard import Dashboard
from projections.export import write_xlsx
from projections.runner import reading
from projections.settlement import Settlement
from tests.projections.stories import delivered, order, step, t

AS_OF = datetime.fromisoformat(t("10-06 12:00"))


def prepared(no, when="10-01 11:00"):
    return step("order.prepared", no, "seller", when)


def four_sellers() -> list[dict]:
    """SA: two delayed exchanges on delivered orders (held back); SB: a refusal breach; SC: one recent
    return on a dearer order (held back most); SD: three recent cancel requests, not yet delivered."""
    exchange = lambda no, when: step("exchange.requested", no, "buyer", when, reason="damaged")
    s = [*delivered("A1", at="10-01 18:00", seller="SA"), exchange("A1", "10-02 10:00"),
         *delivered("A2", at="10-01 18:00", seller="SA"), exchange("A2", "10-02 11:00")]
    s += [order("B1", seller="SB"), prepared("B1"), step("cancel.requested", "B1", "buyer", "10-02 09:00", reason="x"),
          step("cancel.refused", "B1", "seller", "10-02 10:00", reason="packed")]
    s += [*delivered("C1", seller="SC", quantity=5),
          step("return.requested", "C1", "buyer", "10-05 10:00", reason="damaged", responsibility="buyer")]
    for no in ("D1", "D2", "D3"):
        s += [order(no, seller="SD"), prepared(no), step("cancel.requested", no, "buyer", "10-05 10:00", reason="x")]
    return s


def summary_of(world, as_of: datetime = AS_OF, period: dash.Period = dash.Period(), sort_by: str = "delayed") -> dict:
    with reading(world.app, world.engine, Dashboard(), as_of, follow=False) as dash_conn, \
            reading(world.app, world.engine, Settlement(), as_of, follow=False) as settlement_conn:
        return sq.summary(dash_conn, settlement_conn, as_of, period, sort_by)


def by_seller(document: dict) -> dict:
    return {line["seller_id"]: line for line in document["sellers"]}


def test_each_seller_line_holds_its_dashboard_counts_breaches_and_the_settlements_blocked_yen(world):
    world.send(*four_sellers())
    lines = by_seller(summary_of(world))
    with world.conn() as conn:
        for seller, line in lines.items():
            assert line["counts"] == dash.counts(conn, seller, AS_OF)
            assert line["awaiting_refund"] == dash.awaiting_refund(conn, seller, AS_OF)
            assert line["refusal_breaches"] == len(dash.refusal_breaches(conn, seller, AS_OF))
            blocked = settle.settlement(conn, seller, AS_OF)["summary"]["blocked"]
            assert (line["held_back"], line["held_back_orders"]) == (blocked["amount"], blocked["orders"])
    figures = {s: [line[k] for k in ("open", "delayed", "refusal_breaches", "held_back", "held_back_orders")]
               for s, line in lines.items()}
    assert figures == {"SA": [2, 2, 0, 5000, 2], "SB": [0, 0, 1, 0, 0], "SC": [1, 0, 0, 5500, 1], "SD": [3, 0, 0, 0, 0]}
    assert lines["SA"]["counts"]["exchange"] == {"requested": 2, "reshipping": 0, "delayed": 2}


def test_the_total_is_every_sellers_line_summed_field_by_field(world):
    world.send(*four_sellers())
    document = summary_of(world)
    total = document["total"]
    assert total["seller_id"] == "total"
    for claim_type, keys in total["counts"].items():
        for key, n in keys.items():
            assert n == sum(line["counts"][claim_type][key] for line in document["sellers"])
    assert total["counts"]["cancel"]["requested"] == 3 and total["counts"]["return"]["requested"] == 1
    assert [total[k] for k in ("open", "delayed", "refusal_breaches", "held_back", "held_back_orders")] == [6, 2, 1, 10500, 3]


@pytest.mark.parametrize("sort_by, order", [
    ("delayed", ["SA", "SB", "SC", "SD"]),
    ("refusal_breaches", ["SB", "SA", "SC", "SD"]),
    ("held_back", ["SC", "SA", "SB", "SD"]),
    ("open", ["SD", "SA", "SC", "SB"]),
    ("seller_id", ["SA", "SB", "SC", "SD"]),
])
def test_sellers_are_sorted_largest_first_by_the_asked_figure_then_by_seller_id(world, sort_by, order):
    world.send(*four_sellers())
    document = summary_of(world, sort_by=sort_by)
    assert document["sort_by"] == sort_by
    assert [line["seller_id"] for line in document["sellers"]] == order


def test_an_unknown_sort_key_is_refused(world):
    with pytest.raises(sq.UnknownSortKey):
        summary_of(world, sort_by="buyer_name")


def test_open_counts_every_open_claim_also_one_refunded_in_full_awaiting_its_payment(world):
    world.send(*delivered("R1"), step("non_receipt.reported", "R1", "buyer", "10-03 10:00", note=""),
               step("claim.refunded_in_full", "R1", "seller", "10-03 12:00"),
               *delivered("R2"), step("exchange.requested", "R2", "buyer", "10-03 10:00", reason="x"),
               step("claim.withdrawn", "R2", "buyer", "10-04 10:00", note=""))
    line = by_seller(summary_of(world))["S1"]
    assert line["awaiting_refund"] == {"exchange": 0, "non_receipt": 1}
    assert line["open"] == 1  # the withdrawn exchange is closed


def test_the_period_keeps_the_claims_of_orders_placed_in_it(world):
    exchange = lambda no: step("exchange.requested", no, "buyer", "10-03 10:00", reason="x")
    world.send(*delivered("P1", placed_at="09-30 23:30", seller="SA"), exchange("P1"),
               *delivered("P2", placed_at="10-01 00:10", seller="SA"), exchange("P2"),
               *delivered("P3", placed_at="10-01 09:00", seller="SB"), exchange("P3"))
    october = summary_of(world, period=dash.Period(date(2026, 10, 1), date(2026, 10, 31)))
    september = summary_of(world, period=dash.Period(None, date(2026, 9, 30)))
    assert (october["from"], october["to"], september["from"]) == ("2026-10-01", "2026-10-31", None)
    assert {s: line["counts"]["exchange"]["requested"] for s, line in by_seller(october).items()} == {"SA": 1, "SB": 1}
    assert {s: line["counts"]["exchange"]["requested"] for s, line in by_seller(september).items()} == {"SA": 1, "SB": 0}
    assert october["total"]["counts"]["exchange"]["requested"] == 2


def test_a_past_as_of_gives_the_summary_of_that_time(world):
    world.send(*four_sellers())
    earlier = datetime.fromisoformat(t("10-03 12:00"))
    document = summary_of(world, as_of=earlier)
    assert document["as_of"] == earlier.isoformat()
    lines = by_seller(document)
    assert (lines["SA"]["open"], lines["SA"]["delayed"], lines["SB"]["refusal_breaches"]) == (2, 0, 1)  # not yet 4 days
    assert lines["SC"]["counts"]["return"]["requested"] == 0 and lines["SC"]["held_back"] == 0  # its return comes later
    assert lines["SD"]["open"] == 0 and lines["SA"]["held_back"] == 5000
    assert [line["seller_id"] for line in document["sellers"]] == ["SA", "SB", "SC", "SD"]  # no delays: by seller id


def test_a_marketplace_without_orders_sums_to_zeros(world):
    document = summary_of(world)
    assert document["sellers"] == []
    assert document["total"]["open"] == 0 and document["total"]["counts"]["return"]["completed"] == 0
    assert [r["seller_id"] for r in sq.flat_rows(document)] == ["total"]


def test_the_flat_rows_export_to_an_xlsx_file_with_the_same_numbers(world, tmp_path):
    world.send(*four_sellers())
    document = summary_of(world)
    rows = sq.flat_rows(document)
    path = tmp_path / "summary.xlsx"
    write_xlsx(path, rows, sq.COLUMNS, title="summary")
    values = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert list(values[0]) == list(sq.COLUMNS)
    assert [v[0] for v in values[1:]] == ["SA", "SB", "SC", "SD", "total"]
    sheet = [dict(zip(sq.COLUMNS, v)) for v in values[1:]]
    assert sheet == rows
    assert sheet[0]["exchange.delayed"] == 2 and sheet[-1]["held_back"] == 10500 and sheet[-1]["cancel.requested"] == 3
