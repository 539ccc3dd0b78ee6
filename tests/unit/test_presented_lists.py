"""The lists as the downloads show them (settlement's order and pages: tests/projections/test_settlement.py):
the .xlsx with Japanese headers, labels, Excel dates in Tokyo time, column widths
and never a formula (issue 19, items 3 and 8)."""

import io
from datetime import datetime

import openpyxl

from entrypoints.presentation import sheet
from projections import dashboard_queries as dash

ROW = {"status": "return.on_hold", "completed_at": None, "reason": "=HYPERLINK(\"http://x\")",
       "requested_at": "2026-11-15T01:53:12+00:00", "order_date": "2026-11-10", "shipped_at": "2026-11-12T09:00:00+09:00",
       "order_no": "100001", "cart_no": "C1", "item": "I1 マグ", "buyer_name": "佐***", "quantity": 2,
       "refund_to": "card_company"}


def test_the_xlsx_reads_in_japanese_with_excel_dates_in_tokyo_time_and_no_formula():
    book = openpyxl.load_workbook(io.BytesIO(sheet.xlsx([ROW], dash.LIST_COLUMNS, "return.on_hold")))
    cells = book.active
    header = [c.value for c in cells[1]]
    assert header[:4] == ["処理状態", "完了日", "理由", "要請日"] and cells["A1"].comment.text == "status"
    row = {column: cell for column, cell in zip(dash.LIST_COLUMNS, cells[2])}
    assert row["status"].value == "返品保留" and row["refund_to"].value.startswith("カード会社")
    assert row["requested_at"].value == datetime(2026, 11, 15, 10, 53, 12)  # Tokyo wall-clock time
    assert row["requested_at"].is_date and row["requested_at"].number_format == "yyyy/mm/dd hh:mm"
    assert row["order_date"].is_date and row["order_date"].number_format == "yyyy/mm/dd"
    assert row["reason"].data_type == "s" and row["reason"].value.startswith("=")  # text, never a formula
    assert all(cells.column_dimensions[letter].width >= 8 for letter in "ABCDEFGHIJKL")
    assert cells.column_dimensions["L"].width > cells.column_dimensions["K"].width  # the refund's destination is long
