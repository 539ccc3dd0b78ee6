"""The upstream contract as an artefact (SPEC §4, §8 `orderclaims contract`): an AsyncAPI 3 document
whose JSON Schemas are generated from the pydantic contract models the service parses with
(consumers/contracts.py, one per route in consumers/routes.py), so the document cannot drift from
what the service accepts. A message that validates against its schema is never dead-lettered; the
rules may still reject it (SPEC §4's codes are decided by the state of the order, not the shape)."""

from typing import Any

from pydantic.json_schema import models_json_schema

from consumers import contracts as c
from consumers.routes import ROUTES

ASYNCAPI_VERSION = "3.0.0"
REF = "#/components/schemas/{model}"
KEYS = {"seller": "the seller's `seller_id`", "inquiry": "the item's `item_no`"}


def contract_document(prefix: str = "orderclaims") -> dict[str, Any]:
    """The AsyncAPI 3 document of the upstream topic: one message per type, its payload's schema."""
    schemas = _data_schemas()
    messages = {message_type: _message(message_type, route.model, route.needs_order)
                for message_type, route in sorted(ROUTES.items())}
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "orderclaims upstream messages",
            "version": "1",
            "description": "What upstream order systems publish for orderclaims (SPEC §4). One JSON object per "
                           "message. A message that does not validate is dead-lettered on "
                           f"`{prefix}.upstream.dlq` with a reason naming the field; unknown fields are ignored. "
                           "Integers are written without a fraction or exponent. A repeated `message_id` is a "
                           "duplicate (or `duplicate_conflict` when its content differs).",
        },
        "defaultContentType": "application/json",
        "channels": {
            "upstream": {
                "address": f"{prefix}.upstream",
                "description": "Keyed by the order's cart number; seller messages by seller_id, inquiries by item_no.",
                "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in messages},
            },
        },
        "operations": {
            "receiveUpstream": {
                "action": "receive",
                "channel": {"$ref": "#/channels/upstream"},
                "messages": [{"$ref": f"#/channels/upstream/messages/{name}"} for name in messages],
            },
        },
        "components": {"messages": messages, "schemas": schemas},
    }


def _data_schemas() -> dict[str, Any]:
    models = {route.model for route in ROUTES.values()}
    _, top = models_json_schema([(model, "validation") for model in sorted(models, key=lambda m: m.__name__)],
                                ref_template=REF)
    return dict(sorted(top.get("$defs", {}).items()))


def _message(message_type: str, model: type[c.Data], needs_order: bool) -> dict[str, Any]:
    envelope = c.Envelope.model_json_schema(ref_template=REF)
    properties = dict(envelope["properties"])
    properties["type"] = {"const": message_type}
    properties["data"] = {"$ref": REF.format(model=model.__name__)}
    required = list(envelope["required"])
    if needs_order:
        properties["order_no"] = {**properties["message_id"], "title": "Order No"}
        required.append("order_no")
    if model.model_json_schema().get("required"):
        required.append("data")
    payload: dict[str, Any] = {"type": "object", "properties": properties, "required": required}
    if message_type == "message.sent":  # a message names its orders one way or another
        payload["anyOf"] = [
            {"required": ["order_no"], "properties": {"order_no": {"type": "string", "minLength": 1}}},
            {"required": ["data"], "properties": {"data": {"required": ["cart_no"],
                                                           "properties": {"cart_no": {"type": "string", "minLength": 1}}}}},
            {"required": ["data"], "properties": {"data": {"required": ["order_nos"],
                                                           "properties": {"order_nos": {"minItems": 1}}}}},
        ]
    family = message_type.split(".")[0]
    return {
        "name": message_type,
        "title": message_type,
        "payload": payload,
        "bindings": {"kafka": {"key": {"type": "string", "description": KEYS.get(family, "the order's `cart_no`")},
                               "bindingVersion": "0.5.0"}},
    }
