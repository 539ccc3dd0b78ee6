"""The shape of a parsed JSON document, measured without recursion (a message may nest a thousand
levels deep: nothing may walk it recursively before its depth is known)."""

from typing import Any


def deeper_than(document: Any, limit: int) -> bool:
    """Whether objects and lists nest deeper than `limit` levels (walked with a stack)."""
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False
