"""Buyer personal data (SPEC §7): which fields of which events hold it, and how it is shown masked.

The store seals these fields with the buyer's key (store/sealing.py); what the store gives back is
the masked copy, the plaintext only where it is asked for with the master key, and ERASED once the
buyer's key is destroyed.
"""

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
