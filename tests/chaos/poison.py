"""The lines a chaos run mixes into its stream: bad lines the contract refuses, and poison of every
class issue 24 found stopping a partition — each kind named, so the run's summary counts them."""

import random
from datetime import datetime, timedelta

import orjson

# kind -> what becomes of it: "dead letter" (refused with a reason) or the rejection code
POISON_KINDS = {
    "deep NUL": "dead letter",  # a RecursionError in the NUL check once: ingest crash-looped
    "deep invalid": "dead letter",  # the dead-letter encoder raised on it once
    "huge line": "dead letter",  # 900 KB where a rating goes
    "bad UTF-8": "dead letter",
    "huge number": "dead letter",  # a quantity no column holds
    "NUL id": "dead letter",
    "reused id": "duplicate_conflict",  # a message_id sent again with other content
}

FEEDBACK = (b'{"message_id":"%s","type":"feedback.given","order_no":"100001","occurred_at":"2026-11-02T10:00:00+09:00",'
            b'"actor":"buyer","data":%s}')


def nested(depth: int, inner: bytes, opener: bytes = b"[", closer: bytes = b"]") -> bytes:
    return opener * depth + inner + closer * depth


def bad_lines(rng: random.Random, valid: list[bytes], count: int) -> list[bytes]:
    """Distinct lines the contract refuses: noise, broken JSON, messages with a field out of bounds."""
    lines = []
    for n in range(count):
        kind = n % 5
        if kind == 0:
            lines.append(bytes(rng.getrandbits(8) for _ in range(rng.randint(5, 60))).replace(b"\n", b"") + b"#%d" % n)
        elif kind == 1:
            lines.append(b'{"message_id": "broken-%d", "type": ' % n)
        else:
            document = orjson.loads(rng.choice(valid))
            document["message_id"] = f"bad-{n}"
            field_name, value = [("occurred_at", 1730000000), ("occurred_at", "9999-12-31T23:59:59-12:00"),
                                 ("type", "order.teleported"), ("actor", "robot"), ("order_no", "x" * 65)][n % 5]
            document[field_name] = value
            lines.append(orjson.dumps(document))
    return lines


def poison_lines(rng: random.Random, valid: list[bytes], per_kind: int) -> dict[str, list[bytes]]:
    """`per_kind` distinct lines of every POISON_KINDS kind. A "reused id" line repeats the message_id of
    a valid line a second later: it must come after that line in the stream."""
    made: dict[str, list[bytes]] = {kind: [] for kind in POISON_KINDS}
    with_quantity = [line for line in valid if b'"quantity":' in line]
    for n in range(per_kind):
        made["deep NUL"].append(FEEDBACK % (b"poison-nul-%d" % n, b'{"rating":"great","x":' + nested(1000 + n, b'"\\u0000"') + b"}"))
        made["deep invalid"].append(b'{"message_id":"poison-deep-%d","type":"order.teleported","data":' % n
                                    + nested(400 + n, b'{"a":"\\u0000"}', b'{"k":', b"}") + b"}")
        made["huge line"].append(FEEDBACK % (b"poison-huge-%d" % n, b'{"rating":"' + "\u3042".encode() * 300_000 + b'"}'))
        made["bad UTF-8"].append(FEEDBACK % (b"poison-utf8-%d" % n, b'{"rating":"gr\xff\xfeat"}'))
        document = orjson.loads(rng.choice(with_quantity))
        document["message_id"] = f"poison-number-{n}"
        document["data"]["quantity"] = -424242
        made["huge number"].append(orjson.dumps(document).replace(b"-424242", b"%d" % (2**80 + n)))
        made["NUL id"].append(FEEDBACK % (b"poison\\u0000id-%d" % n, b'{"rating":"great"}'))
        original = orjson.loads(rng.choice(valid))
        later = datetime.fromisoformat(original["occurred_at"]) + timedelta(seconds=1)
        made["reused id"].append(orjson.dumps({**original, "occurred_at": later.isoformat()}))
    return made
