"""Events as earlier releases stored them, under names this release no longer has (SPEC §7 Versions).

Release 0.1 stored three umbrella events whose fact was in a field; each is now one event per
fact. The store's mapper (store/mapper.py) reads a stored event of an old topic as the event its
field names, without the field. Changes of fields within one event are the event classes' own
`upcast_v1_v2` (domain/order.py).
"""

from domain.claims import RETURN
from domain.order import Order

# old topic -> (the field that names the fact, {its value: the event now}, fields to add)
SPLITS: dict[str, tuple[str, dict[str, type], dict]] = {
    "domain.order:Order.ReturnMoved": (
        "action",
        {"approve": Order.ReturnApproved, "hold": Order.ReturnHeld, "resume": Order.ReturnResumed},
        {"claim_type": RETURN},
    ),
    "domain.order:Order.ReturnChargeSettled": (
        "status",
        {"paid": Order.ReturnChargePaid, "declined": Order.ReturnChargeDeclined,
         "cancelled": Order.ReturnChargeCancelled},
        {},
    ),
    "domain.order:Order.PartialRefundDecided": (
        "status",
        {"approved": Order.PartialRefundApproved, "rejected": Order.PartialRefundRejected,
         "cancelled": Order.PartialRefundCancelled},
        {},
    ),
}


def split(topic: str, state: dict) -> type:
    """The event class an old umbrella event stands for; its naming field is removed from `state`."""
    field, classes, added = SPLITS[topic]
    cls = classes[state.pop(field)]
    for name, value in added.items():
        state.setdefault(name, value)
    return cls


def stored_topics(classes: set[type]) -> set[str]:
    """The topics under which events of these classes are stored: their own, and the old ones.
    (An event class declared in the aggregate and the class `@event` derives from it share a topic,
    which eventsourcing's get_topic refuses to register twice.)"""
    topics = {f"{cls.__module__}:{cls.__qualname__}" for cls in classes}  # not get_topic: see below
    for old, (_, split_classes, _) in SPLITS.items():
        if classes & set(split_classes.values()):
            topics.add(old)
    return topics
