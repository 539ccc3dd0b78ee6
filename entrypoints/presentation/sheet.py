"""A list or the summary as a seller reads it in Excel: Japanese headers, labels instead of keys, times
as Tokyo dates (projections/export.py writes them as Excel dates, never a formula)."""

from collections.abc import Sequence

from entrypoints.presentation import formats, words
from entrypoints.presentation.labels import claim_status, label

# column -> the label kind of its values
LABELLED = {"status": "claim_status", "reason": "reason", "refund_to": "refund_to"}
TIMES = ("completed_at", "requested_at", "shipped_at")
DATES = ("order_date",)
SHARES = ("delayed_share",)  # a fraction, shown as a percentage (45.8)


def header(column: str) -> str:
    """A column's Japanese header; TYPE.KEY (the summary's counts) as the status-count screen names it."""
    if column in words.COLUMN:
        return words.COLUMN[column]
    claim_type, _, key = column.partition(".")
    return claim_status(claim_type, key) if key else column


def headers(columns: Sequence[str]) -> dict[str, str]:
    return {c: header(c) for c in columns}


def presented(rows: Sequence[dict], columns: Sequence[str]) -> list[dict]:
    """Each row with labels for keys and Tokyo datetimes/dates for ISO texts; numbers as they are."""
    return [{c: _value(c, row.get(c)) for c in columns} for row in rows]


def _value(column: str, value):
    if value is None:
        return None
    if column in LABELLED:
        return label(LABELLED[column], value)
    if column in TIMES:
        return formats.tokyo_datetime(value)
    if column in DATES:
        return formats.tokyo_datetime(f"{value}T00:00:00").date()
    if column in SHARES:
        return round(value * 100, 1)
    if column == "seller_id" and value == "total":
        return words.TOTAL
    return value


def xlsx(rows: Sequence[dict], columns: Sequence[str], title: str) -> bytes:
    """The .xlsx a page or the API downloads."""
    from projections.export import xlsx_bytes  # openpyxl: only for a spreadsheet

    return xlsx_bytes(presented(rows, columns), columns, title, headers(columns))


def write(path: str, rows: Sequence[dict], columns: Sequence[str], title: str) -> None:
    """The .xlsx the command line writes (`--xlsx FILE`)."""
    from projections.export import write_xlsx  # openpyxl: only for a spreadsheet

    write_xlsx(path, presented(rows, columns), columns, title, headers(columns))


def texts(rows: Sequence[dict], columns: Sequence[str]) -> list[list[str | int]]:
    """The same rows as a terminal table shows them: labels, times as `2026/11/15 10:53`."""
    return [[formats.tokyo_time(row.get(c)) if c in TIMES else formats.day(row.get(c)) if c in DATES
             else "" if row.get(c) is None else label(LABELLED[c], row[c]) if c in LABELLED else row[c]
             for c in columns] for row in rows]
