"""Every calendar rule of the marketplace uses the Asia/Tokyo calendar."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")


def tokyo_date(moment: datetime) -> date:
    """The Tokyo calendar date of an aware moment."""
    return moment.astimezone(TOKYO).date()


def tokyo_month(moment: datetime) -> str:
    """The Tokyo calendar month of a moment, as YYYY-MM."""
    return tokyo_date(moment).strftime("%Y-%m")


def days_between(start: datetime, end: datetime) -> int:
    """Tokyo calendar days from one moment to another (same day = 0)."""
    return (tokyo_date(end) - tokyo_date(start)).days
