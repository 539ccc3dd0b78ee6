"""Readable tables for the terminal (Japanese labels are double width)."""

import unicodedata
from collections.abc import Sequence

from entrypoints.presentation.screen import DASHBOARD_LAYOUT


def printable(text: object) -> str:
    """Text for a terminal: control characters (a reason may hold any) shown escaped, never sent."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: object, size: int, right: bool = False) -> str:
    text = str(text)
    fill = " " * max(0, size - width(text))
    return fill + text if right else text + fill


def table(rows: Sequence[Sequence[object]], header: Sequence[str] | None = None) -> str:
    lines = [list(header)] if header else []
    lines += [[("" if v is None else v if isinstance(v, (int, float)) else printable(v)) for v in row] for row in rows]
    if not lines:
        return ""
    sizes = [max(width(str(line[i])) for line in lines) for i in range(len(lines[0]))]
    out = []
    for n, line in enumerate(lines):
        out.append("  ".join(pad(v, sizes[i], right=isinstance(v, (int, float))) for i, v in enumerate(line)).rstrip())
        if header and n == 0:
            out.append("  ".join("-" * s for s in sizes))
    return "\n".join(out)


def dashboard_screen(counts: dict) -> str:
    """The seeds' status-count screen, row by row, with the claim table's labels."""
    rows = []
    for claim_type, label, cells in DASHBOARD_LAYOUT:
        row: list[object] = [label]
        for cell_label, key in cells:
            row += [cell_label, counts[claim_type][key] if key else ""]
        rows.append(row)
    return table(rows)
