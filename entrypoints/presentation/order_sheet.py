"""The order page as the seeds' 取引情報 [claims §1-2]: the order, its buyer (masked unless the reader
may see more), its item, its money (paid, refunded, charges, where each refund went), the open claim
with its due time, and the history as a timeline a person reads (what happened, who, when, what
changed). Built from the history document of `orderclaims history --json` and the to-do step of the
order, which it never changes: every value leaves here as text."""

from dataclasses import dataclass, field

from domain.claims import CLOSED, EXCHANGE
from entrypoints.presentation import formats, words
from entrypoints.presentation.labels import claim_status, label

# event data field -> the label kind of its value
LABELLED = {
    "reason": "reason", "responsibility": "responsibility", "cost_bearer": "cost_bearer",
    "payment_method": "payment_method", "item_kind": "item_kind", "region": "region", "by": "delivered_by",
    "outcome": "outcome", "kind": "refund_kind", "category": "category", "rating": "rating",
    "answer.action": "answer_action", "origin.via": "via",
}
MONEY = {"refund", "amount", "unit_price", "shipping_fee"}
DATES = {"promised_ship_date", "reship_date", "answer.until"}
SAID_BY_THE_EVENT = {"claim_type"}  # the event's own label and the status say the claim's type
YES_NO = {True: "はい", False: "いいえ"}


@dataclass
class Entry:
    """One event of the timeline."""

    title: str
    key: str
    who: str
    actor: str
    when: str
    changes: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Sheet:
    order_no: str
    order: list[tuple[str, str]]
    buyer: list[tuple[str, str]]
    item: list[tuple[str, str]]
    money: list[tuple[str, str]]
    refunds: list[dict]
    charges: list[dict]
    claim: list[tuple[str, str]] | None
    timeline: list[Entry]


def order_sheet(document: dict, step: dict | None = None) -> Sheet | None:
    """The page's sections from the history document (None before the order was placed)."""
    state, events = document.get("state"), document["events"]
    if state is None or not events:
        return None
    placed = events[0]["data"]
    by_name = {}
    for e in events:
        by_name.setdefault(e["event"], e)
    return Sheet(
        order_no=document["order_no"],
        order=_order(state, placed, events[0], by_name),
        buyer=_rows(placed.get("buyer") or {}, "buyer"),
        item=_rows(placed.get("item") or {}, "item") + [
            (words.FIELD[k], text) for k in ("quantity", "unit_price", "shipping_fee", "item_kind", "region")
            if (text := value_text(k, placed.get(k), placed))],
        money=_money(state, placed),
        refunds=[{"kind": label("refund_kind", r["kind"]), "kind_key": str(r["kind"]), "amount": formats.yen(r["amount"]),
                  "to": label("refund_to", r["to"]), "to_key": str(r["to"]), "owed_at": formats.tokyo_time(r["owed_at"]),
                  "paid_at": formats.tokyo_time(r["paid_at"])} for r in state["refunds"]],
        charges=_charges(events),
        claim=_claim(state, step),
        timeline=[_entry(e) for e in events],
    )


def _order(state: dict, placed: dict, first: dict, by_name: dict) -> list[tuple[str, str]]:
    shipped, delivered = by_name.get("Shipped"), by_name.get("Delivered")
    condition = label("delivery", state["delivery"])
    if state.get("outcome"):
        condition += f"({label('outcome', state['outcome'])})"
    rows = [
        ("注文番号", state["order_no"]),
        ("カート番号", state["cart_no"]),
        ("販売者ID", state["seller_id"]),
        ("注文日", formats.tokyo_time(first["at"])),
        ("配送状態", condition),
        ("発送予定日", formats.day(placed.get("promised_ship_date"))),
    ]
    if shipped:
        rows += [("商品発送日", formats.tokyo_time(shipped["at"])),
                 ("配送会社", shipped["data"].get("carrier", "")), ("送り状番号", shipped["data"].get("tracking_no", ""))]
    if delivered:
        rows += [("配送完了日", f"{formats.tokyo_time(delivered['at'])}"
                              f"({label('delivered_by', delivered['data'].get('by'))})")]
    return [(k, v) for k, v in rows if v]


def _money(state: dict, placed: dict) -> list[tuple[str, str]]:
    return [
        ("注文金額の合計 / 決済手段", f"{formats.yen(state['paid'])} / {label('payment_method', placed.get('payment_method'))}"),
        ("返金額(決定済み)", formats.yen(state["refunded"])),
        ("返品追加金(支払済み)", formats.yen(state["return_charges_paid"])),
        ("精算対象額", formats.yen(state["paid"] - state["refunded"] + state["return_charges_paid"])),
    ]


CHARGE_EVENTS = {"ReturnChargeRequested": "requested", "ReturnChargePaid": "paid",
                 "ReturnChargeDeclined": "declined", "ReturnChargeCancelled": "cancelled"}


def _charges(events: list[dict]) -> list[dict]:
    """Each return extra charge with where it stands (one open at a time, SPEC §9)."""
    charges: list[dict] = []
    for e in events:
        status = CHARGE_EVENTS.get(e["event"])
        if status == "requested":
            charges.append({"amount": formats.yen(e["data"]["amount"]), "requested_at": formats.tokyo_time(e["at"])})
        if status and charges:
            charges[-1].update(status=label("charge_status", status), status_key=status,
                               since=formats.tokyo_time(e["at"]))
    return charges


def _claim(state: dict, step: dict | None) -> list[tuple[str, str]] | None:
    claim = state.get("claim")
    if not claim or (claim["status"] in CLOSED and not step):  # a refused cancel still asks the same-day shipping
        return None
    rows = [("クレーム", label("claim_type", claim["type"])),
            ("処理状態", claim_status(claim["type"], claim["status"])),
            ("要請日", formats.tokyo_time(claim["filed_at"]))]
    if step:
        due = formats.tokyo_time(step["due"]) or "期限なし"
        rows += [("次の対応", label("step", step["action"])),
                 ("期限", due + (" 期限切れ" if step["overdue"] else ""))]
    return rows


def _entry(event: dict) -> Entry:
    return Entry(title=label("event", event["event"]), key=event["event"], who=label("actor", event["actor"]),
                 actor=event["actor"], when=formats.tokyo_time(event["at"]), changes=changes(event["data"]))


def changes(data: dict) -> list[tuple[str, str]]:
    """What an event says, field by field, as (label, text); nested values by their path."""
    return [(words.FIELD.get(path, path), text) for path, value in _flat(data)
            if path not in SAID_BY_THE_EVENT and (text := value_text(path, value, data))]


def _rows(values: dict, prefix: str) -> list[tuple[str, str]]:
    return [(words.FIELD.get(path, path), text) for path, value in _flat(values, prefix)
            if (text := value_text(path, value, values))]


def _flat(data: dict, prefix: str = ""):
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            yield from _flat(value, path)
        else:
            yield path, value


def value_text(path: str, value: object, data: dict) -> str:
    """One value as a person reads it ("" for nothing to say)."""
    if value is None or value == "" or value == [] or (path == "refund" and value == 0):
        return ""  # nothing said (a claim filed with no refund decided yet carries refund 0)
    if path == "status":
        return claim_status(str(data.get("claim_type") or ""), str(value))
    if path == "exchange_status":
        return claim_status(EXCHANGE, str(value))
    if path in LABELLED:
        return label(LABELLED[path], value)
    if path in MONEY:
        return formats.yen(value)
    if path in DATES:
        return formats.day(value)
    if isinstance(value, bool):
        return YES_NO[value]
    if isinstance(value, int):
        return formats.count(value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)
