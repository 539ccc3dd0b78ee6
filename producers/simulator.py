"""A realistic, deterministic upstream stream: what a marketplace's order systems would publish.

Most orders are delivered cleanly; some are cancelled (at once, approved, refused, by the seller),
returned (with holds and extra charges), exchanged, reported as not received, partly refunded;
sellers message buyers and buyers leave feedback. Several sellers of each level, orders spread
over three months up to `end`. The same seed always gives the same stream; every message is valid
per the contract and every command is one the rules accept.
"""

import random
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

from domain.calendar import TOKYO
from producers.simulated_world import (
    CANCEL_REASONS, CARRIERS, CITIES, DEFAULT_END, FAMILY, GIVEN, ITEMS, LEVELS, RETURN_REASONS, SCENARIOS, SPAN,
    Timeline,
)

# The message's fields; `cart_no` is the cart an order or cart message is keyed by upstream (SPEC §4
# Keys: the upstream system knows it), which the contract ignores and `orderclaims publish` keys by.
ENVELOPE = ("message_id", "type", "order_no", "occurred_at", "actor", "data", "cart_no")


class Simulator:
    """Builds the stream for `orders` orders from `seed`."""

    def __init__(self, orders: int, seed: int, end: datetime = DEFAULT_END):
        self.rng = random.Random(seed)
        self.rng_seed = seed
        self.orders = orders
        self.end = end
        self.start = end - SPAN
        self.sellers = [f"S{n:03d}" for n in range(1, max(6, min(60, orders // 250)) + 1)]
        self.levels = {s: LEVELS[i % 3] for i, s in enumerate(self.sellers)}

    def messages(self) -> Iterator[dict]:
        """Every message, by time; a message's id is derived from the seed."""
        timelines = self._seller_timelines() + self._order_timelines() + self._inquiry_timelines()
        merged = sorted(
            (m for t in timelines for m in t.messages if m["occurred_at"] <= self.end),
            key=lambda m: m["occurred_at"],
        )
        for message in merged:
            message["message_id"] = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
            message["occurred_at"] = message["occurred_at"].isoformat(timespec="seconds")
            yield {k: message[k] for k in ENVELOPE if k in message}

    # ---- sellers ------------------------------------------------------------------------

    # ---- inquiries (SPEC §10) -------------------------------------------------------------------

    def _inquiry_timelines(self) -> list[Timeline]:
        """About one inquiry per 200 orders, drawn from a generator of their own (the orders' stream
        stays as it was): some give a phone number, most are answered, and those with a number are
        often hidden, their asker restricted."""
        rng = random.Random(self.rng_seed * 7919 + 1)
        timelines = []
        for n in range(max(1, self.orders // 200)):
            item = rng.randrange(len(ITEMS))
            item_no, seller = f"I{item + 1:05d}", rng.choice(self.sellers)
            t = Timeline(order_no="", at=self.start + timedelta(seconds=rng.uniform(0, SPAN.total_seconds())))
            phone = rng.random() < 0.3
            text = f"{ITEMS[item][0]}の在庫はありますか？" + (
                f"急ぎなので090-{rng.randrange(10**4):04d}-{rng.randrange(10**4):04d}までお電話ください。" if phone else "")
            inquiry = {"inquiry_no": f"Q{n + 1:06d}", "item_no": item_no}
            t.add("inquiry.posted", "buyer", t.at, {**inquiry, "seller_id": seller,
                                                   "buyer_id": f"B{rng.randrange(10**7):07d}",
                                                   "title": "在庫について", "text": text})
            if rng.random() < 0.8:
                t.add("inquiry.answered", "seller", t.after(rng, 1, 30), {**inquiry, "text": "在庫ございます。"})
                if phone and rng.random() < 0.6:
                    t.add("inquiry.hidden", "seller", t.after(rng, 0.5, 5),
                          {**inquiry, "title": "個人情報のため非公開にしました",
                           "reason": "お電話番号が記載されていたため", "restrict_asker": rng.random() < 0.5})
            timelines.append(t)
        return timelines

    def _seller_timelines(self) -> list[Timeline]:
        timeline = Timeline(order_no="", at=self.start - timedelta(days=1))
        late = self.sellers[-1]  # registers a week in: its first orders arrive before it does
        for seller in self.sellers:
            at = self.start + timedelta(days=7) if seller == late else timeline.at
            timeline.add("seller.registered", "marketplace", at, {"seller_id": seller, "level": self.levels[seller]})
        promoted = self.sellers[2]
        timeline.add(
            "seller.level_changed", "marketplace", self.start + timedelta(days=45),
            {"seller_id": promoted, "level": "excellent"},
        )
        return [timeline]

    # ---- orders -------------------------------------------------------------------------

    def _order_timelines(self) -> list[Timeline]:
        rng = self.rng
        timelines = []
        number = 0
        cart = 0
        names, weights = zip(*SCENARIOS.items())
        while number < self.orders:
            cart += 1
            cart_no = f"C{cart:07d}"
            buyer = self._buyer()
            seller = rng.choice(self.sellers)
            placed_at = self.start + timedelta(seconds=rng.uniform(0, SPAN.total_seconds()))
            cart_orders = []
            for _ in range(min(rng.choice((1, 1, 1, 1, 2, 2, 3)), self.orders - number)):
                number += 1
                timeline = Timeline(order_no=f"{100000 + number}", at=placed_at, cart_no=cart_no)
                self._place(timeline, cart_no, buyer, seller)
                scenario = rng.choices(names, weights)[0]
                getattr(self, f"_{scenario}")(timeline)
                timelines.append(timeline)
                cart_orders.append(timeline)
            if rng.random() < 0.05:  # a bulk message to the cart's buyer
                first = cart_orders[0]
                first.add(
                    "message.sent", "seller", placed_at + timedelta(hours=rng.uniform(1, 30)),
                    {"cart_no": cart_no, "text": "ご注文ありがとうございます。発送まで今しばらくお待ちください。"},
                    order_no="",
                )
        return timelines

    def _buyer(self) -> dict:
        rng = self.rng
        return {
            "id": f"B{rng.randrange(10**7):07d}",
            "name": f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}",
            "phone": f"090-{rng.randrange(10**4):04d}-{rng.randrange(10**4):04d}",
            "address": f"{rng.choice(CITIES)}{rng.randint(1, 9)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}",
        }

    def _place(self, t: Timeline, cart_no: str, buyer: dict, seller: str) -> None:
        rng = self.rng
        name, price = rng.choice(ITEMS)
        kind = "made_to_order" if "オーダーメイド" in name else "reservation" if "予約" in name else "general"
        t.kind, t.buyer = kind, buyer
        t.promised = (t.at + timedelta(days=rng.choice((1, 2, 2, 3, 5)))).astimezone(TOKYO).date()
        t.add(
            "order.placed", "buyer", t.at,
            {
                "cart_no": cart_no,
                "seller_id": seller,
                "buyer": buyer,
                "item": {"item_no": f"I{ITEMS.index((name, price)) + 1:05d}", "name": name,
                         "option": rng.choice(("", "ブラック", "ホワイト", "Mサイズ"))},
                "quantity": rng.choice((1, 1, 1, 2, 3)),
                "unit_price": price,
                "shipping_fee": rng.choice((0, 0, 300, 600)),
                "payment_method": rng.choice(("card", "card", "cash", "qcash")),
                "item_kind": kind,
                "region": "overseas" if rng.random() < 0.1 else "local",
                "promised_ship_date": t.promised.isoformat(),
            },
        )

    def _prepare(self, t: Timeline) -> None:
        t.add("order.prepared", "seller", t.after(self.rng, 1, 30))

    def _ship(self, t: Timeline, same_day: bool = False) -> None:
        if same_day:  # before the Tokyo day ends
            midnight = datetime.combine(t.at.astimezone(TOKYO).date() + timedelta(days=1), datetime.min.time(), TOKYO)
            hours = (0, min(2.0, (midnight - t.at).total_seconds() / 3600 - 0.02))
        else:  # most sellers ship within a day
            hours = self.rng.choices(((1, 20), (20, 44), (44, 96)), (70, 20, 10))[0]
        t.add("order.shipped", "seller", t.after(self.rng, *hours), {
            "carrier": self.rng.choice(CARRIERS), "tracking_no": f"{self.rng.randrange(10**12):012d}", "trackable": True,
        })

    def _deliver(self, t: Timeline) -> None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.04:
            t.add("order.delivered", "system", t.after(rng, 24 * 14, 24 * 20), {"by": "auto"})
        elif roll < 0.25:
            t.add("order.delivered", "buyer", t.after(rng, 18, 24 * 6), {"by": "buyer"})
        else:  # most parcels arrive the next day or the one after
            hours = rng.choices(((10, 30), (30, 56), (56, 150)), (65, 25, 10))[0]
            t.add("order.delivered", "carrier", t.after(rng, *hours), {"by": "tracking"})

    def _shipped_and_delivered(self, t: Timeline) -> None:
        self._prepare(t)
        self._ship(t)
        self._deliver(t)

    def _pay_refund(self, t: Timeline) -> None:
        t.add("refund.paid", "payment", t.after(self.rng, 4, 72))

    # ---- scenarios ----------------------------------------------------------------------

    def _delivered(self, t: Timeline) -> None:
        self._shipped_and_delivered(t)
        if self.rng.random() < 0.45:
            rating = self.rng.choices(("great", "good", "bad"), (70, 22, 8))[0]
            t.add("feedback.given", "buyer", t.after(self.rng, 2, 24 * 5), {"rating": rating})

    def _undelivered_tail(self, t: Timeline) -> None:
        """Orders still new or preparing at the end: some pass their promised ship date (delayed)."""
        if self.rng.random() < 0.5:
            self._prepare(t)

    def _cancel_immediate(self, t: Timeline) -> None:
        rng = self.rng
        if t.kind != "made_to_order" and rng.random() < 0.3:  # a delayed order: prepared, date passed
            t.add("order.prepared", "seller", t.after(rng, 1, 6))
            t.at = max(t.at, datetime.combine(t.promised, datetime.min.time(), TOKYO) + timedelta(days=1, hours=9))
        actor = "marketplace" if rng.random() < 0.1 else "buyer"
        t.add("cancel.requested", actor, t.after(rng, 0.5, 6), {"reason": rng.choice(CANCEL_REASONS)})
        if t.kind == "made_to_order" and actor == "buyer":
            t.add("cancel.approved", "seller", t.after(rng, 2, 30))
        self._pay_refund(t)

    def _request_cancel_while_preparing(self, t: Timeline) -> None:
        """Prepared and not yet late: the seller may approve or refuse."""
        t.promised = max(t.promised, (t.at + timedelta(days=3)).astimezone(TOKYO).date())
        t.messages[0]["data"]["promised_ship_date"] = t.promised.isoformat()
        t.add("order.prepared", "seller", t.after(self.rng, 1, 6))
        t.add("cancel.requested", "buyer", t.after(self.rng, 0.1, 1), {"reason": self.rng.choice(CANCEL_REASONS)})

    def _cancel_approved(self, t: Timeline) -> None:
        self._request_cancel_while_preparing(t)
        t.add("cancel.approved", "seller", t.after(self.rng, 1, 40))
        self._pay_refund(t)

    def _cancel_refused(self, t: Timeline) -> None:
        rng = self.rng
        self._request_cancel_while_preparing(t)
        t.add("message.sent", "seller", t.after(rng, 0.1, 0.5),
              {"order_nos": [t.order_no], "text": "発送準備が完了しているため、キャンセルをお受けできません。"}, order_no="")
        t.add("cancel.refused", "seller", t.after(rng, 0.1, 0.5), {"reason": "already_packed", "note": "本日発送いたします"})
        if rng.random() < 0.85:
            t.at = min(t.at, datetime.combine(t.at.astimezone(TOKYO).date(), datetime.max.time(), TOKYO))
            self._ship(t, same_day=True)
        else:  # a refusal breach: shipped a day late
            t.at += timedelta(days=1)
            self._ship(t, same_day=True)
        self._deliver(t)

    def _cancel_by_seller(self, t: Timeline) -> None:
        t.add("cancel.seller_initiated", "seller", t.after(self.rng, 2, 48),
              {"reason": self.rng.choice(("out_of_stock", "shipping_delay"))})
        self._pay_refund(t)

    def _return(self, t: Timeline) -> None:
        rng = self.rng
        self._shipped_and_delivered(t)
        responsibility = "buyer" if rng.random() < 0.6 else "seller"
        attachments = [f"photo-{t.order_no}-1.jpg"] if responsibility == "seller" else []
        t.add("return.requested", "buyer", t.after(rng, 6, 24 * 5),
              {"reason": rng.choice(RETURN_REASONS), "responsibility": responsibility, "attachments": attachments})
        if rng.random() < 0.1:
            t.add("claim.withdrawn", "buyer", t.after(rng, 2, 48), {"note": "自己解決しました"})
            return
        t.add("return.approved", "seller", t.after(rng, 2, 48))
        if responsibility == "buyer":
            t.add("return_charge.requested", "seller", t.after(rng, 1, 24), {"amount": rng.choice((600, 800, 1000))})
            settle = rng.choices(("return_charge.paid", "return_charge.declined", "return_charge.cancelled"), (7, 2, 1))[0]
            t.add(settle, "seller" if settle.endswith("cancelled") else "payment", t.after(rng, 2, 48))
        if rng.random() < 0.2:
            t.add("return.held", "seller", t.after(rng, 24, 72), {"note": "返送品の確認中"})
            t.add("return.resumed", "seller", t.after(rng, 24, 72))
        t.add("return.collected", "seller", t.after(rng, 24, 24 * 5))
        self._pay_refund(t)

    def _exchange(self, t: Timeline) -> None:
        rng = self.rng
        self._shipped_and_delivered(t)
        t.add("exchange.requested", "buyer", t.after(rng, 6, 24 * 4), {"reason": "damaged"})
        t.add("exchange.accepted", "seller", t.after(rng, 2, 48), {"memo": "交換品を本日手配いたします"})
        roll = rng.random()
        if roll < 0.1:
            t.add("exchange.converted_to_return", "seller", t.after(rng, 2, 24))
            t.add("return.approved", "seller", t.after(rng, 1, 24))
            t.add("return.collected", "seller", t.after(rng, 24, 24 * 4))
            self._pay_refund(t)
            return
        if roll < 0.2:
            t.add("claim.refunded_in_full", "seller", t.after(rng, 2, 24))
            self._pay_refund(t)
            return
        reship_at = t.after(rng, 2, 48)
        t.add("exchange.reshipped", "seller", reship_at, {
            "carrier": rng.choice(CARRIERS), "tracking_no": f"{rng.randrange(10**12):012d}", "cost_bearer": "seller",
            "reship_date": reship_at.astimezone(TOKYO).date().isoformat(),
            "recipient": {"name": t.buyer["name"], "phone": t.buyer["phone"], "address": rng.choice(CITIES)},
        })
        if roll < 0.4:
            t.add("message.sent", "seller", t.after(rng, 24, 72),
                  {"order_nos": [t.order_no], "text": "交換品到着後、要請の撤回をお願いいたします。"}, order_no="")
            t.add("claim.withdrawn", "marketplace", t.after(rng, 24 * 4, 24 * 7), {"note": "販売者の依頼による撤回"})
        else:
            t.add("claim.withdrawn", "buyer", t.after(rng, 24, 24 * 6), {"note": "受け取りました"})

    def _non_receipt(self, t: Timeline) -> None:
        rng = self.rng
        self._shipped_and_delivered(t)
        t.add("non_receipt.reported", "buyer", t.after(rng, 6, 24 * 3), {"note": "商品が届いていません"})
        if rng.random() < 0.2:
            t.add("claim.refunded_in_full", "seller", t.after(rng, 2, 48))
            self._pay_refund(t)
            return
        if rng.random() < 0.5:
            until = (t.at + timedelta(days=3)).astimezone(TOKYO).date().isoformat()
            answer = {"action": "wait", "until": until, "message": "配送状況を確認中です"}
        else:
            answer = {"action": "reship", "carrier": rng.choice(CARRIERS),
                      "tracking_no": f"{rng.randrange(10**12):012d}", "message": "再発送しました"}
        t.add("non_receipt.answered", "seller", t.after(rng, 2, 48), answer)
        t.add("claim.withdrawn", "buyer", t.after(rng, 24, 24 * 5), {"note": "受け取りました"})

    def _partial_refund(self, t: Timeline) -> None:
        rng = self.rng
        self._shipped_and_delivered(t)
        quantity = t.messages[0]["data"]["quantity"]
        if quantity > 1 and rng.random() < 0.5:
            data = {"category": "quantity_error", "quantity": quantity - 1}
        else:
            data = {"category": "price_or_shipping", "amount": rng.choice((100, 300, 500))}
        t.add("partial_refund.requested", "seller", t.after(rng, 6, 48), data)
        decision = rng.choices(("approved", "rejected", "cancelled"), (7, 2, 1))[0]
        actor = "seller" if decision == "cancelled" else "marketplace"
        t.add(f"partial_refund.{decision}", actor, t.after(rng, 6, 72))
        if decision == "approved":
            self._pay_refund(t)


def simulate(orders: int, seed: int, end: datetime = DEFAULT_END) -> Iterator[dict]:
    return Simulator(orders, seed, end).messages()
