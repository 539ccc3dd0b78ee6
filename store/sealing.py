"""Personal data sealed at rest (SPEC §7): each name, phone and address of a buyer or recipient is
stored as AES-GCM ciphertext under the buyer's key, twice — the value and its masked copy — with
authenticated data that binds it to its order and field. Read back, a field is its masked copy,
its value only when asked for (`reveal`, which needs the master key anyway), and ERASED once the
buyer's key is destroyed. A field to seal whose key is erased (an old order's reship after the
erasure) is stored as ERASED: it is never stored readable again.
"""

import base64
import json
import re
import secrets
from functools import lru_cache
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import PersistenceError

from domain.privacy import (
    ERASED, PARKED_MESSAGE, PERSON_FIELDS, PERSONAL_DATA, PERSONAL_TEXT, mask_message, mask_person, mask_text,
)
from domain.recent import Recent
from store.keys import BuyerKeys, NewKey

SEALED = "_sealed_"
SEALED_KEY = re.compile(rb'"_sealed_":"([0-9a-f]{32})"')
PLACED = "domain.order:Order.Placed"
ORDERS_KEPT = 50_000  # orders whose first event's key is kept (5× the aggregate cache; decision 0004)
UNKNOWN = object()  # not in the cache (None is a key: an order sealed with none)


