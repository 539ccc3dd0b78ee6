"""Where a seller's action came from, on its way through the upstream topic (docs/decisions/0021): the
server writes it in a record header, `run ingest` gives it to the command, so the events and the
Receipt record it as in embedded mode; the message itself stays exactly the SPEC §4 message."""

import orjson

ORIGIN_HEADER = "origin"


def origin_header(origin: dict) -> tuple[str, bytes]:
    return ORIGIN_HEADER, orjson.dumps(origin)


def origin_of(headers: list[tuple[str, bytes]] | None) -> dict | None:
    """The `origin` header of a record, if it is one a server wrote ({"via": "web"|"api", "key_id": str})."""
    for name, value in headers or ():
        if name != ORIGIN_HEADER:
            continue
        try:
            origin = orjson.loads(value)
        except orjson.JSONDecodeError:
            return None
        if (isinstance(origin, dict) and origin.get("via") in ("web", "api") and isinstance(origin.get("key_id"), str)
                and len(origin["key_id"]) <= 64):
            return {"via": origin["via"], "key_id": origin["key_id"]}
    return None
