"""Export of any list to Excel (.xlsx), with openpyxl."""

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

HEADERS_JA = {
    "status": "処理状態",
    "completed_at": "完了日",
    "reason": "理由",
    "requested_at": "要請日",
    "order_date": "注文日",
    "shipped_at": "発送日",
    "order_no": "注文番号",
    "cart_no": "カート番号",
    "item": "商品",
    "buyer_name": "購入者名",
    "quantity": "数量",
}


def write_xlsx(path: str | Path, rows: Sequence[dict], columns: Sequence[str], title: str = "orders") -> None:
    """One sheet: a header row (Japanese label and key) and one row per item."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([f"{HEADERS_JA.get(c, c)} ({c})" for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row.get(c) for c in columns])
    sheet.freeze_panes = "A2"
    book.save(path)
