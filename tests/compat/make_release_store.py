"""Make a small SQLite event store written by an old release, and the answers that release gives on it.

What it makes, in OUT (e.g. tests/compat/release_02f388d/):

- upstream.jsonl  `orderclaims simulate --orders 200 --seed 7` as that release writes it, followed by a
                  hand-written supplement (built by `supplement()` below: deterministic, fixed times in
                  Oct-Nov 2026) whose orders walk every claim path of the old domain, so that every event
                  class of domain/order.py, domain/seller.py and domain/cart.py, and every variant of the
                  umbrella events (ReturnMoved, ReturnChargeSettled, PartialRefundDecided, CancelRequested,
                  RefundPaid, ...) is stored at least once; plus messages the old rules reject (a Receipt
                  of each rejection code).
- store.db        that file ingested by the old release (`orderclaims ingest`), then one
                  `orderclaims exchange-points` (SX1, 2026-11-05, October's points). One self-contained
                  SQLite file (no -wal/-shm, rollback journal mode) holding only the event store's tables
                  (stored_events, tracking): the projection tables that exchange-points made are dropped
                  and the file vacuumed, after checking that every stored event keeps its rowid (its
                  notification id) and its bytes.
- expected.json   the old release's answers, asked of a COPY of store.db: per seller in the store
                  `dashboard`, `settlement` (as of 2026-11-21T09:00+09:00), `points --items` for 2026-10
                  and 2026-11, `claims --status TYPE.STATUS` for every status key (and TYPE.delayed);
                  per order `history`, reduced to its "state" and the (version, at, actor) of its events
                  (the old event names apart, in "old_event_names", for reference only); the
                  exchange-points answers; "topics": stored event topic -> count; "ingest": the summary;
                  "supplement": order_no -> the path it walks; "meta".

How: the release's source is exported with `git archive COMMIT | tar -x -C TMPDIR` (no worktree is left
behind) and its CLI is run from there with this interpreter
(`cd TMPDIR && PYTHONPATH=TMPDIR python -c 'from entrypoints.cli import main; main()' ARGS`);
every module is checked to load from TMPDIR, not from an installed copy of newer code.

Run it from the repository's root, with the project's virtualenv:

    python tests/compat/make_release_store.py --commit 02f388d --out tests/compat/release_02f388d

It takes a few minutes. The files it made are the old release's bytes and answers: never run it again
with a newer --commit into the same OUT (it refuses to overwrite unless given --force).
"""

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

AS_OF = "2026-11-21T09:00:00+09:00"
MONTHS = ("2026-10", "2026-11")
EXCHANGE_SELLER = "SX1"
EXCHANGE_AT = "2026-11-05T10:00:00+09:00"
SIMULATE = ("--orders", "200", "--seed", "7")
# The status keys the old CLI accepts (domain/claims.py STATUS_KEYS of 02f388d, plus TYPE.delayed);
# checked against the exported source before use.
STATUS_KEYS = {
    "cancel": ("requested", "in_progress", "completed"),
    "return": ("requested", "returning", "on_hold", "collected", "completed"),
    "exchange": ("requested", "reshipping"),
    "non_receipt": ("reported", "seller_confirmed"),
}
EVENT_STORE_TABLES = {"stored_events", "tracking"}
# The virtualenv may hold an editable install of the project (a finder that maps `domain`, ... to a newer
# work tree, and a path hook that adds it to namespace packages): each run drops both first, so that the
# release runs from its exported source alone.
ISOLATE = ("import sys; sys.meta_path[:] = [f for f in sys.meta_path if not getattr(f, '__module__', '').startswith('__editable__')];"
           " sys.path[:] = [p for p in sys.path if '__editable__' not in p];")
CLI = ISOLATE + " from entrypoints.cli import main; main()"


# ---- the supplement: hand-written orders that walk every claim path of the old domain ----------


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


class Supplement:
    """Messages with fixed times; ids `compat-NNNN` in file order (the file is sorted by time)."""

    def __init__(self) -> None:
        self.pending: list[tuple[datetime, int, dict, str]] = []  # (at, creation order, message, expected outcome)
        self.stories: dict[str, str] = {}  # order_no -> the path it walks
        self._orders = 0
        self._carts = 0

    def add(self, type_: str, actor: str, at: datetime, data: dict | None = None, order_no: str = "",
            expect: str = "accepted") -> None:
        message = {"type": type_, "order_no": order_no, "occurred_at": at.isoformat(), "actor": actor, "data": data or {}}
        self.pending.append((at, len(self.pending), message, expect))

    def cart(self) -> str:
        self._carts += 1
        return f"CX{self._carts:05d}"

    def order(self, story: str, seller: str, at: str, cart_no: str | None = None, **placed) -> "Story":
        self._orders += 1
        order_no = f"9{self._orders:05d}"
        self.stories[order_no] = story
        return Story(self, order_no, cart_no or self.cart(), seller, ts(at), **placed)

    def messages(self) -> list[tuple[dict, str]]:
        """(message, expected outcome) in time order; a stable sort keeps each order's own order."""
        out = []
        early, late = ts("2026-10-01T00:00:00+09:00"), ts(AS_OF)
        stray = [m for at, _, m, _ in self.pending if not early <= at < late or at.utcoffset() != timedelta(hours=9)]
        if stray:
            raise SystemExit(f"supplement messages outside Oct 2026 .. the as-of time, or not +09:00: {stray[:3]}")
        for n, (_, _, message, expect) in enumerate(sorted(self.pending, key=lambda p: (p[0], p[1])), start=1):
            out.append(({"message_id": f"compat-{n:04d}", **message}, expect))
        return out


ITEMS = {
    "general": ("I90001", "コンパット検証 タオルセット", 2400),
    "reservation": ("I90002", "予約 検証フィギュア", 9800),
    "made_to_order": ("I90003", "オーダーメイド 検証名入れ箸", 3600),
}


