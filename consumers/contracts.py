"""The upstream message contract (SPEC §4): the envelope, and one pydantic data model per message
type (consumers/routes.py pairs each type with its model and its command).

Parsing has three results, never confused: a valid Message, or InvalidMessage with a reason that
names the field. Rules (rejections) and duplicates are decided later, by the application.
Unknown fields are ignored; values a rejection code covers (seller-cancel reason, an empty
tracking number, the actor) stay valid here and are judged by the rules.
"""

import hashlib
import re
from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Annotated, Any, Literal

import orjson
from pydantic import (
    AfterValidator, BaseModel, ConfigDict, Field, PlainValidator, ValidationError, WithJsonSchema, model_validator,
)

from domain.bounds import EARLIEST, LATEST
from messaging.json_shape import deeper_than

# SPEC §4 Bounds
MAX_YEN = 10**12
MAX_QUANTITY = 10**6
MAX_TEXT = 4000
MAX_ID = 64
MAX_LINE = 1 << 20  # bytes (1 MB): a longer line is invalid without being parsed
MAX_LIST = 1000  # order numbers of one cart, attachments of one return
MAX_DEPTH = 16  # nesting of objects and lists: a message needs 4; checked before anything walks it
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _moment(value: Any) -> datetime:
    """An ISO 8601 string with an offset, between 2000-01-01 and 2100-01-01 (never a number)."""
    if not isinstance(value, str):
        raise ValueError("a time is an ISO 8601 string with an offset")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{_short(value)} is not an ISO 8601 time") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a time needs its UTC offset")
    if not 2000 <= moment.year <= 2100 or not EARLIEST <= moment.astimezone(timezone.utc) < LATEST:
        raise ValueError("a time lies between 2000-01-01 and 2100-01-01")
    return moment


def _day(value: Any) -> date:
    """A date YYYY-MM-DD between 2000-01-01 and 2100-01-01 (a timestamp there is invalid)."""
    if not isinstance(value, str) or not DAY.fullmatch(value):
        raise ValueError("a date is a string YYYY-MM-DD")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a calendar date") from None
    if not EARLIEST.date() <= day < LATEST.date():
        raise ValueError("a date lies between 2000-01-01 and 2100-01-01")
    return day


def _id(value: str) -> str:
    if value != value.strip():
        raise ValueError("an id has no surrounding spaces")
    return value


def _optional(limit: int, *checks: Callable[[str], str]) -> Callable[[Any], str]:
    """A string that may be left out or null (then ""), of at most `limit` characters."""

    def validate(value: Any) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise ValueError("Input should be a valid string")
        if len(value) > limit:
            raise ValueError(f"String should have at most {limit} characters")
        for check in checks:
            check(value)
        return value

    return validate


def _short(value: str, limit: int = 60) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")


# What `orderclaims contract` publishes of each (consumers/contract_document.py): a producer whose
# messages validate against the schema is never dead-lettered by these types; the schema may be
# stricter than the parser where JSON Schema is coarser (a time is written in ISO 8601's extended form).
NO_NUL = r"^[^\u0000]*$"
ID_PATTERN = r"^[^\s\u0000]([^\u0000]*[^\s\u0000])?$"  # no surrounding spaces, no NUL
MOMENT_SCHEMA = {"type": "string", "format": "date-time", "description": "ISO 8601 with its UTC offset, "
                 "from 2000-01-01 to before 2100-01-01",
                 "pattern": r"^20\d\d-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,6})?)?(Z|[+-]\d\d:\d\d)$"}
DAY_SCHEMA = {"type": "string", "format": "date", "pattern": r"^20\d\d-\d\d-\d\d$",
              "description": "YYYY-MM-DD, from 2000-01-01 to 2099-12-31"}


def _optional_schema(limit: int, pattern: str) -> dict:
    return {"anyOf": [{"type": "string", "maxLength": limit, "pattern": pattern}, {"type": "null"}],
            "description": "may be left out or null (= \"\")"}


Moment = Annotated[datetime, PlainValidator(_moment), WithJsonSchema(MOMENT_SCHEMA)]
Day = Annotated[date, PlainValidator(_day), WithJsonSchema(DAY_SCHEMA)]
Text = Annotated[str, Field(max_length=MAX_TEXT, json_schema_extra={"pattern": NO_NUL})]  # the NUL: checked by read()
OptionalText = Annotated[str, PlainValidator(_optional(MAX_TEXT)), WithJsonSchema(_optional_schema(MAX_TEXT, NO_NUL))]
Id = Annotated[str, Field(min_length=1, max_length=MAX_ID, json_schema_extra={"pattern": ID_PATTERN}), AfterValidator(_id)]
OptionalId = Annotated[str, PlainValidator(_optional(MAX_ID, _id)),  # "" or null where a message needs none
                       WithJsonSchema(_optional_schema(MAX_ID, r"^$|" + ID_PATTERN))]
