"""How a Japanese seller reads times, dates, yen and points: Tokyo time as `2026/11/15 10:53`, dates as
`2026/11/15`, yen as `12,800円`, points with one decimal (`1,936.9`). Each takes what the JSON
documents hold (ISO text, numbers) or the Python value, and None as nothing."""

from datetime import date, datetime

from domain.calendar import TOKYO

NOTHING = ""


def tokyo_time(value: datetime | str | None) -> str:
    """A moment in Tokyo time, to the minute; a bare date as a date."""
    moment = _moment(value)
    if moment is None:
        return day(value)
    return moment.astimezone(TOKYO).strftime("%Y/%m/%d %H:%M")


def day(value: date | datetime | str | None) -> str:
    """A Tokyo calendar date (a moment's Tokyo date)."""
    if value is None or value == "":
        return NOTHING
    moment = _moment(value)
    if moment is not None:
        return moment.astimezone(TOKYO).strftime("%Y/%m/%d")
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return value.strftime("%Y/%m/%d")


def yen(amount: int | float | None) -> str:
    if amount is None:
        return NOTHING
    return f"{amount:,.0f}円"


def points(value: int | float | None) -> str:
    """Service points have one decimal (SPEC §1): 1936.9, -3.0."""
    if value is None:
        return NOTHING
    return f"{value:,.1f}"


def count(value: int | None) -> str:
    return NOTHING if value is None else f"{value:,}"


def tokyo_datetime(value: datetime | str | None) -> datetime | None:
    """A moment as a Tokyo wall-clock time without offset (what a spreadsheet's date cell holds)."""
    moment = _moment(value)
    return None if moment is None else moment.astimezone(TOKYO).replace(tzinfo=None)


def _moment(value: object) -> datetime | None:
    """The moment a value names, or None for a date or nothing. A naive time is read as Tokyo's."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and "T" in value:
        moment = datetime.fromisoformat(value)
    else:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=TOKYO)


def rate(value: float | None) -> str:
    """A rate with one decimal (12.5); a rate of nothing (no orders) as a dash."""
    return "—" if value is None else f"{value:,.1f}"


def share(value: float | None) -> str:
    """A fraction as a percentage: 45.8%; a share of nothing as a dash."""
    return "—" if value is None else f"{value * 100:.1f}%"
