"""What a query's arguments mean, parsed once for the command line and the HTTP API alike."""

import re
from datetime import date, datetime

from domain.bounds import EARLIEST, LATEST
from domain.calendar import TOKYO
from domain.claims import STATUS_KEYS

STATUS_CHOICES = tuple(f"{t}.{k}" for t, keys in STATUS_KEYS.items() for k in (*keys, "delayed"))


# `+09:00` in a URL's query string left unencoded arrives as ` 09:00`
URL_LOST_PLUS = re.compile(r"\d \d\d:\d\d$")


class BadArgument(ValueError):
    """An argument that names no time, date, month or status."""


def _parsed(value: str | None, parse, what: str):
    """`value` parsed (None for none given), refused when it is not `what` or outside the years of SPEC §4."""
    if value is None or value == "":
        return None
    try:
        parsed = parse(value)
    except ValueError:
        raise BadArgument(f"{value!r} is not {what}") from None
    if not EARLIEST.year <= parsed.year < LATEST.year:
        raise BadArgument(f"{value!r}: {what} between {EARLIEST.year} and {LATEST.year - 1}")
    return parsed


def _tokyo_time(value: str) -> datetime:
    if URL_LOST_PLUS.search(value):
        value = value[:-6] + "+" + value[-5:]
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=TOKYO)  # a bare time is Tokyo time


def _month(value: str) -> datetime:
    if not re.fullmatch(r"\d{4}-\d{2}", value):
        raise ValueError(value)
    return datetime.strptime(value, "%Y-%m")


def moment(value: str | None) -> datetime | None:
    """An ISO 8601 time; a bare time is Tokyo time."""
    return _parsed(value, _tokyo_time, "an ISO 8601 time")


def day(value: str | None) -> date | None:
    return _parsed(value, date.fromisoformat, "a date YYYY-MM-DD")


def month(value: str | None) -> str | None:
    return value if _parsed(value, _month, "a month YYYY-MM") else None


def claim_status(value: str) -> tuple[str, str]:
    """TYPE.STATUS (or TYPE.delayed) of the dashboard's counts."""
    if value not in STATUS_CHOICES:
        raise BadArgument(f"{value!r} is not one of {', '.join(STATUS_CHOICES)}")
    claim_type, _, key = value.partition(".")
    return claim_type, key
