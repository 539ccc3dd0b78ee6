"""A mapping that keeps only the entries used last: the caches of aggregate ids, natural keys, the keys
orders were sealed with and unwrapped buyer keys (docs/decisions/0004: bounded, so that memory stays flat
as the store grows)."""

from collections import OrderedDict
from typing import Any


class Recent(OrderedDict):
    """At most `kept` entries: adding one past that drops the one used longest ago. `used(key)` reads an
    entry and counts it as used; a plain read does not."""

    def __init__(self, kept: int):
        super().__init__()
        self.kept = kept

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        if len(self) > self.kept:
            self.popitem(last=False)

    def used(self, key: Any, default: Any = None) -> Any:
        if key not in self:
            return default
        self.move_to_end(key)
        return self[key]
