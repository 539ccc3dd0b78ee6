"""Every calendar rule of the marketplace uses the Asia/Tokyo calendar."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")


def tokyo_date(moment: datetime) -> date:
    """The Tokyo calendar date of an aware moment."""
    return moment.astimezone(TOKYO).date()


def end_of_day(day: date) -> datetime:
    """The last instant of a Tokyo calendar day: any later moment is on the next day."""
    return datetime.combine(day, time.max, TOKYO)


def next_day_start(day: date) -> datetime:
    """The first instant of the Tokyo day after `day`: a moment on a later day is at or after it."""
    return datetime.combine(day + timedelta(days=1), time.min, TOKYO)


def tokyo_month(moment: datetime) -> str:
    """The Tokyo calendar month of a moment, as YYYY-MM."""
    return tokyo_date(moment).strftime("%Y-%m")


def days_between(start: datetime, end: datetime) -> int:
    """Tokyo calendar days from one moment to another (same day = 0)."""
    return (tokyo_date(end) - tokyo_date(start)).days


def tokyo_iso(moment: datetime | None) -> str | None:
    """An aware moment shown in Tokyo time, ISO 8601."""
    return moment.astimezone(TOKYO).isoformat() if moment is not None else None


def previous_month(at: datetime) -> str:
    """The Tokyo month before the one `at` falls in, as YYYY-MM."""
    today = tokyo_date(at)
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"
