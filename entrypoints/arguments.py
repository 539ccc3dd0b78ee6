"""What a query's arguments mean, parsed once for the command line and the HTTP API alike."""

import re
from datetime import date, datetime

from consumers.contracts import EARLIEST, LATEST
from domain.calendar import TOKYO
from domain.claims import STATUS_KEYS

STATUS_CHOICES = tuple(f"{t}.{k}" for t, keys in STATUS_KEYS.items() for k in (*keys, "delayed"))


# `+09:00` in a URL's query string left unencoded arrives as ` 09:00`
URL_LOST_PLUS = re.compile(r"\d \d\d:\d\d$")


class BadArgument(ValueError):
    """An argument that names no time, date, month or status."""


def moment(value: str | None) -> datetime | None:
    """An ISO 8601 time; a bare time is Tokyo time."""
    if value is None or value == "":
        return None
    if URL_LOST_PLUS.search(value):
        value = value[:-6] + "+" + value[-5:]
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadArgument(f"{value!r} is not an ISO 8601 time") from None
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=TOKYO)
    if not EARLIEST.year <= parsed.year < LATEST.year:
        raise BadArgument(f"{value!r}: a time between {EARLIEST.date()} and {LATEST.date()}")
    return parsed


def day(value: str | None) -> date | None:
    if value is None or value == "":
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise BadArgument(f"{value!r} is not a date YYYY-MM-DD") from None
    if not EARLIEST.year <= parsed.year < LATEST.year:
        raise BadArgument(f"{value!r}: a date between {EARLIEST.date()} and {LATEST.date()}")
    return parsed


def month(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}", value):
            raise ValueError(value)
        parsed = datetime.strptime(value, "%Y-%m")
    except ValueError:
        raise BadArgument(f"{value!r} is not a month YYYY-MM") from None
    if not EARLIEST.year <= parsed.year < LATEST.year:
        raise BadArgument(f"{value!r}: a month between {EARLIEST.year} and {LATEST.year - 1}")
    return value


def claim_status(value: str) -> tuple[str, str]:
    """TYPE.STATUS (or TYPE.delayed) of the dashboard's counts."""
    if value not in STATUS_CHOICES:
        raise BadArgument(f"{value!r} is not one of {', '.join(STATUS_CHOICES)}")
    claim_type, _, key = value.partition(".")
    return claim_type, key