Yen = Annotated[int, Field(ge=0, le=MAX_YEN)]
Amount = Annotated[int, Field(ge=-MAX_YEN, le=MAX_YEN)]  # 0 or less is valid here: the rules reject it
Actor = Literal["buyer", "seller", "marketplace", "system", "carrier", "payment"]
Level = Literal["power", "excellent", "general"]


class Data(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class NoData(Data):
    pass


class NoteData(Data):
    note: OptionalText = ""


class SellerData(Data):
    seller_id: Id
    level: Level


class BuyerData(Data):
    id: Id
    name: Text
    phone: Text
    address: Text


class ItemData(Data):
    item_no: Id
    name: Text
    option: OptionalText = ""


class RecipientData(Data):
    name: Text
    phone: Text
    address: Text


class OrderPlacedData(Data):
    cart_no: Id
    seller_id: Id
    buyer: BuyerData
    item: ItemData
    quantity: Annotated[int, Field(ge=1, le=MAX_QUANTITY)]
    unit_price: Yen
    shipping_fee: Yen
    payment_method: Literal["cash", "card", "qcash"]
    item_kind: Literal["general", "reservation", "made_to_order"]
    region: Literal["local", "overseas"]
    promised_ship_date: Day


class OrderPreparedData(Data):
    promised_ship_date: Day | None = None


class OrderShippedData(Data):
    carrier: Text
    tracking_no: OptionalText = ""
    trackable: bool


class OrderDeliveredData(Data):
    by: Literal["tracking", "buyer", "auto"]


class ReasonData(Data):
    reason: Text


class CancelRefusedData(Data):
    reason: Text
    note: OptionalText = ""


class ReturnRequestedData(Data):
    reason: Text
    responsibility: Literal["buyer", "seller"]
    attachments: Annotated[list[Text], Field(max_length=MAX_LIST)] = []


class AmountData(Data):
    amount: Amount


class ExchangeAcceptedData(Data):
    memo: OptionalText = ""


class ExchangeReshippedData(Data):
    carrier: Text
    tracking_no: OptionalText = ""  # left out, null or blank: the rules answer tracking_required
    cost_bearer: Literal["buyer", "seller"]
    reship_date: Day
    recipient: RecipientData


class NonReceiptReportedData(Data):
    note: OptionalText = ""


class NonReceiptAnsweredData(Data):
    model_config = ConfigDict(json_schema_extra={"if": {"properties": {"action": {"const": "wait"}}},
                                                 "then": {"required": ["until"], "properties": {"until": {"not": {"type": "null"}}}}})

    action: Literal["wait", "reship"]
    until: Day | None = None
    carrier: OptionalText = ""
    tracking_no: OptionalText = ""
    message: OptionalText = ""

    @model_validator(mode="after")
    def _wait_needs_a_date(self) -> "NonReceiptAnsweredData":
        if self.action == "wait" and self.until is None:
            raise ValueError("until: required when action is wait")
        return self


class PartialRefundRequestedData(Data):
    model_config = ConfigDict(json_schema_extra={"allOf": [
        {"if": {"properties": {"category": {"const": field}}},
         "then": {"required": [needed], "properties": {needed: {"not": {"type": "null"}}}}}
        for field, needed in (("quantity_error", "quantity"), ("price_or_shipping", "amount"))]})

    category: Literal["quantity_error", "price_or_shipping"]
    quantity: Annotated[int, Field(ge=-MAX_QUANTITY, le=MAX_QUANTITY)] | None = None
    amount: Amount | None = None

    @model_validator(mode="after")
    def _needs_its_figure(self) -> "PartialRefundRequestedData":
        if self.category == "quantity_error" and self.quantity is None:
            raise ValueError("quantity: required for a quantity_error")
        if self.category == "price_or_shipping" and self.amount is None:
            raise ValueError("amount: required for price_or_shipping")
        return self


class MessageSentData(Data):
    cart_no: OptionalId = ""
    order_nos: Annotated[list[Id], Field(max_length=MAX_LIST)] = []
    text: OptionalText = ""


class FeedbackGivenData(Data):
    rating: Literal["great", "good", "bad"]


class InquiryPostedData(Data):
    inquiry_no: Id
    seller_id: Id
    item_no: Id
    buyer_id: Id
    title: Text
    text: Text


class InquiryAnsweredData(Data):
    inquiry_no: Id
    item_no: Id
    text: Text


class InquiryHiddenData(Data):
    inquiry_no: Id
    item_no: Id
    title: Text
    reason: Text
    restrict_asker: bool = False


class Envelope(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    message_id: Id
    type: Annotated[str, Field(max_length=MAX_ID)]
    order_no: OptionalId = ""
    occurred_at: Moment
    actor: Actor
    data: dict[str, Any] = {}


class Message(BaseModel):
    """A valid upstream message: the envelope and its typed data."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    envelope: Envelope
    data: Data
    fingerprint: str = ""  # of the content a repeat of its message_id is compared by (SPEC §4)

    @property
    def message_id(self) -> str:
        return self.envelope.message_id

    @property
    def type(self) -> str:
        return self.envelope.type


class InvalidMessage(ValueError):
    """The message cannot be used; `reason` names the field."""

    def __init__(self, reason: str, message_id: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.message_id = message_id


def _reason(error: ValidationError, prefix: str = "") -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    text = first["msg"].removeprefix("Value error, ")
    if first["type"] == "value_error" and not where:  # a model validator names its own field
        return prefix + text
    return f"{prefix}{where}: {text}"


BOM = b"\xef\xbb\xbf"


def _nul_in(document: Any) -> str | None:
    """The path of the first string (or key) holding a NUL character, or None (a bounded document)."""
    stack: list[tuple[Any, str]] = [(document, "")]
    while stack:  # depth first, in the document's order
        value, path = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return path
            continue
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        children = []
        for key, item in items:
            if isinstance(key, str) and "\x00" in key:
                return path
            children.append((item, f"{path}.{key}" if path else str(key)))
        stack.extend(reversed(children))
    return None


def _printable_id(message_id: str | None) -> str | None:
    return None if message_id is None or "\x00" in message_id or len(message_id) > MAX_ID else message_id


def read(raw: bytes | str, model_of: Callable[[str], type[Data] | None], needs_order: Callable[[str], bool]) -> Message:
    """Parse one upstream message with the data model of its type (None: an unknown type);
    raise InvalidMessage with a reason naming the field — and only that, whatever the bytes."""
    try:
        return _read(raw, model_of, needs_order)
    except InvalidMessage:
        raise
    except Exception as error:  # a defect of the contract check must not stop a partition: this message is unusable
        raise InvalidMessage(f"message: cannot be read ({type(error).__name__})") from None


def _read(raw: bytes | str, model_of: Callable[[str], type[Data] | None], needs_order: Callable[[str], bool]) -> Message:
    if len(raw) > MAX_LINE:
        raise InvalidMessage(f"line: {len(raw):,} bytes, more than {MAX_LINE:,}: not parsed")
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    raw = raw.removeprefix(BOM)
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise InvalidMessage(f"not valid JSON: {error}") from None
    if not isinstance(document, dict):
        raise InvalidMessage("not a JSON object")
    message_id = _printable_id(document.get("message_id") if isinstance(document.get("message_id"), str) else None)
    if deeper_than(document, MAX_DEPTH):
        raise InvalidMessage(f"message: objects and lists nest deeper than {MAX_DEPTH} levels", message_id)
    if b"\\u0000" in raw:  # the escape of a NUL character (a raw one is not valid JSON)
        where = _nul_in(document)
        if where is not None:
            raise InvalidMessage(f"{where or 'a key'}: contains a NUL character", _printable_id(message_id))
    try:
        envelope = Envelope.model_validate(document)
    except ValidationError as error:
        raise InvalidMessage(_reason(error), message_id) from None
    model = model_of(envelope.type)
    if model is None:
        raise InvalidMessage(f"type: unknown message type {envelope.type!r}", message_id)
    if not envelope.order_no and needs_order(envelope.type):
        raise InvalidMessage("order_no: required for this message type", message_id)
    try:
        data = model.model_validate(envelope.data)
    except ValidationError as error:
        raise InvalidMessage(_reason(error, "data."), message_id) from None
    if envelope.type == "message.sent" and not (envelope.order_no or data.cart_no or data.order_nos):
        raise InvalidMessage("data.cart_no: a message needs a cart_no, order_nos or order_no", message_id)
    return Message.model_construct(envelope=envelope, data=data, fingerprint=fingerprint(document))  # validated above


def fingerprint(document: dict) -> str:
    """The content of a message as JSON values — `type`, `order_no` ("" or null alike), `occurred_at`,
    `actor`, `data` — hashed: a repeated message_id with another fingerprint is a duplicate_conflict."""
    content = [document.get("type"), document.get("order_no") or "", document.get("occurred_at"), document.get("actor"),
               document.get("data") or {}]
    return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()[:32]