class Story:
    """One order's messages; each step moves the order's own clock on by `h` hours (or to `at`)."""

    def __init__(self, sup: Supplement, order_no: str, cart_no: str, seller: str, at: datetime, *,
                 kind: str = "general", quantity: int = 1, shipping_fee: int = 300, payment: str = "card",
                 region: str = "local", promised_days: int = 3, buyer: int | None = None, option: str | None = ""):
        self.sup, self.order_no, self.cart_no, self.clock = sup, order_no, cart_no, at
        item_no, name, price = ITEMS[kind]
        number = buyer if buyer is not None else int(order_no)
        item = {"item_no": item_no, "name": name, "option": option}
        self.quantity, self.unit_price, self.shipping_fee = quantity, price, shipping_fee
        self.do("order.placed", "buyer", {
            "cart_no": cart_no, "seller_id": seller,
            "buyer": {"id": f"BX{number:06d}", "name": f"検証 {number % 97}号", "phone": f"090-{number % 10000:04d}-{(number * 7) % 10000:04d}",
                      "address": f"東京都千代田区検証町{number % 50}-{number % 9 + 1}"},
            "item": item, "quantity": quantity, "unit_price": price, "shipping_fee": shipping_fee,
            "payment_method": payment, "item_kind": kind, "region": region,
            "promised_ship_date": (at + timedelta(days=promised_days)).date().isoformat(),
        }, h=0)

    @property
    def paid(self) -> int:
        return self.quantity * self.unit_price + self.shipping_fee

    def do(self, type_: str, actor: str, data: dict | None = None, h: float = 1.0, at: str | None = None,
           expect: str = "accepted", order_no: str | None = None) -> "Story":
        self.clock = ts(at) if at else self.clock + timedelta(hours=h)
        self.sup.add(type_, actor, self.clock, data, self.order_no if order_no is None else order_no, expect)
        return self

    # the usual steps
    def prepare(self, h: float = 1.0, **data) -> "Story":
        return self.do("order.prepared", "seller", data, h)

    def ship(self, h: float = 2.0, trackable: bool = True, at: str | None = None) -> "Story":
        return self.do("order.shipped", "seller", {"carrier": "ヤマト運輸", "tracking_no": f"7{self.order_no}01",
                                                   "trackable": trackable}, h, at)

    def deliver(self, h: float = 21.0, by: str = "tracking") -> "Story":
        actor = {"tracking": "carrier", "buyer": "buyer", "auto": "system"}[by]
        return self.do("order.delivered", actor, {"by": by}, h)

    def delivered(self, by: str = "tracking") -> "Story":
        return self.prepare(1).ship(2).deliver(21, by)

    def refund_paid(self, h: float = 20.0) -> "Story":
        return self.do("refund.paid", "payment", {}, h)

    def feedback(self, rating: str, h: float = 8.0) -> "Story":
        return self.do("feedback.given", "buyer", {"rating": rating}, h)

    def message(self, h: float = 3.0, **data) -> "Story":
        """A seller message naming this order in `order_nos` (the envelope's order_no empty)."""
        return self.do("message.sent", "seller", {"order_nos": [self.order_no], "text": "ご連絡いたします。", **data}, h,
                       order_no="")


