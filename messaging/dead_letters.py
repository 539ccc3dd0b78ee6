"""What a dead letter keeps of a message (SPEC §4, §7): a bounded head, and no personal data readable."""

import orjson

from domain.privacy import mask_personal

HEAD = 64 * 1024  # what the dead letter of an over-long message keeps


def dead_letter_value(value: bytes) -> str:
    """What a dead letter keeps of the message: its head (a huge one's first 64 KB), with the buyer's
    and recipient's personal data masked where the message is readable JSON (SPEC §7)."""
    head = value[:HEAD]
    try:
        document = orjson.loads(head)
    except orjson.JSONDecodeError:
        return head.decode("utf-8", "replace")
    if isinstance(document, dict) and isinstance(document.get("data"), dict):
        document["data"] = mask_personal(document["data"])
    return orjson.dumps(document).decode()
