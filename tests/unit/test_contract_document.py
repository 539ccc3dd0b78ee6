"""The AsyncAPI document (`orderclaims contract`) is generated from the contract models, so what it
says holds for what the service parses: every message the simulator sends validates against it,
and every message the parser dead-letters is refused by the schema at the same field."""

import copy
from functools import cache

import orjson
import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from consumers.contract_document import contract_document
from consumers.contracts import InvalidMessage
from consumers.routes import ROUTES, parse
from producers.simulator import simulate
from tests.unit.messages import message, placed

# Messages the simulator never sends, so that every type has a sample.
HANDMADE = [
    message("seller.registered", "", "marketplace", seller_id="S9", level="power"),
    message("non_receipt.answered", actor="seller", action="wait", until="2026-11-20", message="wait please"),
    message("partial_refund.requested", actor="seller", category="quantity_error", quantity=1),
    message("partial_refund.requested", actor="seller", category="price_or_shipping", amount=300),
    message("partial_refund.cancelled", actor="seller"),
    message("message.sent", "", "seller", cart_no="C1", text="hello"),
    message("message.sent", "", "seller", order_nos=["100001", "100002"]),
    message("inquiry.posted", "", inquiry_no="Q1", seller_id="S1", item_no="I1", buyer_id="B1", title="t", text="x"),
    message("inquiry.answered", "", "seller", inquiry_no="Q1", item_no="I1", text="y"),
    message("inquiry.hidden", "", "seller", inquiry_no="Q1", item_no="I1", title="t", reason="phone", restrict_asker=True),
    message("exchange.reshipped", actor="seller", carrier="yamato", tracking_no="T1", cost_bearer="seller",
            reship_date="2026-11-05", recipient={"name": "n", "phone": "p", "address": "a"}),
    placed(),
]


@cache
def document() -> dict:
    return contract_document()


def validator(message_type: str) -> Draft202012Validator:
    payload = document()["components"]["messages"][message_type]["payload"]
    return Draft202012Validator({**payload, "components": document()["components"]},
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


@cache
def samples() -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for sent in [*simulate(orders=400, seed=7), *HANDMADE]:
        sent = {k: v for k, v in sent.items() if k != "cart_no"}  # the simulator's Kafka key, not a field
        found.setdefault(sent["type"], []).append(sent)
    return found


def test_the_document_is_asyncapi_3_with_one_message_per_upstream_type_on_the_upstream_channel():
    d = document()
    assert d["asyncapi"] == "3.0.0"
    assert d["channels"]["upstream"]["address"] == "orderclaims.upstream"
    assert set(d["components"]["messages"]) == set(ROUTES)
    assert set(d["channels"]["upstream"]["messages"]) == set(ROUTES)
    for schema in d["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_every_message_type_has_a_sample_here():
    assert set(samples()) == set(ROUTES)


@pytest.mark.parametrize("message_type", sorted(ROUTES))
def test_every_sample_the_service_accepts_validates_against_its_schema(message_type):
    for sent in samples()[message_type]:
        parse(orjson.dumps(sent))
        errors = [e.message for e in validator(message_type).iter_errors(sent)]
        assert errors == [], (sent, errors)


def _paths(value, path=()):
    """Every field of a message, as a path of keys."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key)
            yield from _paths(item, (*path, key))


def _mutations(sent: dict):
    """The message with one field removed, nulled or given a value of another JSON type."""
    for path in _paths(sent):
        for kind, value in (("removed", None), ("null", None), ("number", 7), ("text", "x"), ("list", []),
                            ("object", {}), ("blank", " ")):
            mutated = copy.deepcopy(sent)
            parent = mutated
            for key in path[:-1]:
                parent = parent[key]
            if kind == "removed":
                del parent[path[-1]]
            else:
                parent[path[-1]] = value
            yield ".".join(path), kind, mutated


def _schema_fields(errors: list[ValidationError]) -> set[str]:
    fields = set()
    for error in errors:
        for e in [error, *(error.context or [])]:
            path = [str(p) for p in e.absolute_path]
            if e.validator == "required":
                path.append(e.message.split("'")[1])
            fields.add(".".join(path))
    return fields


@pytest.mark.parametrize("message_type", sorted(ROUTES))
def test_what_the_parser_dead_letters_the_schema_refuses_at_the_field_the_reason_names(message_type):
    checked = 0
    for sent in samples()[message_type][:3]:
        for field, kind, mutated in _mutations(sent):
            try:
                parse(orjson.dumps(mutated))
                continue  # still valid for the service (the schema may be stricter)
            except InvalidMessage as invalid:
                named = invalid.reason.split(":")[0]
            errors = list(validator(message_type).iter_errors(mutated))
            assert errors, f"{field} {kind}: dead-lettered ({invalid.reason}) but the schema accepts it"
            fields = _schema_fields(errors)
            assert any(named == f or named.startswith(f + ".") or f.startswith(named + ".") for f in fields), (
                f"{field} {kind}: the reason names {named!r}, the schema {sorted(fields)}")
            checked += 1
    assert checked > 0