def supplement() -> Supplement:
    s = Supplement()
    seller = s.add

    # sellers: SX1 (general, then power), SX2 (excellent; registered again with the same level: no
    # event); SX3 is never registered (its orders count it as general); a seller may not register.
    seller("seller.registered", "marketplace", ts("2026-10-01T00:00:00+09:00"), {"seller_id": "SX1", "level": "general"})
    seller("seller.registered", "marketplace", ts("2026-10-01T00:00:00+09:00"), {"seller_id": "SX2", "level": "excellent"})
    seller("seller.registered", "marketplace", ts("2026-10-15T09:00:00+09:00"), {"seller_id": "SX2", "level": "excellent"})
    seller("seller.level_changed", "marketplace", ts("2026-11-01T00:00:00+09:00"), {"seller_id": "SX1", "level": "power"})
    seller("seller.registered", "seller", ts("2026-10-02T09:00:00+09:00"), {"seller_id": "SX9", "level": "power"},
           expect="actor_not_allowed")

    # SX1's October: orders shipped the day they are placed and delivered the next day, most rated
    # great, so that October holds >= 100 points to exchange on 2026-11-05.
    farm_cart = s.cart()
    for day in range(32):
        placed = ts("2026-10-02T10:00:00+09:00") + timedelta(days=day % 26, hours=day // 26)
        story = s.order("points: shipped same day, delivered next day", "SX1", placed.isoformat(),
                        cart_no=farm_cart if day < 2 else None, quantity=1 + day % 3, shipping_fee=(0, 300, 600)[day % 3],
                        payment=("card", "cash", "qcash")[day % 3], region="overseas" if day % 11 == 5 else "local",
                        option="ホワイト" if day == 7 else "", buyer=1 if day < 2 else None)
        story.prepare(1).ship(2, trackable=day % 9 != 4).deliver(21)
        rating = "good" if day in (3, 17) else "bad" if day == 9 else "great"
        if day != 20:
            story.feedback(rating, h=6)
        if day == 0:  # a bulk message by cart number: one send for the cart's two orders
            story.do("message.sent", "seller", {"cart_no": farm_cart, "text": "ご購入ありがとうございました。"}, h=1, order_no="")
        if day == 1:  # the order number in the envelope
            story.do("message.sent", "seller", {"text": "レビューありがとうございます。"}, h=2)
    s.stories[next(o for o, d in s.stories.items() if d.startswith("points"))] += "; cart of two, message by cart_no"

    # ---- cancel ------------------------------------------------------------------------------
    o = s.order("cancel at once on a new order (buyer) -> refund paid", "SX2", "2026-10-03T09:00:00+09:00", payment="cash")
    o.do("cancel.requested", "buyer", {"reason": "ordered_by_mistake"}, h=1)
    o.do("cancel.refused", "seller", {"reason": "already_packed", "note": ""}, h=1, expect="refusal_not_allowed")
    o.refund_paid(20)
    o.do("order.shipped", "seller", {"carrier": "佐川急便", "tracking_no": "1", "trackable": True}, h=2, expect="invalid_transition")

    o = s.order("cancel at once on a delayed order (prepared, promised date passed)", "SX2", "2026-10-04T09:00:00+09:00",
                promised_days=1, payment="qcash")
    o.prepare(3).do("cancel.requested", "buyer", {"reason": "no_longer_needed"}, at="2026-10-06T10:00:00+09:00")
    o.refund_paid(30)

    o = s.order("cancel requested while preparing -> approved -> refund paid", "S001", "2026-10-05T09:00:00+09:00", promised_days=4)
    o.prepare(2, promised_ship_date="2026-10-08").do("cancel.requested", "buyer", {"reason": "found_cheaper"}, h=1)
    o.do("cancel.approved", "buyer", {}, h=1, expect="actor_not_allowed")
    o.do("cancel.approved", "seller", {}, h=4).refund_paid(24)

    o = s.order("cancel refused while preparing, shipped the same Tokyo day, delivered", "SX2", "2026-10-06T09:00:00+09:00")
    o.prepare(1).do("cancel.requested", "buyer", {"reason": "wrong_option"}, h=1)
    o.message(1, text="本日発送のためキャンセルできません。")
    o.do("cancel.refused", "seller", {"reason": "already_packed", "note": "本日発送いたします"}, h=1)
    o.ship(3).deliver(22).feedback("good")

    o = s.order("refusal breach: cancel refused while preparing, shipped the next day", "SX2", "2026-10-07T20:00:00+09:00")
    o.prepare(1).do("cancel.requested", "buyer", {"reason": "wrong_option"}, h=0.5)
    o.do("cancel.refused", "seller", {"reason": "already_packed"}, h=0.5)
    o.ship(at="2026-10-08T15:00:00+09:00").deliver(20)

    o = s.order("refusal breach: cancel refused, never shipped (delayed at the as-of time)", "SX2", "2026-11-14T09:00:00+09:00")
    o.prepare(1).do("cancel.requested", "buyer", {"reason": "found_cheaper"}, h=1)
    o.do("cancel.refused", "seller", {"reason": "made_already", "note": "発送します"}, h=1)

    o = s.order("cancel requested while shipping -> refused -> delivered", "S002", "2026-10-08T09:00:00+09:00")
    o.prepare(1).ship(2).do("cancel.requested", "buyer", {"reason": "no_longer_needed"}, h=1)
    o.do("cancel.refused", "seller", {"reason": "already_shipped", "note": "配送中です"}, h=1).deliver(20)

    o = s.order("made-to-order: cancel requested on a new order -> refused -> shipped that day", "SX3", "2026-10-09T09:00:00+09:00",
                kind="made_to_order", promised_days=5)
    o.do("cancel.requested", "buyer", {"reason": "ordered_by_mistake"}, h=1)
    o.do("cancel.refused", "seller", {"reason": "made_to_order", "note": "制作済みです"}, h=2)
    o.prepare(1).ship(2).deliver(30).feedback("great")

    o = s.order("made-to-order: cancel requested -> approved -> refund paid", "SX3", "2026-10-10T09:00:00+09:00",
                kind="made_to_order", promised_days=6)
    o.do("cancel.requested", "buyer", {"reason": "wrong_option"}, h=1).do("cancel.approved", "seller", {}, h=5).refund_paid(20)

    o = s.order("cancel requested -> withdrawn by the buyer -> delivered", "SX2", "2026-10-11T09:00:00+09:00")
    o.prepare(1).do("cancel.requested", "buyer", {"reason": "no_longer_needed"}, h=1)
    o.do("claim.withdrawn", "seller", {"note": ""}, h=1, expect="actor_not_allowed")
    o.do("claim.withdrawn", "buyer", {"note": "やはり購入します"}, h=1).ship(2).deliver(20, by="buyer")

    o = s.order("seller-reason cancel (out_of_stock) -> refund paid", "SX2", "2026-10-12T09:00:00+09:00")
    o.do("cancel.seller_initiated", "seller", {"reason": "buyer_reason"}, h=2, expect="invalid_reason")
    o.do("cancel.seller_initiated", "seller", {"reason": "out_of_stock"}, h=1).refund_paid(24)

    o = s.order("seller-reason cancel (shipping_delay) while preparing, refund not yet paid", "S001", "2026-11-18T09:00:00+09:00")
    o.prepare(2).do("cancel.seller_initiated", "seller", {"reason": "shipping_delay"}, h=20)

    o = s.order("marketplace cancel (buyer phoned) on a shipped order -> refund paid", "SX2", "2026-10-13T09:00:00+09:00")
    o.prepare(1).ship(2).do("cancel.requested", "marketplace", {"reason": "buyer_phoned"}, h=2).refund_paid(20)

    o = s.order("cancel requested while preparing, still open and delayed at the as-of time", "SX2", "2026-11-10T09:00:00+09:00",
                promised_days=4)
    o.prepare(1).do("cancel.requested", "buyer", {"reason": "found_cheaper"}, h=2)
    o.do("return.requested", "buyer", {"reason": "x", "responsibility": "buyer", "attachments": []}, h=1, expect="claim_open")

    # ---- return ------------------------------------------------------------------------------
    o = s.order("return (buyer's): approve, charge paid, hold, resume, collect, refund paid; feedback after",
                "SX2", "2026-10-14T09:00:00+09:00", quantity=2)
    o.delivered().do("cancel.requested", "buyer", {"reason": "late"}, h=1, expect="already_delivered")
    o.do("return.requested", "buyer", {"reason": "changed_mind", "responsibility": "buyer", "attachments": []}, h=5)
    o.do("return.approved", "seller", {"note": "返送先をお送りします"}, h=5)
    o.do("return_charge.requested", "seller", {"amount": 0}, h=1, expect="amount_invalid")
    o.do("return_charge.requested", "seller", {"amount": 600}, h=1)
    o.do("return_charge.requested", "seller", {"amount": 300}, h=1, expect="invalid_transition")
    o.do("return_charge.paid", "payment", {}, h=5)
    o.do("return.resumed", "seller", {}, h=1, expect="invalid_transition")
    o.do("return.held", "seller", {"note": "返送品の確認中"}, h=20).do("return.resumed", "seller", {}, h=20)
    o.do("return.collected", "seller", {"note": "回収しました"}, h=20).refund_paid(20).feedback("bad", h=5)

    o = s.order("return (buyer's): charge declined, a second charge cancelled, collected from on_hold, refund paid",
                "SX2", "2026-10-15T09:00:00+09:00", payment="qcash")
    o.delivered(by="buyer").do("return.requested", "buyer", {"reason": "not_as_described", "responsibility": "buyer"}, h=5)
    o.do("return.approved", "seller", {}, h=5).do("return_charge.requested", "seller", {"amount": 800}, h=1)
    o.do("return_charge.declined", "payment", {}, h=3).do("return_charge.requested", "seller", {"amount": 500}, h=1)
    o.do("return_charge.cancelled", "seller", {}, h=3).do("return.held", "seller", {"note": "確認中"}, h=10)
    o.do("return.collected", "seller", {}, h=20).refund_paid(20)

    o = s.order("return (seller's, photos): approve, collect, refund paid", "S002", "2026-10-16T09:00:00+09:00")
    o.delivered().do("return.requested", "buyer", {"reason": "damaged", "responsibility": "seller",
                                                   "attachments": ["photo-1.jpg", "photo-2.jpg"]}, h=4)
    o.do("return.approved", "seller", {}, h=4)
    o.do("return_charge.requested", "seller", {"amount": 600}, h=1, expect="not_buyer_responsible")
    o.do("return.collected", "seller", {}, h=30).refund_paid(20)

    o = s.order("return requested -> withdrawn by the buyer", "SX2", "2026-10-17T09:00:00+09:00")
    o.delivered().do("return.requested", "buyer", {"reason": "changed_mind", "responsibility": "buyer"}, h=4)
    o.do("claim.withdrawn", "buyer", {"note": "自己解決しました"}, h=6)

    o = s.order("return approved, held -> withdrawn by the buyer", "SX3", "2026-10-18T09:00:00+09:00")
    o.delivered().do("return.requested", "buyer", {"reason": "wrong_item", "responsibility": "seller"}, h=4)
    o.do("return.approved", "seller", {}, h=4).do("return.held", "seller", {}, h=10)
    o.do("claim.withdrawn", "buyer", {"note": "届いた商品で問題ありません"}, h=10)

    o = s.order("return requested while shipping, delivered during it, approved, collected, refund paid", "SX2",
                "2026-10-19T09:00:00+09:00")
    o.prepare(1).ship(2).do("return.requested", "buyer", {"reason": "wrong_item", "responsibility": "seller"}, h=5)
    o.deliver(15).do("return.approved", "seller", {}, h=3).do("return.collected", "seller", {}, h=40).refund_paid(10)

    o = s.order("partial refund approved and paid, then a return whose refund is the rest", "SX2", "2026-10-20T09:00:00+09:00",
                quantity=3)
    o.delivered().do("partial_refund.requested", "seller", {"category": "quantity_error", "quantity": 1}, h=5)
    o.do("partial_refund.approved", "marketplace", {}, h=10).refund_paid(10)
    o.do("return.requested", "buyer", {"reason": "damaged", "responsibility": "seller"}, h=10)
    o.do("return.approved", "seller", {}, h=3).do("return.collected", "seller", {}, h=30).refund_paid(10)

    o = s.order("partial refund of everything paid, then a return whose refund is 0 (stays collected in this release)",
                "SX3", "2026-10-21T09:00:00+09:00")
    o.delivered().do("partial_refund.requested", "seller", {"category": "price_or_shipping", "amount": o.paid}, h=5)
    o.do("partial_refund.approved", "marketplace", {}, h=10).refund_paid(10)
    o.do("return.requested", "buyer", {"reason": "damaged", "responsibility": "seller"}, h=10)
    o.do("return.approved", "seller", {}, h=3).do("return.collected", "seller", {}, h=30)
    o.do("refund.paid", "payment", {}, h=10, expect="invalid_transition")

    o = s.order("return requested, open at the as-of time (not delayed)", "SX2", "2026-11-15T09:00:00+09:00")
    o.delivered().do("return.requested", "buyer", {"reason": "changed_mind", "responsibility": "buyer"}, at="2026-11-19T10:00:00+09:00")

    o = s.order("return returning, open and delayed at the as-of time", "SX2", "2026-11-08T09:00:00+09:00")
    o.delivered().do("return.requested", "buyer", {"reason": "damaged", "responsibility": "seller"}, h=5)
    o.do("return.approved", "seller", {}, h=5)

    o = s.order("return on_hold, open at the as-of time, a pending charge", "S001", "2026-11-12T09:00:00+09:00")
    o.delivered().do("return.requested", "buyer", {"reason": "changed_mind", "responsibility": "buyer"}, at="2026-11-18T09:00:00+09:00")
    o.do("return.approved", "seller", {}, h=3).do("return_charge.requested", "seller", {"amount": 600}, h=1)
    o.do("return.held", "seller", {}, h=5)

    o = s.order("return collected, refund owed, open and delayed at the as-of time", "SX2", "2026-11-06T09:00:00+09:00")
    o.delivered().do("return.requested", "buyer", {"reason": "damaged", "responsibility": "seller"}, h=5)
    o.do("return.approved", "seller", {}, h=5).do("return.collected", "seller", {}, h=40)

    # ---- exchange ----------------------------------------------------------------------------
    recipient = {"name": "検証 受取人", "phone": "080-1111-2222", "address": "大阪府大阪市北区検証1-2-3"}

    def reship(o: Story, h: float = 5, tracking_no: str | None = None, expect: str = "accepted") -> Story:
        return o.do("exchange.reshipped", "seller", {
            "carrier": "佐川急便", "tracking_no": f"8{o.order_no}02" if tracking_no is None else tracking_no,
            "cost_bearer": "seller", "reship_date": (o.clock + timedelta(hours=h)).date().isoformat(), "recipient": recipient,
        }, h=h, expect=expect)

    o = s.order("exchange accepted -> reshipped -> withdrawn by the buyer", "SX2", "2026-10-22T09:00:00+09:00")
    o.delivered().do("exchange.requested", "buyer", {"reason": "damaged"}, h=5)
    o.do("exchange.accepted", "seller", {"memo": "交換品を手配します"}, h=5)
    reship(o, tracking_no="  ", expect="tracking_required")
    reship(o).do("claim.withdrawn", "buyer", {"note": "受け取りました"}, h=40)

    o = s.order("exchange reshipped -> seller messages (order_nos) -> withdrawn by the marketplace", "S002",
                "2026-10-23T09:00:00+09:00")
    o.delivered().do("exchange.requested", "buyer", {"reason": "wrong_option"}, h=5)
    o.do("claim.withdrawn", "marketplace", {"note": "販売者の依頼"}, h=2, expect="no_buyer_contact")
    o.do("exchange.accepted", "seller", {"memo": "承知しました"}, h=3)
    reship(o).message(30, text="交換品到着後、撤回をお願いします。")
    o.do("claim.withdrawn", "marketplace", {"note": "販売者の依頼による撤回"}, h=24 * 5)

    o = s.order("exchange converted to a return (from requested) -> approved -> collected -> refund paid", "SX2",
                "2026-10-24T09:00:00+09:00")
    o.delivered().do("exchange.requested", "buyer", {"reason": "damaged"}, h=5)
    o.do("exchange.converted_to_return", "seller", {}, h=5).do("return.approved", "seller", {}, h=2)
    o.do("return.collected", "seller", {}, h=40).refund_paid(10)

    o = s.order("exchange accepted -> refunded in full -> refund paid", "SX3", "2026-10-25T09:00:00+09:00")
    o.delivered().do("exchange.requested", "buyer", {"reason": "damaged"}, h=5)
    o.do("exchange.accepted", "seller", {"memo": "確認します"}, h=5).do("claim.refunded_in_full", "seller", {}, h=5)
    o.refund_paid(10)

    o = s.order("exchange reshipped -> converted to a return, open (requested) at the as-of time", "SX2",
                "2026-11-09T09:00:00+09:00")
    o.delivered().do("exchange.requested", "buyer", {"reason": "damaged"}, h=5)
    o.do("exchange.accepted", "seller", {"memo": "交換します"}, h=5)
    reship(o).do("exchange.converted_to_return", "seller", {}, h=30)

    o = s.order("exchange requested, open and delayed at the as-of time", "SX2", "2026-11-08T10:00:00+09:00")
    o.delivered().do("exchange.requested", "buyer", {"reason": "wrong_item"}, h=5)

    o = s.order("exchange accepted, open at the as-of time", "SX2", "2026-11-16T09:00:00+09:00")
    o.delivered().do("exchange.requested", "buyer", {"reason": "wrong_item"}, at="2026-11-19T09:00:00+09:00")
    o.do("exchange.accepted", "seller", {"memo": "在庫を確認中"}, h=3)

    o = s.order("exchange reshipping, open and delayed at the as-of time", "S001", "2026-11-07T09:00:00+09:00")
    o.delivered().do("exchange.requested", "buyer", {"reason": "damaged"}, h=5)
    o.do("exchange.accepted", "seller", {"memo": ""}, h=5)
    reship(o)

    o = s.order("exchange refunded in full, refund not yet paid at the as-of time", "SX2", "2026-11-14T09:00:00+09:00")
    o.delivered().do("exchange.requested", "buyer", {"reason": "damaged"}, at="2026-11-18T09:00:00+09:00")
    o.do("claim.refunded_in_full", "seller", {}, h=5)

    # ---- non-receipt -------------------------------------------------------------------------
    o = s.order("non-receipt answered wait -> withdrawn by the buyer; a second delivery is rejected", "SX2",
                "2026-10-26T09:00:00+09:00")
    o.prepare(1).ship(2).do("non_receipt.reported", "buyer", {"note": "届いていません"}, h=5, expect="not_delivered")
    o.deliver(20).do("non_receipt.reported", "buyer", {"note": "届いていません"}, h=5)
    o.do("non_receipt.answered", "seller", {"action": "wait", "until": "2026-10-31", "message": "確認中です"}, h=5)
    o.do("claim.withdrawn", "marketplace", {"note": ""}, h=5, expect="no_buyer_contact")
    o.do("order.delivered", "buyer", {"by": "buyer"}, h=5, expect="invalid_transition")
    o.do("claim.withdrawn", "buyer", {"note": "届きました"}, h=1)

    u_cart = s.cart()
    o = s.order("non-receipt answered reship -> message by cart_no -> withdrawn by the marketplace", "SX2",
                "2026-10-27T09:00:00+09:00", cart_no=u_cart, buyer=7777)
    s.order("delivered, in the cart of the non-receipt order (messaged with it)", "SX2", "2026-10-27T09:00:00+09:00",
            cart_no=u_cart, buyer=7777).delivered().feedback("great")
    o.delivered().do("non_receipt.reported", "buyer", {"note": "届いていません"}, h=5)
    o.do("non_receipt.answered", "seller", {"action": "reship", "carrier": "日本郵便", "tracking_no": "", "message": ""},
         h=5, expect="tracking_required")
    o.do("non_receipt.answered", "seller", {"action": "reship", "carrier": "日本郵便", "tracking_no": "9123456789",
                                            "message": "再発送しました"}, h=1)
    o.do("message.sent", "seller", {"cart_no": u_cart, "text": "再発送品の到着後、撤回をお願いします。"}, h=24, order_no="")
    o.do("claim.withdrawn", "marketplace", {"note": "販売者の依頼による撤回"}, h=24 * 5)

    o = s.order("non-receipt refunded in full -> refund paid", "S002", "2026-10-28T09:00:00+09:00")
    o.delivered().do("non_receipt.reported", "buyer", {"note": "届いていません"}, h=5)
    o.do("claim.refunded_in_full", "seller", {}, h=5).refund_paid(10)

    o = s.order("non-receipt reported, open and delayed at the as-of time", "SX2", "2026-11-09T09:00:00+09:00")
    o.delivered(by="auto").do("non_receipt.reported", "buyer", {"note": "届いていません"}, h=5)

    o = s.order("non-receipt answered wait, open (seller_confirmed) at the as-of time", "SX3", "2026-11-15T09:00:00+09:00")
    o.delivered().do("non_receipt.reported", "buyer", {"note": "届いていません"}, at="2026-11-19T09:00:00+09:00")
    o.do("non_receipt.answered", "seller", {"action": "wait", "until": "2026-11-25"}, h=5)

    o = s.order("non-receipt refunded in full, refund not yet paid at the as-of time", "SX2", "2026-11-13T09:00:00+09:00")
    o.delivered().do("non_receipt.reported", "buyer", {"note": "届いていません"}, at="2026-11-18T09:00:00+09:00")
    o.do("claim.refunded_in_full", "seller", {}, h=5)

    # ---- partial refunds ---------------------------------------------------------------------
    o = s.order("partial refund (quantity_error) approved -> refund paid", "SX2", "2026-10-29T09:00:00+09:00", quantity=3)
    o.delivered().do("partial_refund.requested", "seller", {"category": "quantity_error", "quantity": 3}, h=3,
                     expect="amount_invalid")
    o.do("partial_refund.requested", "seller", {"category": "quantity_error", "quantity": 2}, h=1)
    o.do("partial_refund.requested", "seller", {"category": "price_or_shipping", "amount": 100}, h=1,
         expect="invalid_transition")
    o.do("partial_refund.approved", "marketplace", {}, h=10).refund_paid(10).feedback("good")

    o = s.order("partial refund (price_or_shipping) rejected by staff, then another cancelled by the seller", "SX3",
                "2026-10-30T09:00:00+09:00")
    o.prepare(1).ship(2).do("partial_refund.requested", "seller", {"category": "price_or_shipping", "amount": 300}, h=1,
                            expect="not_delivered")
    o.deliver(20).do("partial_refund.requested", "seller", {"category": "price_or_shipping", "amount": 300}, h=3)
    o.do("partial_refund.rejected", "marketplace", {}, h=10)
    o.do("partial_refund.requested", "seller", {"category": "price_or_shipping", "amount": 200}, h=3)
    o.do("partial_refund.cancelled", "seller", {}, h=3)
    o.do("partial_refund.cancelled", "seller", {}, h=1, expect="invalid_transition")

    o = s.order("partial refund pending at the as-of time", "S001", "2026-11-15T09:00:00+09:00")
    o.delivered().do("partial_refund.requested", "seller", {"category": "price_or_shipping", "amount": 500},
                     at="2026-11-19T12:00:00+09:00")

    # ---- deliveries, feedback, and other rejections ------------------------------------------
    o = s.order("delivered by the system (auto), feedback great; second feedback rejected", "SX2", "2026-10-31T09:00:00+09:00",
                kind="reservation", region="overseas")
    o.prepare(1).ship(2).do("feedback.given", "buyer", {"rating": "great"}, h=1, expect="not_delivered")
    o.do("cancel.seller_initiated", "seller", {"reason": "out_of_stock"}, h=1, expect="already_shipped")
    o.deliver(24 * 14, by="auto").feedback("great")
    o.do("feedback.given", "buyer", {"rating": "bad"}, h=1, expect="invalid_transition")
    o.do("order.delivered", "carrier", {"by": "tracking"}, h=1, expect="invalid_transition")

    o = s.order("new order, nothing since (delayed at the as-of time); placed twice", "SX2", "2026-11-16T09:00:00+09:00",
                promised_days=2)
    first = s.pending[-1][2]
    s.add("order.placed", "buyer", ts("2026-11-16T10:00:00+09:00"), json.loads(json.dumps(first["data"])), o.order_no,
          expect="order_exists")
    o.do("cancel.approved", "seller", {}, h=2, expect="no_open_claim")
    o.do("return.requested", "buyer", {"reason": "x", "responsibility": "buyer"}, h=1, expect="not_delivered")

    s.add("cancel.requested", "buyer", ts("2026-10-20T12:00:00+09:00"), {"reason": "x"}, "999999", expect="unknown_order")
    s.add("refund.paid", "payment", ts("2026-11-02T12:00:00+09:00"), {}, "999998", expect="unknown_order")
    s.add("message.sent", "seller", ts("2026-11-03T12:00:00+09:00"), {"cart_no": "CX99999", "text": "?"}, "",
          expect="unknown_order")
    return s


# ---- running the old release -------------------------------------------------------------------


class OldRelease:
    """The release's source exported to a temporary directory; its CLI run from there."""

    def __init__(self, repo: Path, commit: str):
        self.repo = repo
        self.commit = subprocess.run(["git", "-C", str(repo), "rev-parse", "--verify", f"{commit}^{{commit}}"],
                                     check=True, capture_output=True, text=True).stdout.strip()
        self._tmp = tempfile.TemporaryDirectory(prefix=f"release-{self.commit[:7]}-")
        self.src = Path(self._tmp.name) / "src"
        self.src.mkdir()
        archive = subprocess.Popen(["git", "-C", str(repo), "archive", self.commit], stdout=subprocess.PIPE)
        subprocess.run(["tar", "-x", "-C", str(self.src)], stdin=archive.stdout, check=True)
        if archive.wait() != 0:
            raise SystemExit(f"git archive {self.commit} failed")
        self.work = Path(self._tmp.name)
        self._check_imports()

    def close(self) -> None:
        self._tmp.cleanup()

    def env(self, db: Path | None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ORDERCLAIMS_", "PYTHON"))}
        env["PYTHONPATH"] = str(self.src)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        if db is not None:
            env["ORDERCLAIMS_DATABASE_URL"] = f"sqlite:///{db}"
        return env

    def _check_imports(self) -> None:
        """Every package must load from the exported source, not from an installed (newer) copy."""
        probe = (ISOLATE + " import consumers.ingest, domain.order, entrypoints.cli, producers.simulator, projections.runner, json;"
                 "print(json.dumps({n: [getattr(m, '__file__', None), *getattr(m, '__path__', [])] for n, m in sys.modules.items()"
                 " if n.split('.')[0] in ('consumers', 'domain', 'entrypoints', 'producers', 'projections')}))")
        out = subprocess.run([sys.executable, "-c", probe], cwd=self.src, env=self.env(None), check=True,
                             capture_output=True, text=True).stdout
        stray = {n: f for n, f in json.loads(out).items() if not all(str(p).startswith(str(self.src)) for p in f if p)}
        if stray:
            raise SystemExit(f"modules not loaded from the exported release: {stray}")
        keys = subprocess.run([sys.executable, "-c", ISOLATE + " import json; from domain.claims import STATUS_KEYS as k; print(json.dumps(k))"],
                              cwd=self.src, env=self.env(None), check=True, capture_output=True, text=True).stdout
        if {t: tuple(v) for t, v in json.loads(keys).items()} != STATUS_KEYS:
            raise SystemExit(f"this release's STATUS_KEYS differ from the script's: {keys}")

    def cli(self, db: Path | None, *args: str, ok_codes: tuple[int, ...] = (0,), stdin: bytes | None = None) -> tuple[int, bytes]:
        done = subprocess.run([sys.executable, "-c", CLI, *args], cwd=self.src, env=self.env(db), input=stdin,
                              capture_output=True)
        if done.returncode not in ok_codes:
            raise SystemExit(f"orderclaims {' '.join(args)} exited {done.returncode}:\n{done.stderr.decode()[-3000:]}")
        return done.returncode, done.stdout

    def cli_json(self, db: Path, *args: str, ok_codes: tuple[int, ...] = (0,)) -> tuple[int, dict]:
        code, out = self.cli(db, *args, "--json", ok_codes=ok_codes)
        return code, json.loads(out)


# ---- the store ---------------------------------------------------------------------------------


def event_rows(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return [(rowid, oid, version, topic, hashlib.sha256(state).hexdigest()) for rowid, oid, version, topic, state in
                conn.execute("SELECT rowid, originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid")]


def tables(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def seal(db: Path) -> None:
    """Leave only the event store's tables, in one file: drop what the old CLI's queries made, vacuum
    (checking that every stored event keeps its rowid, which is its notification id, and its bytes),
    and leave rollback journal mode so that no -wal/-shm file is needed or made by readers."""
    before = event_rows(db)
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for name in sorted(tables(db) - EVENT_STORE_TABLES - {"sqlite_sequence"}):
            conn.execute(f'DROP TABLE "{name}"')
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("VACUUM")
        problems = conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()
    if problems != [("ok",)]:
        raise SystemExit(f"integrity_check: {problems}")
    if event_rows(db) != before:
        raise SystemExit("VACUUM changed the stored events' rowids or bytes")
    left = [p for p in (db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")) if p.exists()]
    if left or tables(db) - {"sqlite_sequence"} != EVENT_STORE_TABLES:
        raise SystemExit(f"store is not sealed: files {left}, tables {sorted(tables(db))}")


def store_facts(db: Path) -> tuple[Counter, list[str], list[str], Counter]:
    """Topic counts, seller ids, order numbers, and the variants of the umbrella events."""
    topics: Counter = Counter()
    sellers, orders, variants = set(), set(), Counter()
    with sqlite3.connect(db) as conn:
        for topic, state in conn.execute("SELECT topic, state FROM stored_events ORDER BY rowid"):
            topics[topic] += 1
            name = topic.rpartition(".")[2]
            if name in ("Placed", "Registered", "ReturnMoved", "ReturnChargeSettled", "PartialRefundDecided",
                        "CancelRequested", "RefundPaid", "NonReceiptAnswered", "ClaimWithdrawn", "Delivered",
                        "Processed", "CancelRefused", "FeedbackGiven"):
                data = json.loads(state)
                if topic.endswith("Order.Placed"):
                    orders.add(data["order_no"])
                    sellers.add(data["seller_id"])
                elif topic.endswith("Seller.Registered"):
                    sellers.add(data["seller_id"])
                elif name == "ReturnMoved":
                    variants[f"ReturnMoved action={data['action']}"] += 1
                elif name in ("ReturnChargeSettled", "PartialRefundDecided"):
                    variants[f"{name} status={data['status']}"] += 1
                elif name == "CancelRequested":
                    variants[f"CancelRequested status={data['status']} actor={data['actor']}"] += 1
                elif name == "RefundPaid":
                    variants[f"RefundPaid kind={data['kind']} completes={data['completes']}"] += 1
                elif name == "NonReceiptAnswered":
                    variants[f"NonReceiptAnswered action={data['answer']['action']}"] += 1
                elif name == "ClaimWithdrawn":
                    variants[f"ClaimWithdrawn actor={data['actor']}"] += 1
                elif name == "Delivered":
                    variants[f"Delivered by={data['by']}"] += 1
                elif name == "FeedbackGiven":
                    variants[f"FeedbackGiven rating={data['rating']}"] += 1
                elif name == "Processed":
                    variants[f"Receipt outcome={data['outcome']}" + (f" code={data['code']}" if data["code"] else "")] += 1
    return topics, sorted(sellers), sorted(orders, key=lambda n: (len(n), n)), variants


def event_classes(release: OldRelease) -> list[str]:
    """Every event class topic of the old Order, Seller and Cart aggregates."""
    probe = (ISOLATE + " import json; from eventsourcing.domain import DomainEvent; from eventsourcing.utils import get_topic;"
             "from domain.order import Order; from domain.seller import Seller; from domain.cart import Cart;"
             "print(json.dumps(sorted(get_topic(v) for a in (Order, Seller, Cart) for k, v in vars(a).items()"
             " if isinstance(v, type) and issubclass(v, DomainEvent) and k not in ('Event', 'Created'))))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=release.src, env=release.env(None), check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


REQUIRED_VARIANTS = (
    "ReturnMoved action=approve", "ReturnMoved action=hold", "ReturnMoved action=resume",
    "ReturnChargeSettled status=paid", "ReturnChargeSettled status=declined", "ReturnChargeSettled status=cancelled",
    "PartialRefundDecided status=approved", "PartialRefundDecided status=rejected", "PartialRefundDecided status=cancelled",
    "CancelRequested status=in_progress actor=buyer", "CancelRequested status=requested actor=buyer",
    "CancelRequested status=in_progress actor=marketplace",
    "RefundPaid kind=cancel completes=cancel", "RefundPaid kind=return completes=return",
    "RefundPaid kind=full completes=exchange", "RefundPaid kind=full completes=non_receipt",
    "RefundPaid kind=partial completes=None",
    "NonReceiptAnswered action=wait", "NonReceiptAnswered action=reship",
    "ClaimWithdrawn actor=buyer", "ClaimWithdrawn actor=marketplace",
    "Delivered by=tracking", "Delivered by=buyer", "Delivered by=auto",
    "FeedbackGiven rating=great", "FeedbackGiven rating=good", "FeedbackGiven rating=bad",
)


# ---- the answers -------------------------------------------------------------------------------


def history_entry(document: dict) -> dict:
    return {
        "state": document["state"],
        "events": [{"version": e["version"], "at": e["at"], "actor": e["actor"]} for e in document["events"]],
        "old_event_names": [e["event"] for e in document["events"]],
    }


def answers(release: OldRelease, copy: Path, sellers: list[str], orders: list[str], jobs: int) -> dict:
    queries: dict[str, tuple[tuple[str, ...], object]] = {}
    for seller in sellers:
        queries[f"dashboard {seller}"] = (("dashboard", "--seller", seller, "--as-of", AS_OF), None)
        queries[f"settlement {seller}"] = (("settlement", "--seller", seller, "--as-of", AS_OF), None)
        for month in MONTHS:
            queries[f"points {seller} {month}"] = (("points", "--seller", seller, "--month", month, "--items"), None)
        for claim_type, keys in STATUS_KEYS.items():
            for key in (*keys, "delayed"):
                status = f"{claim_type}.{key}"
                queries[f"claims {seller} {status}"] = (("claims", "--seller", seller, "--status", status, "--as-of", AS_OF), None)
    for order_no in orders:
        queries[f"history {order_no}"] = (("history", order_no), history_entry)
    # Build each projection once, in turn, before the parallel reads.
    for name in list(queries)[:4]:
        release.cli_json(copy, *queries[name][0])

    def ask(name: str):
        args, reduce = queries[name]
        _, document = release.cli_json(copy, *args)
        return name, reduce(document) if reduce else document

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return dict(pool.map(ask, queries))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commit", required=True, help="the release's commit (e.g. 02f388d)")
    parser.add_argument("--out", required=True, type=Path, help="the directory to write (e.g. tests/compat/release_02f388d)")
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[2], help="the git repository (default: this one)")
    parser.add_argument("--jobs", type=int, default=max(2, min(8, os.cpu_count() or 2)), help="parallel queries")
    parser.add_argument("--force", action="store_true", help="overwrite the files in OUT")
    options = parser.parse_args()

    out: Path = options.out.resolve()
    targets = [out / "upstream.jsonl", out / "store.db", out / "expected.json"]
    if any(p.exists() for p in targets) and not options.force:
        raise SystemExit(f"{out} holds a release store already: it is the old release's bytes; use --force to overwrite")
    out.mkdir(parents=True, exist_ok=True)
    for p in [*targets, out / "store.db-wal", out / "store.db-shm"]:
        p.unlink(missing_ok=True)

    release = OldRelease(options.repo.resolve(), options.commit)
    try:
        # a. upstream.jsonl: the simulated stream, then the supplement.
        _, simulated = release.cli(None, "simulate", *SIMULATE)
        sup = supplement()
        planned = sup.messages()
        lines = simulated.rstrip(b"\n").split(b"\n")
        lines += [json.dumps(m, ensure_ascii=False, separators=(",", ":")).encode() for m, _ in planned]
        (out / "upstream.jsonl").write_bytes(b"\n".join(lines) + b"\n")
        ids = [json.loads(line)["message_id"] for line in lines]
        if len(set(ids)) != len(ids):
            raise SystemExit("message ids are not unique")

        # b. store.db: ingest, exchange the points, seal.
        store = out / "store.db"
        _, ingest = release.cli_json(store, "ingest", str(out / "upstream.jsonl"))
        rejected = {r["message_id"]: r["code"] for r in ingest["rejected"]}
        expected = {m["message_id"]: e for m, e in planned if e != "accepted"}
        if ingest["invalid"] or ingest["duplicates"] or rejected != expected:
            wrong = {i: (rejected.get(i), expected.get(i)) for i in set(rejected) | set(expected) if rejected.get(i) != expected.get(i)}
            raise SystemExit(f"the old release did not take the stream as planned (got, planned): {wrong}; "
                             f"invalid {ingest['invalid'][:5]}")
        sealed_tables = tables(store)
        code, exchange = release.cli_json(store, "exchange-points", "--seller", EXCHANGE_SELLER, "--at", EXCHANGE_AT,
                                          ok_codes=(0, 1))
        if code:
            print(f"warning: exchange-points was refused: {exchange}", file=sys.stderr)
        exchange["exit_code"] = code
        if sealed_tables - {"sqlite_sequence"} != EVENT_STORE_TABLES:
            raise SystemExit(f"ingest left unexpected tables: {sorted(sealed_tables)}")
        seal(store)

        # c. expected.json, from a copy.
        topics, sellers, orders, variants = store_facts(store)
        copy = release.work / "query.db"
        shutil.copyfile(store, copy)
        document = answers(release, copy, sellers, orders, options.jobs)
        document[f"exchange-points {EXCHANGE_SELLER} {EXCHANGE_AT}"] = exchange
        for refused in ((EXCHANGE_SELLER, "--at", EXCHANGE_AT), ("S001", "--at", EXCHANGE_AT),
                        (EXCHANGE_SELLER, "--at", AS_OF, "--month", "2026-09")):
            code, refusal = release.cli_json(copy, "exchange-points", "--seller", *refused, ok_codes=(0, 1))
            if code == 0:
                raise SystemExit(f"exchange-points {refused} was accepted on the query copy; it should be refused")
            document[f"exchange-points {' '.join(refused[:1] + refused[2::2])} (refused; asked of the copy only)"] = {
                **refusal, "exit_code": code}
        if event_rows(copy) != event_rows(store):
            raise SystemExit("the queries changed the copy's events")
        classes = event_classes(release)
        missing = [c for c in classes if c not in topics] + [v for v in REQUIRED_VARIANTS if v not in variants]
        document["topics"] = dict(sorted(topics.items()))
        document["variants"] = dict(sorted(variants.items()))
        document["ingest"] = {"accepted": ingest["accepted"], "duplicates": ingest["duplicates"],
                              "rejected": ingest["rejected"], "invalid": ingest["invalid"]}
        document["supplement"] = sup.stories
        document["meta"] = {
            "release": release.commit, "as_of": AS_OF, "months": list(MONTHS),
            "made_by": f"python tests/compat/make_release_store.py --commit {options.commit} --out {options.out}",
            "simulate": ["simulate", *SIMULATE], "sellers": sellers, "orders": len(orders),
            "old_event_classes": classes, "missing": missing,
        }
        (out / "expected.json").write_text(json.dumps(document, ensure_ascii=False, indent=1, sort_keys=False) + "\n")

        # d. summary.
        messages = len(lines)
        print(f"release {release.commit[:10]} -> {out}")
        print(f"orders {len(orders)} ({len(sup.stories)} hand-written), sellers {len(sellers)}: {' '.join(sellers)}")
        print(f"messages {messages} (accepted {ingest['accepted']}, rejected {len(ingest['rejected'])}: "
              + ", ".join(f"{c} {n}" for c, n in Counter(rejected.values()).most_common()) + ")")
        print(f"stored events {sum(topics.values())}, topics {len(topics)}; old event classes covered "
              f"{sum(c in topics for c in classes)}/{len(classes)}")
        print(f"exchange-points {EXCHANGE_SELLER} {EXCHANGE_AT}: {exchange}")
        print(f"queries {sum(1 for k in document if k.split(' ')[0] in ('dashboard', 'settlement', 'points', 'claims', 'history'))}")
        for p in targets:
            print(f"  {p.name:15} {p.stat().st_size:>9,} bytes")
        if missing:
            print(f"MISSING: {missing}")
            raise SystemExit(1)
    finally:
        release.close()


if __name__ == "__main__":
    main()
