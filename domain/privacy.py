"""Buyer personal data (SPEC §7): which fields of which events hold it, and how it is shown masked.

The store seals these fields with the buyer's key (store/sealing.py); what the store gives back is
the masked copy, the plaintext only where it is asked for with the master key, and ERASED once the
buyer's key is destroyed.
"""

import json
import re
from typing import Any

ERASED = "[erased]"
PERSON_FIELDS = ("name", "phone", "address")

# event topic -> the field holding a person (buyer or recipient) whose PERSON_FIELDS are personal data
PERSONAL_DATA = {
    "domain.order:Order.Placed": "buyer",
    "domain.order:Order.ExchangeReshipped": "recipient",
}
PERSONAL_FIELDS = tuple(PERSONAL_DATA.values())

# event topic -> its free-text fields that are personal data of a buyer (an inquiry's asker, SPEC §10)
PERSONAL_TEXT = {
    "domain.inquiry:Inquiry.Posted": ("title", "text"),
    "domain.inquiry:Inquiry.Answered": ("text",),
    "domain.inquiry:Inquiry.Hidden": ("title", "reason"),
}


def mask_text(text: str) -> str:
    """A personal text, masked: its first character."""
    return text if text == ERASED or not text else text[:1] + "…"


def mask_name(name: str) -> str:
    if name == ERASED or not name:
        return name
    return name[:1] + "*" * max(len(name) - 1, 2)


def mask_phone(phone: str) -> str:
    if phone == ERASED:
        return phone
    digits = [c for c in phone if c.isdigit()]
    return "***-****-" + "".join(digits[-4:]) if digits else phone


def mask_address(address: str) -> str:
    if address == ERASED or not address:
        return address
    return address[:3] + "***"


MASKS = {"name": mask_name, "phone": mask_phone, "address": mask_address}


def mask_person(person: dict) -> dict:
    masked = dict(person)
    for key, mask in MASKS.items():
        if isinstance(masked.get(key), str):
            masked[key] = mask(masked[key])
    return masked


def mask_personal(data: Any) -> Any:
    """A copy of event data with every buyer/recipient's name, phone and address masked."""
    if isinstance(data, dict):
        return {
            key: mask_person(value) if key in PERSONAL_FIELDS and isinstance(value, dict) else mask_personal(value)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [mask_personal(item) for item in data]
    return data


PARKED_MESSAGE = "domain.parking:ParkedMessage.Parked"  # its `message`: an upstream message as it came
INQUIRY_TEXTS = ("title", "text", "reason")  # an inquiry message's texts: personal data of its asker


def mask_message(document: Any) -> Any:
    """An upstream message as an operator reads it: its buyer and recipient masked, and an inquiry's
    texts (SPEC §10) too."""
    if not isinstance(document, dict):
        return document
    masked = mask_personal(document)
    data = masked.get("data")
    if str(masked.get("type", "")).startswith("inquiry.") and isinstance(data, dict):
        masked["data"] = {k: mask_text(v) if k in INQUIRY_TEXTS and isinstance(v, str) else v for k, v in data.items()}
    return masked


PHONE = re.compile(r"(?<![\d+])(?:\+\d{1,3}[- ]?\d{1,4}[- ]?\d{1,4}[- ]?\d{3,4}|0\d{1,4}-\d{1,4}-\d{3,4}|0\d{9,10})(?!\d)")


def mask_error(text: str, message: bytes | str = b"") -> str:
    """An error's text as it may leave the store unsealed (a parked message's error: the operator page,
    a dead letter's reason): every personal value of the message it came from masked wherever it
    appears (a name's parts too), and whatever looks like a phone number."""
    for value, masked in sorted(_personal_values(message).items(), key=lambda item: -len(item[0])):
        text = text.replace(value, masked)
    return PHONE.sub(lambda found: mask_phone(found.group()), text)


def _personal_values(message: bytes | str) -> dict[str, str]:
    """Each personal text of an upstream message -> its masked form."""
    try:
        document = json.loads(message) if message else None
    except (ValueError, UnicodeDecodeError):
        return {}
    values: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in PERSONAL_FIELDS and isinstance(value, dict):
                    for name, mask in MASKS.items():
                        if isinstance(value.get(name), str) and value[name]:
                            values[value[name]] = mask(value[name])
                            if name == "name":
                                values.update({part: mask_name(part) for part in value[name].split() if len(part) > 1})
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document)
    data = document.get("data") if isinstance(document, dict) else None
    if isinstance(data, dict) and str(document.get("type", "")).startswith("inquiry."):
        values.update({v: mask_text(v) for k, v in data.items() if k in INQUIRY_TEXTS and isinstance(v, str) and v})
    return values
