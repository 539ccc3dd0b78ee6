"""What a dead letter keeps of a message (SPEC §4, §7): a bounded head, and no personal data readable.

An invalid message is invalid because its shape is not the contract's, so buyer data may sit anywhere
in it: under `data.buyer`, nested deeper, in a list, as a string where an object belongs, in a free
text. The head therefore keeps **only what is known to be safe**, not everything but what is known to
be personal:

- a message that parses as JSON keeps its shape (keys, nesting, numbers, booleans); a string is kept
  only under a key of the contract's ids and enumerations (`SAFE_KEYS`) and only when it looks like
  one (short, no spaces, not a phone number); every other string is masked — a person's name, phone
  and address with their own masks, anything else to its first character — and so is a key that
  does not look like a field name;
  (a number too: one of nine digits or more, but for the contract's money and quantities, and any
  number under a person's field);
- a message that does not parse (not JSON, cut at 64 KB, or nested deeper than 32 levels) keeps **no head**: any text in it may be
  a buyer's, and nothing tells which. Only its `message_id` and `type` are kept, when they can be read
  off as ids; its length and SHA-256, kept beside the value by the callers, identify it.
"""

import re
from typing import Any

import orjson

from domain.privacy import ERASED, mask_address, mask_name, mask_phone, mask_text
from messaging.json_shape import deeper_than

HEAD = 64 * 1024  # what the dead letter of an over-long message keeps
MAX_DEPTH = 32  # a message nested deeper keeps no head (nothing walks it)

# the contract's ids, enumerations, dates and times: kept when they look like one
SAFE_KEYS = frozenset({
    "message_id", "type", "order_no", "occurred_at", "actor", "cart_no", "seller_id", "item_no", "inquiry_no",
    "buyer_id", "id", "level", "reason", "payment_method", "item_kind", "region", "promised_ship_date",
    "reship_date", "until", "by", "action", "category", "cost_bearer", "rating", "responsibility", "carrier",
    "order_nos", "restrict_asker", "trackable",
})
PERSON_MASKS = {"name": mask_name, "phone": mask_phone, "address": mask_address}
AMOUNT_KEYS = frozenset({"unit_price", "shipping_fee", "amount", "quantity"})
SAFE_VALUE = re.compile(r"[A-Za-z0-9_.:+\-]{0,64}")
FIELD_NAME = re.compile(r"[a-z_][a-z0-9_]{0,63}")
PHONE = re.compile(r"(?:\+?\d[\s\-().]*){9,}")  # nine digits or more, however they are separated
READABLE_FIELD = re.compile(rb'"(message_id|type)"\s*:\s*"([A-Za-z0-9_.:\-]{1,64})"')
MASK = "***"


def dead_letter_value(value: bytes) -> str:
    """What a dead letter keeps of the message: its head (a huge one's first 64 KB), keeping only what
    is known to be no personal data (the module's docstring says what)."""
    head = value[:HEAD]
    try:
        document = orjson.loads(head)
    except orjson.JSONDecodeError:
        return _unparsed(head)
    if deeper_than(document, MAX_DEPTH):
        return _unparsed(head)
    try:
        return orjson.dumps(_safe(document, None)).decode()
    except Exception:  # whatever the message: its dead letter keeps no head rather than stop its partition
        return _unparsed(head)


def _safe(value: Any, key: str | None) -> Any:
    if isinstance(value, dict):
        return {_safe_key(k, n): _safe(v, k) for n, (k, v) in enumerate(value.items())}
    if isinstance(value, list):
        return [_safe(item, key) for item in value]
    if isinstance(value, str):
        return _safe_string(value, key)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and (
            key in PERSON_MASKS or (abs(value) >= 10**8 and key not in AMOUNT_KEYS)):
        return MASK  # a phone number given as a number
    return value


def _safe_string(value: str, key: str | None) -> str:
    if key in SAFE_KEYS and SAFE_VALUE.fullmatch(value) and not PHONE.search(value):
        return value
    if key in PERSON_MASKS and value != ERASED:
        masked = PERSON_MASKS[key](value)
        return masked if not PHONE.search(masked) and masked != value else MASK
    return MASK if len(value) < 2 else mask_text(value)


def _safe_key(key: str, n: int) -> str:
    return key if FIELD_NAME.fullmatch(key) else f"{MASK}#{n}"


def _unparsed(head: bytes) -> str:
    """A message that does not parse: no head, only its id and type when they read as ids."""
    readable = {k.decode(): v.decode() for k, v in READABLE_FIELD.findall(head[:4096]) if not PHONE.search(v.decode())}
    return orjson.dumps({"unparsed": True, **readable}).decode()
