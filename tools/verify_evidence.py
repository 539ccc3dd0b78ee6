#!/usr/bin/env python3
"""Check an orderclaims evidence bundle offline (docs/evidence-format.md).

    python tools/verify_evidence.py BUNDLE.json [--public-key HEX]
    python tools/verify_evidence.py --consistency PROOF.json [--public-key HEX]

Exit 0 when everything holds; 1, naming each thing that failed, otherwise. Only the standard library
and `cryptography`; nothing of orderclaims — every constant it needs is written out below and in the
format document, so another team can rewrite this file from the document alone.
"""

import base64
import binascii
import hashlib
import json
import sys
import uuid
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

FORMAT = "orderclaims-evidence/1"
CONSISTENCY_FORMAT = "orderclaims-consistency/1"
ORDER_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "orderclaims:order")  # an order's id: uuid5(this, order number)
GENESIS = b"orderclaims/chain/genesis/v1\x00"
LINK = b"orderclaims/chain/event/v1\x00"
HEAD_LEAF = b"orderclaims/checkpoint/head/v1\x00"
SIGNED_V1 = b"orderclaims/checkpoint/v1\x00"
SIGNED_V2 = b"orderclaims/checkpoint/v2\x00"
SIGNED_V3 = b"orderclaims/checkpoint/v3\x00"


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def leaf_hash(data: bytes) -> bytes:
    return sha256(b"\x00" + data)


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right)


def root_from_path(index: int, size: int, leaf: bytes, path: list) -> bytes | None:
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


def consistency_holds(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: list) -> bool:
    """RFC 9162 §2.1.4.2."""
    if old_size > new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root


def u64(n: int) -> bytes:
    return n.to_bytes(8, "big")


def chain_link(previous: bytes, aggregate: uuid.UUID, version: int, topic: str, state: bytes) -> bytes:
    t = topic.encode()
    return sha256(LINK + previous + aggregate.bytes + u64(version) + len(t).to_bytes(4, "big") + t + state)


class Failed(Exception):
    pass


def unhex(value, what: str, length: int | None = None) -> bytes:
    try:
        raw = bytes.fromhex(value)
    except (TypeError, ValueError):
        raise Failed(f"{what}: not hexadecimal") from None
    if length is not None and len(raw) != length:
        raise Failed(f"{what}: {len(raw)} bytes, not {length}")
    return raw


def checkpoint_message(c: dict) -> bytes:
    """What the checkpoint's signature covers (docs/evidence-format.md, 'Checkpoint')."""
    head = u64(c["size"]) + u64(c["heads"]) + unhex(c["root"], "checkpoint root", 32)
    if "keyed_from" not in c:
        return SIGNED_V1 + head
    body = (head + u64(c["previous_size"]) + unhex(c["previous_root"], "checkpoint previous_root", 32)
            + u64(c["keyed_from"]))
    if "log_size" not in c:
        return SIGNED_V2 + body
    return SIGNED_V3 + body + u64(c["log_size"]) + unhex(c["log_root"], "checkpoint log_root", 32)


def check_checkpoint(c: dict, public_key: bytes, what: str = "checkpoint") -> list[str]:
    failed = []
    try:
        if not isinstance(c, dict):
            raise Failed("not an object")
        datetime.fromisoformat(c["at"])
        if unhex(c["public_key"], f"{what} public_key", 32) != public_key:
            failed.append(f"{what}: signed by another key than the bundle's public key")
        key = Ed25519PublicKey.from_public_bytes(public_key)
        key.verify(unhex(c["signature"], f"{what} signature", 64), checkpoint_message(c))
    except InvalidSignature:
        failed.append(f"{what} signature: does not verify with the public key (checkpoint or key altered)")
    except Failed as failure:
        failed.append(f"{what}: {failure}" if not str(failure).startswith(what) else str(failure))
    except (KeyError, TypeError, ValueError, OverflowError) as broken:
        failed.append(f"{what}: malformed ({broken!r})")
    return failed


def check_public_key(document: dict, pinned: bytes | None) -> bytes:
    public_key = unhex(document.get("public_key"), "public key", 32)
    if pinned is not None and public_key != pinned:
        raise Failed("public key: not the one you gave (--public-key)")
    return public_key


def check_order_number(order_no: str, aggregate: uuid.UUID, events: list) -> list[str]:
    """That the aggregate is the order's: a uuid5 id is computed from the order number; a time-ordered
    (uuid7) id is the store's choice, so the order number is read from the first event's state, whose
    bytes its link covers (checked below)."""
    if aggregate.version == 5:
        if uuid.uuid5(ORDER_NAMESPACE, str(order_no)) != aggregate:
            return ["order number: the aggregate id is not the id of this order number"]
        return []
    try:
        first = json.loads(base64.b64decode(events[0]["state"], validate=True))
    except (IndexError, KeyError, TypeError, ValueError, binascii.Error):
        return ["order number: the first event's state does not read"]
    if not isinstance(first, dict) or first.get("order_no") != order_no \
            or first.get("originator_topic") != "domain.order:Order":
        return ["order number: the first event does not place this order number"]
    return []