class Sealer:
    def __init__(self, keys: BuyerKeys, first_state: Any, reveal: bool = False):
        """`first_state(originator_id)` reads an order's first stored event's state (its Placed)."""
        self.keys = keys
        self.first_state = first_state
        self.reveal = reveal
        self._first_keys: Recent = Recent(ORDERS_KEPT)  # aggregate -> the key its first event was sealed with
        self._batch_keys: dict[str, tuple[str, bytes]] = {}  # buyer -> its current key, read for this batch
        self._made_in_batch: set[str] = set()  # the ids of the keys made for this batch, not stored yet
        keys.on_erased.append(lambda _buyers: _cipher.cache_clear())  # an erased key's cipher is not kept either

    def prepare(self, events: list, store_with_events: bool = False) -> list[NewKey]:
        """Before a batch is stored: the current keys of the buyers of its new orders and inquiries, in
        one round trip. A buyer without one gets a new key; `store_with_events`: the new keys are
        returned for the event store to write in the events' own transaction (a commit of their own
        on another connection would also make SQLite drop the event store's page cache), else
        they are stored now."""
        buyers = {str(e.buyer.get("id")) for e in events if type(e).__qualname__ == "Order.Placed"
                  and isinstance(getattr(e, "buyer", None), dict)}
        buyers |= {str(e.buyer_id) for e in events if type(e).__qualname__ == "Inquiry.Posted"}
        buyers |= {str(e.buyer_id) for e in events  # a parked message that starts a buyer's order or inquiry
                   if type(e).__qualname__ == "ParkedMessage.Parked" and getattr(e, "buyer_id", None)}
        self._made_in_batch.clear()
        if not store_with_events:
            self._batch_keys = self.keys.current_for(buyers) if buyers else {}
            return []
        self._batch_keys = self.keys.found_for(buyers) if buyers else {}
        made = self.keys.made_for(buyers - self._batch_keys.keys())
        self._batch_keys.update({new.buyer_id: (new.key_id, new.key) for new in made})
        self._made_in_batch.update(new.key_id for new in made)
        return made

    def forget_prepared(self) -> None:
        """The batch was not stored: what it remembered of keys made for it is forgotten (a key that
        was never stored must not seal an order's later events)."""
        for originator_id, key_id in list(self._first_keys.items()):
            if key_id in self._made_in_batch:
                del self._first_keys[originator_id]
        self._made_in_batch.clear()

    def prepare_read(self, states: list[bytes]) -> None:
        """Before a batch of stored events is read: unwrap the keys they were sealed with, at once."""
        key_ids = {m.group(1).decode() for state in states for m in SEALED_KEY.finditer(state)}
        if key_ids:
            self.keys.warm(key_ids)

    def seal(self, topic: str, originator_id: UUID, state: dict) -> None:
        if topic == PARKED_MESSAGE:
            self._seal_parked(originator_id, state)
            return
        if topic in PERSONAL_TEXT:  # an inquiry's texts, under its asker's key
            field, container, names = "text", state, PERSONAL_TEXT[topic]
            owner = state.get("buyer_id")
            masked = {name: mask_text(v) for name, v in state.items() if name in names and isinstance(v, str)}
        else:  # a buyer or a recipient
            field = PERSONAL_DATA.get(topic)
            person = state.get(field) if field else None
            if not isinstance(person, dict):
                return
            container, names, masked = dict(person), PERSON_FIELDS, mask_person(person)
            owner = person.get("id") if topic == PLACED else None
            state[field] = container
        key_id, key = self._key_for(originator_id, owner)
        for name in names:
            if isinstance(container.get(name), str):
                container[name] = ERASED if key is None else {
                    SEALED: key_id,
                    "v": _encrypt(key, container[name], _aad(originator_id, field, name, "v")),
                    "m": _encrypt(key, masked[name], _aad(originator_id, field, name, "m")),
                }

    def _key_for(self, originator_id: UUID, owner: Any) -> tuple[str | None, bytes | None]:
        """A first event (an order's Placed, an inquiry's Posted) takes its buyer's current key; a later
        one the key its first event has, unless it was erased since (None: the data is not stored)."""
        if owner is not None:
            key_id, key = self._batch_keys.get(str(owner)) or self.keys.current(str(owner))
            self._first_keys[originator_id] = key_id
            return key_id, key
        key_id = self._first_key(originator_id)
        return key_id, (self._live(key_id) if key_id else None)

    def _live(self, key_id: str) -> bytes | None:
        """A key for encryption unless erased; one made for this batch is not stored yet, and live."""
        if key_id in self._made_in_batch:
            return next(key for made_id, key in self._batch_keys.values() if made_id == key_id)
        return self.keys.live(key_id)

    def _seal_parked(self, originator_id: UUID, state: dict) -> None:
        """A parked message (SPEC §8) is an upstream message as it came, buyer data and all: sealed whole
        with the key its buyer's events have — the buyer's current key for a message that starts an
        order or inquiry, else the key of the order or inquiry it is about (ERASED once that is erased,
        never a new key). One whose buyer is unknown keeps only its masked copy."""
        message = state.get("message")
        if not isinstance(message, str):
            return
        masked = _masked_message(message)
        if state.get("buyer_id"):
            key_id, key = self._batch_keys.get(str(state["buyer_id"])) or self.keys.current(str(state["buyer_id"]))
        elif state.get("key_of"):
            try:  # the aggregate's first event may be what fails to read: then the masked copy only
                key_id = self._first_key(UUID(state["key_of"]))
            except PersistenceError:
                raise  # the store away: transient
            except Exception:
                state["message"] = masked
                return
            key = self._live(key_id) if key_id else None
        else:
            state["message"] = masked
            return
        state["message"] = ERASED if key is None else {
            SEALED: key_id,
            "v": _encrypt(key, message, _aad(originator_id, "parked", "message", "v")),
            "m": _encrypt(key, masked, _aad(originator_id, "parked", "message", "m")),
        }

    def unseal(self, topic: str, originator_id: UUID, state: dict) -> None:
        if topic == PARKED_MESSAGE:
            self._open(originator_id, "parked", state, ("message",))
            return
        if topic in PERSONAL_TEXT:
            self._open(originator_id, "text", state, PERSONAL_TEXT[topic])
            return
        field = PERSONAL_DATA.get(topic)
        person = state.get(field) if field else None
        if isinstance(person, dict):
            self._open(originator_id, field, person, PERSON_FIELDS)

    def _open(self, originator_id: UUID, field: str, container: dict, names: tuple[str, ...]) -> None:
        part = "v" if self.reveal else "m"
        for name in names:
            value = container.get(name)
            if isinstance(value, dict) and SEALED in value:
                key = self.keys.get(value[SEALED])
                container[name] = ERASED if key is None else _decrypt(key, value[part],
                                                                      _aad(originator_id, field, name, part))

    def _first_key(self, originator_id: UUID) -> str | None:
        """The key an aggregate's first event (an order's Placed, an inquiry's Posted) was sealed with."""
        key_id = self._first_keys.used(originator_id, UNKNOWN)
        if key_id is UNKNOWN:
            first = self.first_state(originator_id) or {}
            values = [*first.values(), *(first.get("buyer") or {}).values()]
            sealed = next((v for v in values if isinstance(v, dict) and SEALED in v), None)
            owner = (first.get("buyer") or {}).get("id") or first.get("buyer_id")
            key_id = sealed[SEALED] if sealed else (self.keys.current(str(owner))[0] if owner else None)
            self._first_keys[originator_id] = key_id
        return key_id


def _masked_message(message: str) -> str:
    """A message as an operator may read it: masked (SPEC §7); one that does not parse, not at all."""
    try:
        return json.dumps(mask_message(json.loads(message)), ensure_ascii=False)
    except ValueError:
        return mask_text(message)


def _aad(originator_id: UUID, field: str, name: str, part: str) -> bytes:
    return f"{originator_id}:{field}.{name}:{part}".encode()


@lru_cache(maxsize=4096)
def _cipher(key: bytes) -> AESGCM:
    return AESGCM(key)


def _encrypt(key: bytes, text: str, aad: bytes) -> str:
    nonce = secrets.token_bytes(12)
    return base64.b64encode(nonce + _cipher(key).encrypt(nonce, text.encode(), aad)).decode()


def _decrypt(key: bytes, sealed: str, aad: bytes) -> str:
    raw = base64.b64decode(sealed)
    try:
        return _cipher(key).decrypt(raw[:12], raw[12:], aad).decode()
    except InvalidTag:
        raise ValueError(f"sealed data does not belong here ({aad.decode()}): altered or moved") from None
