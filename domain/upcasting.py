"""Small builders of eventsourcing's `upcast_vX_vY` methods: an event class's own record of how its
stored state changed between releases (eventsourcing calls them when it reads an older version)."""

from collections.abc import Callable
from typing import Any

State = dict[str, Any]


def adds(**fields: Any) -> Callable[[State], None]:
    """An upcaster that adds fields the older version did not store (with the value they had then)."""

    def upcast(state: State) -> None:
        for name, value in fields.items():
            state.setdefault(name, value)

    return staticmethod(upcast)


def renames(old: str, new: str, **added: Any) -> Callable[[State], None]:
    """An upcaster that renames one field, and adds others."""

    def upcast(state: State) -> None:
        state[new] = state.pop(old)
        for name, value in added.items():
            state.setdefault(name, value)

    return staticmethod(upcast)
