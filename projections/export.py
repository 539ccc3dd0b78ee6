"""Export of any list to Excel (.xlsx), with openpyxl.

Every text is written as text: one that starts like a formula (=, +, -, @) is never evaluated by
Excel, and control characters, which the file format cannot hold, are written escaped.
"""

import re
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font

from store.files import write_whole

FORMULA_START = ("=", "+", "-", "@")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # what XML 1.0 and Excel refuse

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
    "refund_to": "返金先",
}


SHEET_TITLE_REFUSES = re.compile(r"[\\/*?:\[\]]")


def write_xlsx(path: str | Path | BinaryIO, rows: Sequence[dict], columns: Sequence[str], title: str = "orders") -> None:
    """One sheet: a header row (Japanese label and key, or the key alone) and one row per item. A file
    is written whole or not at all (store/files.py)."""
    if isinstance(path, (str, Path)):
        write_whole(Path(path), xlsx_bytes(rows, columns, title))
        return
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE_REFUSES.sub("_", CONTROL.sub("", title))[:31] or "orders"
    sheet.append([f"{HEADERS_JA[c]} ({c})" if c in HEADERS_JA else c for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_text_cell(sheet, row.get(c)) for c in columns])
    sheet.freeze_panes = "A2"
    book.save(path)


def xlsx_bytes(rows: Sequence[dict], columns: Sequence[str], title: str = "orders") -> bytes:
    out = BytesIO()
    write_xlsx(out, rows, columns, title)
    return out.getvalue()


def _text_cell(sheet: Any, value: Any) -> Any:
    """A value as Excel must show it: text stays text."""
    if not isinstance(value, str):
        return value
    value = CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    cell = Cell(sheet, value=value)
    cell.data_type = "s"  # never a formula, whatever it starts with
    if value.startswith(FORMULA_START):
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    return cell
