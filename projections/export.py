"""Export of any list to Excel (.xlsx), with openpyxl.

Every text is written as text: one that starts like a formula (=, +, -, @) is never evaluated by
Excel, and control characters, which the file format cannot hold, are written escaped. A datetime or
date is written as an Excel date (the caller gives the wall-clock time it means: the pages give Tokyo
time, entrypoints/presentation/sheet.py); every column gets a width from its longest value. The
headers are the caller's (Japanese labels from the presentation layer), the keys otherwise.
"""

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from store.files import write_whole

FORMULA_START = ("=", "+", "-", "@")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # what XML 1.0 and Excel refuse

SHEET_TITLE_REFUSES = re.compile(r"[\\/*?:\[\]]")


DATETIME_FORMAT = "yyyy/mm/dd hh:mm"
DATE_FORMAT = "yyyy/mm/dd"
WIDEST = 60  # characters: a long text wraps in Excel rather than making the sheet unreadable


def write_xlsx(path: str | Path | BinaryIO, rows: Sequence[dict], columns: Sequence[str], title: str = "orders",
               headers: Mapping[str, str] | None = None) -> None:
    """One sheet: a header row (the column's header, its key as the cell's comment; or the key alone)
    and one row per item. A file is written whole or not at all (store/files.py)."""
    if isinstance(path, (str, Path)):
        write_whole(Path(path), xlsx_bytes(rows, columns, title, headers))
        return
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE_REFUSES.sub("_", CONTROL.sub("", title))[:31] or "orders"
    sheet.append([_text_cell(sheet, (headers or {}).get(c, c)) for c in columns])
    for cell, column in zip(sheet[1], columns):
        cell.font = Font(bold=True)
        if headers and column in headers:
            cell.comment = Comment(column, "orderclaims")
    for row in rows:
        sheet.append([_cell(sheet, row.get(c)) for c in columns])
    _set_widths(sheet)
    sheet.freeze_panes = "A2"
    book.save(path)


def xlsx_bytes(rows: Sequence[dict], columns: Sequence[str], title: str = "orders",
               headers: Mapping[str, str] | None = None) -> bytes:
    out = BytesIO()
    write_xlsx(out, rows, columns, title, headers)
    return out.getvalue()


def _cell(sheet: Any, value: Any) -> Any:
    """A date as an Excel date in the format a Japanese reader expects; text as text."""
    if isinstance(value, (datetime, date)):
        cell = Cell(sheet, value=value)
        cell.number_format = DATETIME_FORMAT if isinstance(value, datetime) else DATE_FORMAT
        return cell
    return _text_cell(sheet, value)


def _set_widths(sheet: Any) -> None:
    """Each column as wide as its longest value (a Japanese character counts twice), within bounds."""
    for index, column in enumerate(sheet.iter_cols(), start=1):
        longest = max((_width(c) for c in column), default=0)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(longest + 2, 8), WIDEST)


def _width(cell: Any) -> int:
    value = cell.value
    if isinstance(value, datetime):
        return len("2026/11/15 10:53")
    if isinstance(value, date):
        return len("2026/11/15")
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


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
