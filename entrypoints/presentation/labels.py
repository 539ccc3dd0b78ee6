"""One lookup for every label (entrypoints/presentation/words.py holds the tables): the Japanese
text, and the English key kept for a tooltip (`title`)."""

from markupsafe import Markup, escape

from entrypoints.presentation import words


def label(kind: str, key: object) -> str:
    """The Japanese for `key` of that kind. `claim_status` takes "TYPE.STATUS"; a free-text kind
    (a reason in a person's own words) shows what was written; an unknown key shows the key, so a
    page never fails on a value a later release adds (tests/unit/test_labels.py keeps them all)."""
    if key is None:
        return ""
    if kind == "claim_status":
        return claim_status(*str(key).split(".", 1))
    if kind == "blocked_by":
        return blocked_by(str(key))
    return words.TABLES[kind].get(key, str(key))


def claim_status(claim_type: str, status: str) -> str:
    return words.CLAIM_STATUS.get((claim_type, status)) or (
        f"{words.CLAIM_TYPE.get(claim_type, claim_type)}: {words.STATUS.get(status, status)}")


def blocked_by(key: str) -> str:
    """What blocks a settlement: TYPE.STATUS of the open claim, `partial_refund` or `return_charge`."""
    if key in words.BLOCKER:
        return words.BLOCKER[key]
    if "." not in key:
        return key
    claim_type, status = key.split(".", 1)
    said, type_word = claim_status(claim_type, status), words.CLAIM_TYPE.get(claim_type, claim_type)
    return said if said.startswith(type_word[:2]) else f"{type_word}: {said}"  # reshipping: "交換: …"


def titled(kind: str, key: object) -> Markup:
    """The label as HTML with its English key as the tooltip (nothing around a person's own words)."""
    text = label(kind, key)
    if key is None or text == str(key):
        return escape(text)
    return Markup('<span title="{}">{}</span>').format(str(key), text)
