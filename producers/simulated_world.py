"""The simulated marketplace's cast and props: its time span, names, items, carriers, reasons, how
often each scenario happens, and the timeline of one order's messages (producers/simulator.py)."""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from domain.calendar import TOKYO

DEFAULT_END = datetime(2026, 11, 20, 18, 0, tzinfo=TOKYO)
SPAN = timedelta(days=90)
LEVELS = ("power", "excellent", "general")
FAMILY = ("佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤")
GIVEN = ("陽菜", "蓮", "結衣", "湊", "葵", "大翔", "凛", "悠真", "美咲", "翔太")
CITIES = ("東京都新宿区", "大阪府大阪市北区", "福岡県福岡市中央区", "北海道札幌市中央区", "愛知県名古屋市中村区")
ITEMS = (
    ("スキンケアセット", 3200), ("ワイヤレスイヤホン", 5980), ("スマホケース", 1280),
    ("韓国コスメ福袋", 4500), ("オーダーメイド名入れマグ", 2800), ("予約 限定フィギュア", 12800),
    ("ヨガマット", 2480), ("ステンレスボトル", 1980), ("シートマスク30枚", 1500), ("LEDデスクライト", 3980),
)
CARRIERS = ("ヤマト運輸", "佐川急便", "日本郵便", "ゆうパケット")
CANCEL_REASONS = ("ordered_by_mistake", "found_cheaper", "no_longer_needed", "wrong_option")
RETURN_REASONS = ("damaged", "not_as_described", "changed_mind", "wrong_item")
# scenario -> weight (per 1,000 orders)
SCENARIOS = {
    "delivered": 700,
    "cancel_immediate": 45,
    "cancel_approved": 20,
    "cancel_refused": 15,
    "cancel_by_seller": 10,
    "return": 75,
    "exchange": 40,
    "non_receipt": 30,
    "partial_refund": 30,
    "undelivered_tail": 35,
}


@dataclass
class Timeline:
    """One order's messages, in the order they happen."""

    order_no: str
    at: datetime
    cart_no: str = ""  # what the upstream system keys the order's messages by (SPEC §4 Keys)
    kind: str = "general"
    promised: date | None = None
    buyer: dict = field(default_factory=dict)  # the buyer's name and phone: an exchange is reshipped to them
    messages: list[dict] = field(default_factory=list)

    def after(self, rng: random.Random, low_hours: float, high_hours: float) -> datetime:
        self.at += timedelta(hours=rng.uniform(low_hours, high_hours))
        return self.at

    def add(self, kind: str, actor: str, at: datetime, data: dict | None = None, order_no: str | None = None):
        self.messages.append(
            {
                "type": kind,
                "order_no": self.order_no if order_no is None else order_no,
                "occurred_at": at,
                "actor": actor,
                "data": data or {},
                **({"cart_no": self.cart_no} if self.cart_no else {}),
            }
        )
