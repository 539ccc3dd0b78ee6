"""The parked messages (SPEC §8): listed from the store's log, and run again after a fix."""

from datetime import datetime, timezone

from eventsourcing.utils import get_topic

from consumers.routes import parse, to_command
from domain.application import Orders
from domain.parking import ParkedMessage, parked_id
from domain.privacy import ERASED
from domain.unit_of_work import Outcome

PARKED_TOPIC = get_topic(ParkedMessage.Parked)
PAGE = 10_000


def parked_messages(app: Orders) -> list[ParkedMessage]:
    """Every message parked and not settled by a retry, oldest first."""
    found, start = [], 1
    while True:
        page = app.recorder.select_notifications(start, limit=PAGE, topics=[PARKED_TOPIC])
        for notification in page:
            parked = app.repository.get(notification.originator_id)
            if parked.is_parked:
                found.append(parked)
        if len(page) < PAGE:
            return found
        start = page[-1].id + 1


class NeedsPlaintext(Exception):
    """A parked message is sealed (SPEC §7): running it again needs it read with the master key."""


def retry(app: Orders, message_id: str, reader: Orders | None = None) -> Outcome:
    """Run a parked message again, as `reader` (the application that reads personal data in the
    clear; `app` itself where nothing is sealed) gives it back; its outcome (accepted, rejected, or
    parked again) settles it. A message whose buyer was erased since is not run: nothing of it is
    left to run, and it is settled as `erased`."""
    sealer = getattr(app.mapper, "sealer", None)
    if reader is None and sealer is not None and not sealer.reveal:
        raise NeedsPlaintext("a sealed parked message is retried as the revealing application reads it")
    parked = (reader or app).repository.get(parked_id(message_id))
    if parked.message == ERASED:
        app.settle_parked(message_id, "erased", at=datetime.now(timezone.utc))
        return Outcome(message_id, "erased", detail="its buyer's personal data was erased: nothing left to run")
    raw = parked.message.encode()
    return app.process([to_command(parse(raw), raw=raw, source=parked.source, retry=True)])[0]
