"""The parked messages (SPEC §8): listed from the store's log, and run again after a fix."""

from eventsourcing.utils import get_topic

from consumers.routes import parse, to_command
from domain.application import Orders
from domain.parking import ParkedMessage, parked_id
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


def retry(app: Orders, message_id: str) -> Outcome:
    """Run a parked message again; its outcome (accepted, rejected, or parked again) settles it."""
    parked = app.repository.get(parked_id(message_id))
    raw = parked.message.encode()
    return app.process([to_command(parse(raw), raw=raw, source=parked.source, retry=True)])[0]