def check_bundle(document: dict, pinned: bytes | None = None) -> list[str]:
    """What fails in an evidence bundle (empty: it holds)."""
    failed: list[str] = []
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return [f"format: not {FORMAT}"]
    try:
        public_key = check_public_key(document, pinned)
    except Failed as failure:
        return [str(failure)]
    failed += check_checkpoint(document.get("checkpoint"), public_key)
    try:
        order_no = document["order_no"]
        aggregate = uuid.UUID(document["aggregate_id"])
        events = document["events"]
        failed += check_order_number(order_no, aggregate, events)
        if not events:
            failed.append("events: none")
        value = sha256(GENESIS + aggregate.bytes)
        for expected, event in enumerate(events, start=1):
            where = f"event {expected}"
            if event.get("version") != expected:
                failed.append(f"{where}: version {event.get('version')!r}, expected {expected} (removed or reordered)")
            try:
                state = base64.b64decode(event["state"], validate=True)
            except (binascii.Error, TypeError, ValueError):
                failed.append(f"{where}: state is not base64")
                state = b""
            value = chain_link(value, aggregate, expected, str(event["topic"]), state)
            if unhex(event["link"], f"{where} link", 32) != value:
                failed.append(f"{where} (version {expected}): its bytes do not give its link — event or link altered")
                value = unhex(event["link"], f"{where} link", 32)  # go on from the stored link: name each one
        proof = document["inclusion"]
        head = unhex(proof["head"], "inclusion head", 32)
        if proof["version"] != len(events) or head != value:
            failed.append("inclusion: the proven head is not the last event's link")
        checkpoint = document["checkpoint"]
        if proof["tree_size"] != checkpoint["heads"]:
            failed.append("inclusion: tree size is not the checkpoint's")
        leaf = leaf_hash(HEAD_LEAF + aggregate.bytes + u64(proof["version"]) + head)
        path = [unhex(p, f"audit path node {i}", 32) for i, p in enumerate(proof["audit_path"])]
        if root_from_path(proof["leaf_index"], proof["tree_size"], leaf, path) != unhex(checkpoint["root"],
                                                                                        "checkpoint root", 32):
            failed.append("inclusion proof: the audit path does not give the checkpoint's root")
    except Failed as failure:
        failed.append(str(failure))
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as broken:
        failed.append(f"bundle: malformed ({broken!r})")
    return failed


def check_consistency(document: dict, pinned: bytes | None = None) -> list[str]:
    """What fails in a consistency proof between two checkpoints (empty: it holds)."""
    if not isinstance(document, dict) or document.get("format") != CONSISTENCY_FORMAT:
        return [f"format: not {CONSISTENCY_FORMAT}"]
    try:
        public_key = check_public_key(document, pinned)
        old, new = document["old"], document["new"]
        failed = check_checkpoint(old, public_key, "old checkpoint") + check_checkpoint(new, public_key, "new checkpoint")
        if "log_size" not in old or "log_size" not in new:
            return failed + ["checkpoints: a consistency proof needs checkpoints of format v3 (with a log root)"]
        proof = [unhex(p, f"consistency proof node {i}", 32) for i, p in enumerate(document["proof"])]
        if not consistency_holds(old["log_size"], new["log_size"], unhex(old["log_root"], "old log_root", 32),
                                 unhex(new["log_root"], "new log_root", 32), proof):
            failed.append("consistency proof: the new checkpoint's log does not extend the old one's")
        return failed
    except Failed as failure:
        return [str(failure)]
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as broken:
        return [f"proof: malformed ({broken!r})"]


def main(argv: list[str]) -> int:
    args, pinned, consistency = list(argv), None, False
    if "--public-key" in args:
        at = args.index("--public-key")
        pinned = bytes.fromhex(args[at + 1])
        del args[at:at + 2]
    if "--consistency" in args:
        args.remove("--consistency")
        consistency = True
    if len(args) != 1:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        with open(args[0], "rb") as f:
            document = json.loads(f.read())
    except (OSError, ValueError) as unreadable:
        print(f"FAILED: cannot read {args[0]}: {unreadable}")
        return 1
    failed = (check_consistency if consistency else check_bundle)(document, pinned)
    for failure in failed:
        print(f"FAILED: {failure}")
    if failed:
        return 1
    if consistency:
        print(f"OK: the log of the checkpoint at {document['new']['size']} extends the log of the checkpoint at "
              f"{document['old']['size']}")
    else:
        print(f"OK: order {document['order_no']}: {len(document['events'])} events chained, head in the checkpoint at "
              f"position {document['checkpoint']['size']} signed by {document['public_key']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
