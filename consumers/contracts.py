"""The upstream message contract (SPEC §4): the envelope, and one pydantic data model per message
type (consumers/routes.py pairs each type with its model and its command).

Parsing has three results, never confused: a valid Message, or InvalidMessage with a reason that
names the field. Rules (rejections) and duplicates are decided later, by the application.
Unknown fields are ignored; values a rejection code covers (seller-cancel reason, an empty
tracking number, the actor) stay valid here and are judged by the rules.
"""

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

import orjson
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator

Actor = Literal["buyer", "seller", "marketplace", "system", "carrier", "payment"]
Level = Literal["power", "excellent", "general"]
Text = Annotated[str, Field(max_length=4000)]
Yen = Annotated[int, Field(ge=0)]
LaxDate = Annotated[date, Field(strict=False)]


class Data(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class NoData(Data):
    pass


class NoteData(Data):
    note: Text = ""


class SellerData(Data):
    seller_id: Annotated[str, Field(min_length=1)]
    level: Level


class BuyerData(Data):
    id: str
    name: Text
    phone: Text
    address: Text


class ItemData(Data):
    item_no: Annotated[str, Field(min_length=1)]
    name: Text
    option: Text = ""


class RecipientData(Data):
    name: Text
    phone: Text
    address: Text


class OrderPlacedData(Data):
    cart_no: Annotated[str, Field(min_length=1)]
    seller_id: Annotated[str, Field(min_length=1)]
    buyer: BuyerData
    item: ItemData
    quantity: Annotated[int, Field(ge=1)]
    unit_price: Yen
    shipping_fee: Yen
    payment_method: Literal["cash", "card", "qcash"]
    item_kind: Literal["general", "reservation", "made_to_order"]
    region: Literal["local", "overseas"]
    promised_ship_date: LaxDate


class OrderPreparedData(Data):
    promised_ship_date: LaxDate | None = None


class OrderShippedData(Data):
    carrier: Text
    tracking_no: Text = ""
    trackable: bool


class OrderDeliveredData(Data):
    by: Literal["tracking", "buyer", "auto"]


class ReasonData(Data):
    reason: Text


class CancelRefusedData(Data):
    reason: Text
    note: Text = ""


class ReturnRequestedData(Data):
    reason: Text
    responsibility: Literal["buyer", "seller"]
    attachments: list[Text] = []


class AmountData(Data):
    amount: int


class ExchangeAcceptedData(Data):
    memo: Text


class ExchangeReshippedData(Data):
    carrier: Text
    tracking_no: Text = ""
    cost_bearer: Literal["buyer", "seller"]
    reship_date: LaxDate
    recipient: RecipientData


class NonReceiptReportedData(Data):
    note: Text = ""


class NonReceiptAnsweredData(Data):
    action: Literal["wait", "reship"]
    until: LaxDate | None = None
    carrier: Text = ""
    tracking_no: Text = ""
    message: Text = ""

    @model_validator(mode="after")
    def _wait_needs_a_date(self) -> "NonReceiptAnsweredData":
        if self.action == "wait" and self.until is None:
            raise ValueError("until: required when action is wait")
        return self


class PartialRefundRequestedData(Data):
    category: Literal["quantity_error", "price_or_shipping"]
    quantity: int | None = None
    amount: int | None = None

    @model_validator(mode="after")
    def _needs_its_figure(self) -> "PartialRefundRequestedData":
        if self.category == "quantity_error" and self.quantity is None:
            raise ValueError("quantity: required for a quantity_error")
        if self.category == "price_or_shipping" and self.amount is None:
            raise ValueError("amount: required for price_or_shipping")
        return self


class MessageSentData(Data):
    cart_no: str = ""
    order_nos: list[Annotated[str, Field(min_length=1)]] = []
    text: Text


class FeedbackGivenData(Data):
    rating: Literal["great", "good", "bad"]


class Envelope(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    message_id: Annotated[str, Field(min_length=1)]
    type: str
    order_no: str = ""
    occurred_at: Annotated[AwareDatetime, Field(strict=False)]
    actor: Actor
    data: dict[str, Any] = {}


class Message(BaseModel):
    """A valid upstream message: the envelope and its typed data."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    envelope: Envelope
    data: Data

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
    text = first["msg"]
    if first["type"] == "value_error" and not where:  # a model validator names its own field
        return prefix + text.removeprefix("Value error, ")
    return f"{prefix}{where}: {text}"


def read(raw: bytes | str, model_of: Callable[[str], type[Data] | None], needs_order: Callable[[str], bool]) -> Message:
    """Parse one upstream message with the data model of its type (None: an unknown type);
    raise InvalidMessage with a reason naming the field."""
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise InvalidMessage(f"not valid JSON: {error}") from None
    if not isinstance(document, dict):
        raise InvalidMessage("not a JSON object")
    message_id = document.get("message_id") if isinstance(document.get("message_id"), str) else None
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
    return Message.model_construct(envelope=envelope, data=data)  # both parts validated above
