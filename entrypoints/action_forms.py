"""The order page's forms for a seller's actions: the fields each SPEC §4 seller message needs, and
the form's values made into the message's `data` (the contract then judges them, as any message's:
a wrong value is answered with the field it names). Labels: entrypoints/presentation/words.py."""

from domain.rules.cancel import SELLER_CANCEL_REASONS

# The reasons a seller gives for refusing a cancel (codes of words.REASON; free text is allowed too).
REFUSAL_REASONS = ("already_packed", "already_shipped", "made_to_order")

# message type -> its form's fields: (name, input kind). Kinds: text, textarea, date, number, choice
# lists by name (seller_reason, refusal_reason, cost_bearer, answer_action, category), check (a box).
ACTION_FORMS: dict[str, tuple[tuple[str, str], ...]] = {
    "order.prepared": (("promised_ship_date", "date?"),),
    "order.shipped": (("carrier", "text"), ("tracking_no", "text"), ("trackable", "check")),
    "cancel.approved": (),
    "cancel.refused": (("reason", "refusal_reason"), ("note", "textarea")),
    "cancel.seller_initiated": (("reason", "seller_reason"),),
    "return.approved": (("note", "textarea"),),
    "return.held": (("note", "textarea"),),
    "return.resumed": (("note", "textarea"),),
    "return.collected": (("note", "textarea"),),
    "return_charge.requested": (("amount", "number"),),
    "return_charge.cancelled": (),
    "exchange.accepted": (("memo", "textarea"),),
    "exchange.reshipped": (("carrier", "text"), ("tracking_no", "text"), ("cost_bearer", "cost_bearer"),
                           ("reship_date", "date"), ("recipient.name", "text"), ("recipient.phone", "text"),
                           ("recipient.address", "text")),
    "exchange.converted_to_return": (),
    "non_receipt.answered": (("action", "answer_action"), ("until", "date?"), ("carrier", "text?"),
                             ("tracking_no", "text?"), ("message", "textarea")),
    "claim.refunded_in_full": (),
    "partial_refund.requested": (("category", "category"), ("quantity", "number?"), ("amount", "number?")),
    "partial_refund.cancelled": (),
    "message.sent": (("text", "textarea"),),
    "inquiry.answered": (("text", "textarea"),),
    "inquiry.hidden": (("title", "text"), ("reason", "textarea"), ("restrict_asker", "check?")),
}

# A to-do row's next step (domain/todo.py Action) -> the action its button opens on the order page.
STEP_ACTION = {
    "approve_or_refuse_cancel": "cancel.approved",
    "ship_refused_cancel": "order.shipped",
    "approve_return": "return.approved",
    "confirm_collection": "return.collected",
    "accept_exchange": "exchange.accepted",
    "reship_exchange": "exchange.reshipped",
    "answer_non_receipt": "non_receipt.answered",
    "ask_buyer_to_withdraw": "message.sent",
    "ask_marketplace_to_withdraw": "message.sent",
}

# What cannot be undone asks for a confirmation first (SPEC §8; issue 20 item 5).
CONFIRM_FIRST = frozenset({"cancel.refused", "claim.refunded_in_full", "cancel.seller_initiated", "inquiry.hidden"})

__all__ = ["ACTION_FORMS", "CONFIRM_FIRST", "STEP_ACTION", "REFUSAL_REASONS", "SELLER_CANCEL_REASONS", "form_data"]


def form_data(message_type: str, fields: dict[str, str]) -> dict:
    """The §4 `data` of a submitted form: numbers as integers (a non-number stays text, which the
    contract names), a box as true/false, an optional field left empty left out."""
    data: dict = {}
    for name, kind in ACTION_FORMS.get(message_type, ()):
        value = fields.get(name, "").strip()
        if kind.startswith("check"):
            data[name] = value in ("yes", "on", "true")
            continue
        if value == "" and (kind.endswith("?") or kind in ("textarea", "number?")):
            continue
        if kind.startswith("number"):
            value = int(value) if value.lstrip("-").isdigit() else value
        if "." in name:
            outer, inner = name.split(".", 1)
            data.setdefault(outer, {})[inner] = value
        else:
            data[name] = value
    return data
