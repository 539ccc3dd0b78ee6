"""Masking of buyer personal data (name, phone, address) for anything shown to people."""

from typing import Any

PERSONAL_FIELDS = ("buyer", "recipient")


def mask_name(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 2) if name else name


def mask_phone(phone: str) -> str:
    digits = [c for c in phone if c.isdigit()]
    return "***-****-" + "".join(digits[-4:]) if digits else phone


def mask_address(address: str) -> str:
    return address[:3] + "***" if address else address


def mask_person(person: dict) -> dict:
    masked = dict(person)
    for key, mask in (("name", mask_name), ("phone", mask_phone), ("address", mask_address)):
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
