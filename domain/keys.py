"""The key an aggregate's events travel under on the events topic (SPEC §5): its natural key.

It is the first of `order_no`, `cart_no`, `seller_id` that the aggregate's first event holds (an
Order's order number, a Cart's cart number, a Seller's id; an inquiry's seller), else the aggregate
id. Each stored event carries it (`KEY_FIELD` in its state, written by the mapper and dropped again
when the event is read), so the relay never reads an aggregate's first event back to learn it;
events stored before carry none, and the relay reads the first event for those, as it used to.
"""

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from domain.recent import Recent

NATURAL_KEYS = ("order_no", "cart_no", "seller_id")
KEY_FIELD = "_key"  # in a stored event's state: the aggregate's natural key
KEYS_KEPT = 50_000  # natural keys an application remembers, the latest used (5× its aggregate cache; decision 0004)


def natural_key(first_state: Mapping[str, Any], originator_id: UUID) -> str:
    """The natural key, from the state of an aggregate's first event."""
    return next((str(first_state[k]) for k in NATURAL_KEYS if k in first_state), str(originator_id))


class NaturalKeys:
    """The natural keys of the aggregates an application has seen the first event of (created, or
    replayed from the store), the KEYS_KEPT used last. One it has forgotten is simply not carried: the
    relay then reads the aggregate's first event, as for an earlier release's events."""

    def __init__(self, kept: int = KEYS_KEPT):
        self._keys: Recent = Recent(kept)  # aggregate id -> natural key

    def remember(self, first_event: Any) -> None:
        self._keys[first_event.originator_id] = natural_key(vars(first_event), first_event.originator_id)

    def get(self, originator_id: UUID) -> str | None:
        return self._keys.used(originator_id)  # a seller kept in the aggregate cache is never replayed again
