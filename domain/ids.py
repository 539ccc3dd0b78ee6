"""Aggregate ids, by the scheme the store records (docs/decisions/0019).

- `uuid5` (every store of an earlier release): an Order's id is a uuid5 of its order number, a Cart's
  of its cart number, found again by computing it. Kept as it is: those ids are stored.
- `uuid7` (a new store): an Order's and a Cart's id sort by the time they were made (RFC 9562's
  UUIDv7), so the events' index grows at its end instead of everywhere; the order number and the
  cart number find the id through a table of their own (`aggregate_ids`: kind, natural key → id,
  unique), written in the transaction of the aggregate's first event. A second writer of the same
  key is refused there (the batch runs again, and reads the first one's id).

Sellers, receipts, parked messages, buyers, inquiries and items keep uuid5 ids in both schemes: few
(sellers, items), or written once with one random key anyway (a receipt is refused by its id for a
repeated message id, which is what makes duplicates cost nothing; a lookup table would be the same
random insert again).
"""

import os
import threading
import time
from collections.abc import Callable, Iterable
from uuid import UUID

from domain.cart import cart_id
from domain.order import order_id
from domain.recent import Recent

UUID5, UUID7 = "uuid5", "uuid7"
ORDER, CART = "order", "cart"
NATURAL = {ORDER: order_id, CART: cart_id}  # the uuid5 scheme's ids
IDS_KEPT = 50_000  # natural key → id pairs kept in memory, the latest used (5× the aggregate cache; docs/decisions/0004: RSS)

_lock = threading.Lock()
_last = [0, 0]  # the last id's milliseconds and counter


def uuid7() -> UUID:
    """A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then a 12-bit counter (so ids made within
    one millisecond by this process also sort in the order they were made), then 62 random bits."""
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last[0]:
            ms, counter = _last[0], _last[1] + 1
            if counter > 0xFFF:
                ms, counter = ms + 1, 0
        else:
            counter = int.from_bytes(os.urandom(2), "big") & 0x3FF  # room for 3,000 more in its millisecond
        _last[0], _last[1] = ms, counter
    random = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    return UUID(int=(ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | counter << 64 | 0b10 << 62 | random)


class AggregateIds:
    """Natural key → aggregate id for orders and carts, by the store's scheme. `scheme` and `lookup`
    (the store's `aggregate_id(kind, key)`) are asked when first needed."""

    def __init__(self, scheme: Callable[[], str], lookup: Callable[[str, str], UUID | None]):
        self._scheme = scheme
        self._lookup = lookup
        self._known: Recent = Recent(IDS_KEPT)  # (kind, natural key) -> id
        self._time_ordered: bool | None = None

    @property
    def time_ordered(self) -> bool:
        if self._time_ordered is None:
            self._time_ordered = self._scheme() == UUID7
        return self._time_ordered

    def find(self, kind: str, key: str, ask_store: bool = True) -> UUID | None:
        """The id of the order or cart with this natural key. uuid5: computed (whether it exists, the
        store says). uuid7: None if none is known — the store is asked unless `ask_store` is false
        (optimistically new: the store refuses a second id for the key)."""
        if not self.time_ordered:
            return NATURAL[kind](key)
        found = self._known.used((kind, key))
        if found is None and ask_store:
            found = self._lookup(kind, key)
            if found is not None:
                self.remember([((kind, key), found)])
        return found

    def new(self) -> UUID | None:
        """An id for a new order or cart: a UUIDv7; None in the uuid5 scheme (the aggregate makes its own)."""
        return uuid7() if self.time_ordered else None

    def remember(self, pairs: Iterable[tuple[tuple[str, str], UUID]]) -> None:
        """Pairs the store holds (found, or written with their first events)."""
        for pair, oid in pairs:
            self._known[pair] = oid
