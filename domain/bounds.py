"""The span of time any moment or date may lie in (SPEC §4 Bounds): upstream messages and query arguments."""

from datetime import datetime, timezone

EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=timezone.utc), datetime(2100, 1, 1, tzinfo=timezone.utc)
